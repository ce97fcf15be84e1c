import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` a client may see, in one registry: the subgraphs' resolvers, the kit's error masking and
 * the gateway all take their codes from here. A code not listed (or `INTERNAL_SERVER_ERROR`) is masked as an
 * internal error by `createErrorFormatter`, so adding a client-facing code means adding it here, once.
 */
export const ErrorCode = {
  // Outcomes of the domain, raised by resolvers.
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
  /** A dependency (auth, the revocation feed, a sign-in provider) cannot answer now; try again shortly. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // The request itself: Apollo Server's own codes, body limits, the gateway's operation limits.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Depth, aliases, tokens, cost…: `extensions.limit` names which. */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  // Persisted operations (APQ and the partner safelist).
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  PERSISTED_QUERY_NOT_ALLOWED: 'PERSISTED_QUERY_NOT_ALLOWED',
  /** A restricted caller sent a persisted-query hash that is not in the manifest (and may not register new ones). */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** A restricted caller sent operation text that is not exactly the text of a manifest operation. */
  QUERY_NOT_IN_SAFELIST: 'QUERY_NOT_IN_SAFELIST',
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  // Subscriptions through the gateway.
  SUBSCRIPTION_LIMIT: 'SUBSCRIPTION_LIMIT',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  UPSTREAM_SUBSCRIPTION_FAILED: 'UPSTREAM_SUBSCRIPTION_FAILED',
  /** The supergraph changed under a running subscription: subscribe again. */
  SUBSCRIPTION_SCHEMA_RELOAD: 'SUBSCRIPTION_SCHEMA_RELOAD',
  /** What every masked error becomes; never passed through with its own message. */
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const EXPOSED: ReadonlySet<string> = new Set<string>(
  Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL),
);

/** True for a registered client-facing code (everything in `ErrorCode` but `INTERNAL_SERVER_ERROR`). */
export const isExposedErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && EXPOSED.has(code);

export function domainError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badInput = (message: string, field?: string): GraphQLError =>
  domainError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const unauthenticated = (message = 'Sign in to do this'): GraphQLError =>
  domainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this'): GraphQLError =>
  domainError(ErrorCode.FORBIDDEN, message);
/** What a live subscription ends with when the rights behind it end (revocation, a cancelled rental…). */
export const subscriptionAccessEnded = (): GraphQLError => forbidden('Your access to this subscription has ended');
export const notFound = (what: string, id: string): GraphQLError =>
  domainError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });
export const conflict = (message: string): GraphQLError => domainError(ErrorCode.CONFLICT, message);
export const capacityExhausted = (message: string): GraphQLError => domainError(ErrorCode.CAPACITY_EXHAUSTED, message);
