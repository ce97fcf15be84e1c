import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { FetchNode, QueryPlan } from '@apollo/query-planner';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Logger } from '@vegshare/kit/gateway';
import type { GatewayContext } from '../context.ts';
import type { SubscriptionPlan, SupergraphState } from './subscription-planner.ts';
import type { UpstreamResult } from './upstream-pool.ts';

/** Name of the synthetic service that hands an upstream event to the query plan executor. */
const EVENT_SOURCE = '__subscription_event__';

type RequestContext = Parameters<typeof executeQueryPlan>[2];

/**
 * Completes one upstream event into the client's full selection: the event becomes the result of the plan's primary
 * fetch (a synthetic service returns it), then Federation's own executor runs the remaining entity fetches against
 * the other subgraphs and shapes the response exactly as for a query.
 */
export async function completeEvent(options: {
  readonly plan: SubscriptionPlan;
  readonly state: SupergraphState;
  readonly services: ServiceMap;
  readonly event: UpstreamResult;
  readonly variables: Record<string, unknown>;
  readonly context: GatewayContext;
  readonly logger: Logger;
}): Promise<ExecutionResult> {
  const { plan, event } = options;
  if (!event.data) {
    const upstream = event.errors ?? [{ message: 'Upstream subscription failed' }];
    return { errors: upstream.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} })) };
  }
  const eventSource: GraphQLDataSource = {
    process: async () => ({ data: event.data ?? null, ...(event.errors ? { errors: event.errors } : {}) }),
  };
  const eventFetch: FetchNode = { ...plan.primary, serviceName: EVENT_SOURCE };
  const queryPlan: QueryPlan = {
    kind: 'QueryPlan',
    node: plan.rest ? { kind: 'Sequence', nodes: [eventFetch, plan.rest] } : eventFetch,
  };
  const requestContext = {
    request: { variables: options.variables },
    context: options.context,
    logger: options.logger,
    metrics: {},
    operation: plan.operationContext.operation,
    document: plan.document,
  } as unknown as RequestContext;
  const result = await executeQueryPlan(
    queryPlan,
    { ...options.services, [EVENT_SOURCE]: eventSource },
    requestContext,
    plan.operationContext,
    options.state.supergraphGraphQLSchema,
    options.state.apiSchema,
  );
  return {
    data: (result.data ?? null) as Record<string, unknown> | null,
    ...(result.errors?.length ? { errors: result.errors } : {}),
  };
}
