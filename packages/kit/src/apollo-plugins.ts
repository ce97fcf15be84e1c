import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './metrics.ts';
import { ErrorCode, isExposedErrorCode } from './errors.ts';
import { isTransientDbError } from './db/db-errors.ts';

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Bounds the `operation` label of the metrics: a client picks operation names freely, and every new label value is
 * a new time series in Prometheus. Names in `known` (e.g. the partner manifest) always keep their own label; other
 * names only for operations that were resolved, and only the first `max` distinct ones; everything else is `other`.
 */
export function operationLabeler(
  options: { readonly max?: number; readonly known?: Iterable<string> } = {},
): (name: string | null | undefined, resolved: boolean) => string {
  const max = options.max ?? 100;
  const known = new Set(options.known ?? []);
  const seen = new Set<string>();
  return (name, resolved) => {
    if (!name) return 'anonymous';
    if (known.has(name)) return name;
    if (!resolved || !OPERATION_NAME.test(name)) return 'other';
    if (seen.has(name)) return name;
    if (seen.size >= max) return 'other';
    seen.add(name);
    return name;
  };
}

/** Counts operations (by a bounded set of names) and errors by stable code. */
export function metricsPlugin<T extends BaseContext>(
  metrics: ServiceMetrics,
  label = operationLabeler(),
): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, operation, errors }) {
          metrics.graphqlOperations.inc({
            operation: label(operationName, operation !== undefined && operation !== null),
            type: operation?.operation ?? 'unknown',
            outcome: errors?.length ? 'error' : 'ok',
          });
        },
        async didEncounterErrors({ errors }) {
          for (const e of errors)
            metrics.graphqlErrors.inc({ code: String(e.extensions['code'] ?? ErrorCode.INTERNAL) });
        },
      };
    },
  };
}

/** Apollo Server's APQ check reports a hash that is not the text's SHA-256 with this message and no code. */
const APQ_HASH_MISMATCH = 'provided sha does not match query';

/**
 * Masks anything that is not a deliberate client-facing error: unexpected exceptions (database, bugs)
 * become `INTERNAL_SERVER_ERROR` with a generic message and are logged with their stack.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Operation limits (graphql-armor rules in the gateway) carry `extensions.limit`: one stable code for all of them.
    if (typeof formatted.extensions?.['limit'] === 'string') {
      return {
        message: formatted.message,
        extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: formatted.extensions['limit'] },
      };
    }
    const code = formatted.extensions?.['code'];
    if ((code === undefined || code === ErrorCode.INTERNAL) && formatted.message === APQ_HASH_MISMATCH) {
      return {
        message: 'The persisted-query hash is not the SHA-256 of the query text',
        extensions: { code: ErrorCode.PERSISTED_QUERY_HASH_MISMATCH },
      };
    }
    // Already masked (an error formatted once, e.g. by Apollo, passing through a second formatter).
    if (code === ErrorCode.INTERNAL && formatted.message === 'Internal server error') return formatted;
    // graphql-js's parser `maxTokens` guard reports a parse failure; it is a limit, not a syntax error.
    if (code === ErrorCode.GRAPHQL_PARSE_FAILED && /contains more th\w* \d+ tokens/.test(formatted.message)) {
      return {
        message: 'Operation has too many tokens',
        extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'MAX_TOKENS' },
      };
    }
    if (isExposedErrorCode(code)) {
      // `response` is what Apollo's data sources attach to a subgraph's 401/403 (UNAUTHENTICATED/FORBIDDEN): the
      // subgraph's internal URL and raw body, which are nobody's business outside.
      const { stacktrace: _drop, response: _internal, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    if (isTransientDbError(original)) {
      logger.warn({ err: original, path: formatted.path }, 'database busy: the request may be retried');
      return {
        message: 'The service is busy; try again shortly',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in resolver');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL },
    };
  };
}
