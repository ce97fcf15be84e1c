import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';

/** Years a date may have here: wide enough for birth dates and plans, narrow enough that date arithmetic stays valid. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2999;

const badInput = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** graphql-scalars' parser with a stable BAD_USER_INPUT code, whatever it throws. */
function parsed<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (error) {
    throw badInput(error instanceof Error ? error.message : `${what} is invalid`);
  }
}

function inRange(year: number, what: string): void {
  if (year < MIN_YEAR || year > MAX_YEAR)
    throw badInput(`${what} must be between the years ${MIN_YEAR} and ${MAX_YEAR}`);
}

function checkedInstant(value: Date): Date {
  inRange(value.getUTCFullYear(), 'DateTime');
  return value;
}

/**
 * `DateTime`: graphql-scalars' RFC 3339 date-time (real calendar days, hours < 24, an offset required), years
 * 1900–2999; a `Date` in resolvers, an ISO 8601 UTC string on the wire. Invalid input is BAD_USER_INPUT.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant: RFC 3339 date-time with an offset, e.g. 2026-05-01T08:30:00.000Z (years 1900–2999).',
  serialize: (value) => {
    const date = DateTimeResolver.serialize(value) as Date;
    return date.toISOString();
  },
  parseValue: (value) => checkedInstant(parsed(() => DateTimeResolver.parseValue(value) as Date, 'DateTime')),
  parseLiteral: (ast: ValueNode, variables) =>
    checkedInstant(parsed(() => DateTimeResolver.parseLiteral(ast, variables) as Date, 'DateTime')),
});

function checkedDay(value: string): string {
  inRange(Number(value.slice(0, 4)), 'Date');
  return value;
}

/** `Date`: graphql-scalars' local date `YYYY-MM-DD` (real calendar days), years 1900–2999; a string everywhere. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, ISO 8601 YYYY-MM-DD (years 1900–2999).',
  serialize: (value) =>
    value instanceof Date
      ? value.toISOString().slice(0, 10)
      : (LocalDateResolver.serialize(typeof value === 'string' ? value.slice(0, 10) : value) as string),
  parseValue: (value) => checkedDay(parsed(() => LocalDateResolver.parseValue(value) as string, 'Date')),
  parseLiteral: (ast: ValueNode, variables) =>
    checkedDay(parsed(() => LocalDateResolver.parseLiteral(ast, variables) as string, 'Date')),
});
