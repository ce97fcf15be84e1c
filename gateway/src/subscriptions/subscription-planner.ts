import federation from '@apollo/federation-internals';
import type { QueryPlanner, FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { buildOperationContext } from '@apollo/gateway';
import { defaultOperationLimits } from '../operation-limits.ts';
import { callerIndependentFields, selectsOnlyCallerIndependent } from './caller-independence.ts';
import { resumableUpstream, type UpstreamOperation } from './upstream-resume.ts';
import { parse, validate, specifiedRules, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';

type OperationContext = ReturnType<typeof buildOperationContext>;
type Schema = ReturnType<InstanceType<typeof federation.Supergraph>['apiSchema']>;

/** How one subscription operation runs: the upstream subscription and the plan that completes each event. */
export interface SubscriptionPlan {
  readonly document: DocumentNode;
  readonly operationContext: OperationContext;
  /** Fetch sent upstream as a graphql-ws subscription to the subgraph owning the root field. */
  readonly primary: FetchNode;
  /** The primary fetch as sent upstream: with the event's cursor and a resume variable where the field has them. */
  readonly upstream: UpstreamOperation;
  /** Entity fetches to other subgraphs that complete each event, if any. */
  readonly rest: PlanNode | undefined;
  /**
   * Every selected field is `@callerIndependent`: each caller allowed to subscribe gets the same result, so one
   * upstream subscription and one completion can serve them all (see fanout.ts).
   */
  readonly callerIndependent: boolean;
  /** Which supergraph it was planned on (counts reloads): plans of different schemas never share a fan-out group. */
  readonly generation: number;
}

export interface SupergraphState {
  readonly apiSchema: Schema;
  /** The API schema as graphql-js, for validation. */
  readonly apiGraphQLSchema: GraphQLSchema;
  /** The supergraph schema as graphql-js, as executeQueryPlan expects (built on first use). */
  readonly supergraphGraphQLSchema: GraphQLSchema;
  readonly planner: QueryPlanner;
  /** Coordinates of the supergraph's `@callerIndependent` fields (read on first use). */
  readonly callerIndependent: ReadonlySet<string>;
  /** A subgraph's own schema (as graphql-js, built on first use), to check what is sent to it. */
  subgraphSchema(name: string): GraphQLSchema | undefined;
}

/** Builds `make()` once, when first asked: a gateway serving no subscription never pays for it. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

export class SubscriptionPlanningError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

const PLAN_CACHE_SIZE = 500;

/**
 * Plans subscriptions with Federation's own query planner (which emits a Subscription node: a primary fetch to
 * the owning subgraph plus the rest of the plan). Plans are cached per operation text; the cache is reset when
 * the supergraph changes.
 */
export class SubscriptionPlanner {
  #state: SupergraphState | null = null;
  #generation = 0;
  readonly #cache = new Map<string, SubscriptionPlan>();

  /**
   * Takes the supergraph the gateway has just loaded: its query planner (which holds the federation schema model
   * and the query graph) and its API schema as graphql-js. Both are the gateway's own, not built again: a second
   * model of the same supergraph cost ~9 MB of heap in every gateway process (issue 17).
   */
  update(planner: QueryPlanner, apiGraphQLSchema: GraphQLSchema): void {
    const supergraph = planner.supergraph;
    const subgraphSchemas = new Map<string, GraphQLSchema | undefined>();
    const supergraphGraphQLSchema = once(() => supergraph.schema.toGraphQLJSSchema());
    const callerIndependent = once(() => callerIndependentFields(supergraphGraphQLSchema()));
    this.#state = {
      subgraphSchema: (name) => {
        if (!subgraphSchemas.has(name))
          subgraphSchemas.set(name, supergraph.subgraphs().get(name)?.schema.toGraphQLJSSchema());
        return subgraphSchemas.get(name);
      },
      // Cached by the schema model: the same object the gateway plans its queries on.
      apiSchema: supergraph.apiSchema(),
      apiGraphQLSchema,
      get supergraphGraphQLSchema() {
        return supergraphGraphQLSchema();
      },
      planner,
      get callerIndependent() {
        return callerIndependent();
      },
    };
    this.#generation += 1;
    this.#cache.clear();
  }

  get state(): SupergraphState {
    if (!this.#state) throw new Error('supergraph not loaded yet');
    return this.#state;
  }

  /** Parses, validates and plans; throws SubscriptionPlanningError with client-facing errors. */
  plan(query: string, operationName: string | null | undefined): SubscriptionPlan {
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const state = this.state;
    let document: DocumentNode;
    try {
      // Already within the parser's token limit: the operation gate checked the same text.
      document = parse(query, { maxTokens: defaultOperationLimits.maxTokens });
    } catch (error) {
      throw new SubscriptionPlanningError([
        new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
      ]);
    }
    const errors = validate(state.apiGraphQLSchema, document, specifiedRules);
    if (errors.length) {
      throw new SubscriptionPlanningError(
        errors.map(
          (e) =>
            new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        ),
      );
    }
    let operationContext: OperationContext;
    try {
      operationContext = buildOperationContext({
        schema: state.apiGraphQLSchema,
        operationDocument: document,
        ...(operationName ? { operationName } : {}),
      });
    } catch (error) {
      throw new SubscriptionPlanningError([
        new GraphQLError((error as Error).message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
      ]);
    }
    if (operationContext.operation.operation !== 'subscription') {
      throw new SubscriptionPlanningError([
        new GraphQLError('Only subscriptions are planned here', { extensions: { code: 'BAD_REQUEST' } }),
      ]);
    }
    const operation = federation.operationFromDocument(
      state.apiSchema,
      document,
      operationName ? { operationName } : {},
    );
    const plan: QueryPlan = state.planner.buildQueryPlan(operation);
    const node = plan.node;
    if (!node || node.kind !== 'Subscription') {
      throw new SubscriptionPlanningError([
        new GraphQLError('Subscription could not be planned', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
      ]);
    }
    const callerIndependent = selectsOnlyCallerIndependent(state.apiGraphQLSchema, state.callerIndependent, document);
    const result: SubscriptionPlan = {
      document,
      operationContext,
      primary: node.primary,
      upstream: resumableUpstream(node.primary, state.subgraphSchema(node.primary.serviceName)),
      rest: node.rest,
      callerIndependent,
      generation: this.#generation,
    };
    if (this.#cache.size >= PLAN_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(key, result);
    return result;
  }
}
