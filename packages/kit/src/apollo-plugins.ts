import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './metrics.ts';

/** Counts operations and errors by stable code. */
export function metricsPlugin<T extends BaseContext>(metrics: ServiceMetrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, operation, errors }) {
          metrics.graphqlOperations.inc({
            operation: operationName ?? 'anonymous',
            type: operation?.operation ?? 'unknown',
            outcome: errors?.length ? 'error' : 'ok',
          });
        },
        async didEncounterErrors({ errors }) {
          for (const e of errors) metrics.graphqlErrors.inc({ code: String(e.extensions['code'] ?? 'INTERNAL_SERVER_ERROR') });
        },
      };
    },
  };
}

const EXPOSED_CODES = new Set([
  'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'CAPACITY_EXHAUSTED',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'PAYLOAD_TOO_LARGE', 'OPERATION_LIMIT_EXCEEDED',
  'SERVICE_UNAVAILABLE', 'SUBSCRIPTION_LIMIT', 'SLOW_CONSUMER', 'UPSTREAM_SUBSCRIPTION_FAILED', 'PERSISTED_QUERY_NOT_ALLOWED',
  'PERSISTED_QUERY_NOT_IN_LIST', 'QUERY_NOT_IN_SAFELIST',
]);

/**
 * Masks anything that is not a deliberate client-facing error: unexpected exceptions (database, bugs)
 * become `INTERNAL_SERVER_ERROR` with a generic message and are logged with their stack.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Operation limits (graphql-armor rules in the gateway) carry `extensions.limit`: one stable code for all of them.
    if (typeof formatted.extensions?.['limit'] === 'string') {
      return { message: formatted.message, extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: formatted.extensions['limit'] } };
    }
    const code = formatted.extensions?.['code'];
    // graphql-js's parser `maxTokens` guard reports a parse failure; it is a limit, not a syntax error.
    if (code === 'GRAPHQL_PARSE_FAILED' && /contains more th\w* \d+ tokens/.test(formatted.message)) {
      return { message: 'Operation has too many tokens', extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'MAX_TOKENS' } };
    }
    if (typeof code === 'string' && EXPOSED_CODES.has(code)) {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    logger.error({ err: original, path: formatted.path }, 'unexpected error in resolver');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
