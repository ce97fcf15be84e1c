import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode, type Logger, type ServiceMetrics } from '@vegshare/kit';
import type { GatewayContext } from '../context.ts';
import type { PersistedOperations } from './manifest.ts';

/** Who may only run operations of the manifest: nobody, callers authenticated by a partner API key, or everyone. */
export const SAFELIST_MODES = ['off', 'api-keys', 'all'] as const;
export type SafelistMode = (typeof SAFELIST_MODES)[number];

/**
 * `api-keys` in production (partners call with API keys and get a stable, reviewed surface); `off` elsewhere, where
 * the explorer runs ad-hoc operations with partner keys.
 */
export const defaultSafelistMode = (nodeEnv: string): SafelistMode => (nodeEnv === 'production' ? 'api-keys' : 'off');

type Outcome =
  'manifest_id' | 'manifest_text' | 'apq_hit' | 'apq_registered' | 'apq_miss' | 'not_in_list' | 'not_in_safelist';

const notInList = (): GraphQLError =>
  new GraphQLError('This caller may only run persisted operations of the safelist, and this id is not one of them', {
    extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, http: { status: 400 } },
  });

const notInSafelist = (): GraphQLError =>
  new GraphQLError(
    'This caller may only run persisted operations of the safelist: send the id of a listed operation (extensions.persistedQuery.sha256Hash) or its exact text',
    {
      extensions: { code: ErrorCode.QUERY_NOT_IN_SAFELIST, http: { status: 400 } },
    },
  );

/**
 * What a refused request runs in place of its own text. Apollo Server turns errors into responses only from
 * didResolveOperation on (an error thrown in requestDidStart is a 500), so a refused request is swapped for this
 * constant document, never parsed from the caller's text nor looked up in the APQ cache, and refused there.
 */
const REFUSED_SOURCE = 'query PersistedOperationRefused { __typename }';

function persistedHashOf(extensions: GraphQLRequest['extensions']): string | undefined {
  const persisted: unknown = extensions?.['persistedQuery'];
  if (typeof persisted !== 'object' || persisted === null) return undefined;
  const hash = (persisted as Record<string, unknown>)['sha256Hash'];
  return typeof hash === 'string' ? hash : undefined;
}

/** Runs `source` instead of what the request sent, without its APQ extension (so nothing is looked up or registered). */
function useSource(request: GraphQLRequest, source: string): void {
  request.query = source;
  if (request.extensions?.['persistedQuery'] !== undefined) {
    const { persistedQuery: _dropped, ...rest } = request.extensions;
    request.extensions = rest;
  }
}

export interface PersistedOperationsPolicy {
  /**
   * Resolves manifest ids to their text before Apollo's APQ lookup and, for restricted callers, refuses everything
   * that is not a manifest operation (HTTP, and queries or mutations sent over graphql-ws).
   */
  readonly plugin: ApolloServerPlugin<GatewayContext>;
  /**
   * The same rules for graphql-ws `subscribe` messages: the text to run (a manifest id resolved to its body), or the
   * error to answer with — an unlisted text or id of a restricted caller, an unknown id (automatic persisted queries
   * are registered over HTTP only), no text at all.
   */
  resolve(
    context: GatewayContext,
    query: string | undefined,
    extensions: Readonly<Record<string, unknown>> | undefined,
  ): string | GraphQLError;
  /** Logs every manifest operation the (new) schema no longer accepts: partners calling it would get errors. */
  checkSchema(schema: GraphQLSchema): void;
}

export interface PersistedOperationsPolicyOptions {
  readonly operations: PersistedOperations;
  readonly mode: SafelistMode;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** Validation rules the gateway adds to graphql-js's (operation limits), for checkSchema. */
  readonly validationRules?: readonly ValidationRule[];
}

/** Persisted operations of the partner manifest: served by id to everyone, and the safelist of restricted callers. */
export function persistedOperationsPolicy(options: PersistedOperationsPolicyOptions): PersistedOperationsPolicy {
  const { operations, mode } = options;
  const outcomes = options.metrics.counter(
    'gateway_persisted_operations_total',
    'Persisted operations: manifest operations run by id or listed text, APQ hits/registrations/misses, safelist refusals',
    ['outcome'],
  );
  const restricted = (context: GatewayContext): boolean => mode === 'all' || (mode === 'api-keys' && context.viaApiKey);

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ request, contextValue }) {
      const isRestricted = restricted(contextValue);
      const hash = persistedHashOf(request.extensions);
      let outcome: Outcome | null = null;
      let refusal: GraphQLError | null = null;
      if (request.query === undefined) {
        const listed = hash === undefined ? undefined : operations.get(hash);
        if (listed) {
          useSource(request, listed.body);
          outcome = 'manifest_id';
        } else if (hash !== undefined && isRestricted) {
          refusal = notInList();
          outcome = 'not_in_list';
        }
      } else if (isRestricted) {
        const listed = operations.byText(request.query);
        if (!listed) {
          refusal = notInSafelist();
          outcome = 'not_in_safelist';
        } else {
          outcome = 'manifest_text';
          // A hash that differs from the text is left to Apollo, which refuses the mismatch.
          if (hash === undefined || hash === listed.id) useSource(request, listed.body);
        }
      }
      if (refusal) {
        useSource(request, REFUSED_SOURCE);
        delete request.operationName;
      }
      let resolved = false;
      return {
        async didResolveOperation() {
          if (refusal) throw refusal;
          resolved = true;
        },
        async willSendResponse({ metrics, errors }) {
          if (!outcome) {
            if (metrics.persistedQueryHit) outcome = 'apq_hit';
            else if (metrics.persistedQueryRegister && resolved) outcome = 'apq_registered';
            else if (errors?.some((e) => e.extensions['code'] === 'PERSISTED_QUERY_NOT_FOUND')) outcome = 'apq_miss';
          }
          if (outcome) outcomes.inc({ outcome });
        },
      };
    },
  };

  return {
    plugin,
    resolve(context, query, extensions) {
      const hash = persistedHashOf(extensions);
      if (typeof query === 'string' && query !== '') {
        const listed = operations.byText(query);
        if (listed) outcomes.inc({ outcome: 'manifest_text' });
        if (!listed && restricted(context)) {
          outcomes.inc({ outcome: 'not_in_safelist' });
          return notInSafelist();
        }
        return query;
      }
      if (hash === undefined)
        return new GraphQLError('The operation has no query text', { extensions: { code: 'BAD_REQUEST' } });
      const listed = operations.get(hash);
      if (listed) {
        outcomes.inc({ outcome: 'manifest_id' });
        return listed.body;
      }
      if (restricted(context)) {
        outcomes.inc({ outcome: 'not_in_list' });
        return notInList();
      }
      outcomes.inc({ outcome: 'apq_miss' });
      return new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    },
    checkSchema(schema) {
      const problems = operations.problemsAgainst(schema, options.validationRules);
      if (problems.length)
        options.logger.warn({ problems }, 'persisted operations that no longer validate against the supergraph');
    },
  };
}
