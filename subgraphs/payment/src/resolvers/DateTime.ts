import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const toDate = (value: unknown): Date | null => {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
};

/** ISO 8601 timestamps in UTC. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => {
    const date = toDate(value);
    if (!date) throw new GraphQLError('DateTime cannot represent this value');
    return date.toISOString();
  },
  parseValue: (value) => {
    const date = typeof value === 'string' ? toDate(value) : null;
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
  parseLiteral: (ast) => {
    const date = ast.kind === Kind.STRING ? toDate(ast.value) : null;
    if (!date) throw new GraphQLError('DateTime must be an ISO 8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
});
