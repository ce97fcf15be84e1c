import type { ApolloServerPlugin, GraphQLRequest, GraphQLRequestMetrics } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode, type Logger, type ServiceMetrics } from '@vegshare/kit/gateway';
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

type Count = (outcome: Outcome) => void;

/** What the plugin decided before the request runs: the outcome to count (if already known) and a refusal, if any. */
interface Admission {
  readonly outcome: Outcome | null;
  readonly refusal: GraphQLError | null;
}

const UNDECIDED: Admission = { outcome: null, refusal: null };
const admitted = (outcome: Outcome): Admission => ({ outcome, refusal: null });
const refused = (outcome: Outcome, refusal: GraphQLError): Admission => ({ outcome, refusal });

/** An id without text: a manifest id runs its body; an unknown id is refused for restricted callers, else left to APQ. */
function admitById(
  request: GraphQLRequest,
  operations: PersistedOperations,
  hash: string | undefined,
  isRestricted: boolean,
): Admission {
  if (hash === undefined) return UNDECIDED;
  const listed = operations.get(hash);
  if (listed) {
    useSource(request, listed.body);
    return admitted('manifest_id');
  }
  return isRestricted ? refused('not_in_list', notInList()) : UNDECIDED;
}

/** A restricted caller's text: runs only if it is a manifest operation's exact text. */
function admitRestrictedText(
  request: GraphQLRequest,
  operations: PersistedOperations,
  query: string,
  hash: string | undefined,
): Admission {
  const listed = operations.byText(query);
  if (!listed) return refused('not_in_safelist', notInSafelist());
  // A hash that differs from the text is left to Apollo, which refuses the mismatch.
  if (hash === undefined || hash === listed.id) useSource(request, listed.body);
  return admitted('manifest_text');
}

/** Decides an HTTP request (or a graphql-ws query or mutation) and rewrites what it runs accordingly. */
function admitRequest(request: GraphQLRequest, operations: PersistedOperations, isRestricted: boolean): Admission {
  const hash = persistedHashOf(request.extensions);
  if (request.query === undefined) return admitById(request, operations, hash, isRestricted);
  if (isRestricted) return admitRestrictedText(request, operations, request.query, hash);
  return UNDECIDED;
}

/** Swaps a refused request for the constant refused document, so nothing of the caller's is parsed or looked up. */
function swapForRefusal(request: GraphQLRequest): void {
  useSource(request, REFUSED_SOURCE);
  delete request.operationName;
}

/** The outcome of a request the plugin left to Apollo's automatic persisted queries, once the response is known. */
function apqOutcome(
  metrics: GraphQLRequestMetrics,
  errors: readonly GraphQLError[] | undefined,
  resolved: boolean,
): Outcome | null {
  if (metrics.persistedQueryHit) return 'apq_hit';
  if (metrics.persistedQueryRegister && resolved) return 'apq_registered';
  if (errors?.some((e) => e.extensions['code'] === 'PERSISTED_QUERY_NOT_FOUND')) return 'apq_miss';
  return null;
}

/** The Apollo Server plugin: admits each request before the APQ lookup, refuses it at didResolveOperation, counts it. */
function policyPlugin(
  operations: PersistedOperations,
  restricted: (context: GatewayContext) => boolean,
  count: Count,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const { outcome, refusal } = admitRequest(request, operations, restricted(contextValue));
      if (refusal) swapForRefusal(request);
      let resolved = false;
      return {
        async didResolveOperation() {
          if (refusal) throw refusal;
          resolved = true;
        },
        async willSendResponse({ metrics, errors }) {
          const counted = outcome ?? apqOutcome(metrics, errors, resolved);
          if (counted) count(counted);
        },
      };
    },
  };
}

/** A graphql-ws subscription's text: any text for unrestricted callers, only a manifest operation's for restricted. */
function resolveText(
  operations: PersistedOperations,
  query: string,
  isRestricted: boolean,
  count: Count,
): string | GraphQLError {
  const listed = operations.byText(query);
  if (listed) count('manifest_text');
  if (!listed && isRestricted) {
    count('not_in_safelist');
    return notInSafelist();
  }
  return query;
}

/** A graphql-ws subscription's id without text: a manifest id's body, or why not (APQ registers over HTTP only). */
function resolveId(
  operations: PersistedOperations,
  hash: string | undefined,
  isRestricted: boolean,
  count: Count,
): string | GraphQLError {
  if (hash === undefined)
    return new GraphQLError('The operation has no query text', { extensions: { code: 'BAD_REQUEST' } });
  const listed = operations.get(hash);
  if (listed) {
    count('manifest_id');
    return listed.body;
  }
  if (isRestricted) {
    count('not_in_list');
    return notInList();
  }
  count('apq_miss');
  return new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
}

/** Persisted operations of the partner manifest: served by id to everyone, and the safelist of restricted callers. */
export function persistedOperationsPolicy(options: PersistedOperationsPolicyOptions): PersistedOperationsPolicy {
  const { operations, mode } = options;
  const outcomes = options.metrics.counter(
    'gateway_persisted_operations_total',
    'Persisted operations: manifest operations run by id or listed text, APQ hits/registrations/misses, safelist refusals',
    ['outcome'],
  );
  const count: Count = (outcome) => outcomes.inc({ outcome });
  const restricted = (context: GatewayContext): boolean => mode === 'all' || (mode === 'api-keys' && context.viaApiKey);
  return {
    plugin: policyPlugin(operations, restricted, count),
    resolve(context, query, extensions) {
      if (typeof query === 'string' && query !== '') return resolveText(operations, query, restricted(context), count);
      return resolveId(operations, persistedHashOf(extensions), restricted(context), count);
    },
    checkSchema(schema) {
      const problems = operations.problemsAgainst(schema, options.validationRules);
      if (problems.length)
        options.logger.warn({ problems }, 'persisted operations that no longer validate against the supergraph');
    },
  };
}
