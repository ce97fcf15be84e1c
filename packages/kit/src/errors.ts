import { GraphQLError } from 'graphql';

/** Stable `extensions.code` values clients can rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** Nothing can take the work now (e.g. no transcoder has CPU for another live stream); try again later. */
  CAPACITY_EXHAUSTED: 'CAPACITY_EXHAUSTED',
  /** A live subscription's `after` cursor is older than its resume window: load the list again, subscribe without it. */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function domainError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badInput = (message: string, field?: string): GraphQLError =>
  domainError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const unauthenticated = (message = 'Sign in to do this'): GraphQLError => domainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this'): GraphQLError => domainError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id: string): GraphQLError => domainError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });
export const conflict = (message: string): GraphQLError => domainError(ErrorCode.CONFLICT, message);
export const capacityExhausted = (message: string): GraphQLError => domainError(ErrorCode.CAPACITY_EXHAUSTED, message);
