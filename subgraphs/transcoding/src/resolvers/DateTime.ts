import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '@vegshare/kit';

/** ISO-8601 instants; Date values from Prisma serialize as toISOString(). (Candidate for the kit.) */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => {
    const date = new Date(String(value));
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw badInput('expected an ISO-8601 date-time');
    return date;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || Number.isNaN(new Date(ast.value).getTime())) throw badInput('expected an ISO-8601 date-time');
    return new Date(ast.value);
  },
});
