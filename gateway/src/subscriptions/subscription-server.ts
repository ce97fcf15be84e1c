import type { IncomingMessage, Server } from 'node:http';
import type { ServiceMap } from '@apollo/gateway';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Context as WsContext } from 'graphql-ws';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { accessNarrowed, asGraphQLError, endableStream, ErrorCode, wsErrorHooks, type EndableStream, type ErrorFormatter, type Logger, type RevocationView, type ServiceMetrics } from '@vegshare/kit';
import { isGated, type OperationGate } from '../operation-gate.ts';
import type { GatewayContext } from '../context.ts';
import { SubscriptionPlanner, SubscriptionPlanningError, type SubscriptionPlan } from './subscription-planner.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { completeEvent } from './event-executor.ts';

export interface SubscriptionServerOptions {
  readonly server: Server;
  readonly path?: string;
  readonly planner: SubscriptionPlanner;
  readonly pool: UpstreamPool;
  /** Data sources of the current supergraph, by subgraph name. */
  readonly services: () => ServiceMap;
  readonly serviceUrl: (name: string) => string;
  /** The checks every operation passes before it runs: the same as over HTTP (persisted rules, limits, validation). */
  readonly gate: OperationGate;
  /** The HTTP error formatter (masking, stable codes), for every error sent over the socket. */
  readonly formatError: ErrorFormatter;
  /** Revocations and role changes: a connection whose access ends loses its subscriptions (FORBIDDEN). */
  readonly access: RevocationView;
  /** Builds the caller's context from connection_init (token / API key); throws to refuse the connection. */
  readonly authenticate: (params: Readonly<Record<string, unknown>>, request: IncomingMessage) => Promise<GatewayContext>;
  /** Queries and mutations sent over the socket run through the HTTP pipeline. */
  readonly executeOperation: (request: { query: string; variables: Record<string, unknown>; operationName: string | null }, context: GatewayContext) => Promise<ExecutionResult>;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly maxSubscriptionsPerConnection?: number;
  readonly pingIntervalMs?: number;
  /** A client whose socket has more than this many bytes unsent is too slow and is dropped (it may reconnect). */
  readonly maxBufferedBytes?: number;
  /** Completed events waiting for one subscriber before it is considered too slow. */
  readonly maxQueuedEvents?: number;
}

interface ConnectionState {
  context: GatewayContext | null;
  /** Open subscriptions of the connection, to end them from outside (access ended, schema reloaded). */
  readonly streams: Set<EndableStream>;
  /** Subscriptions accepted by onSubscribe whose stream is not open yet (they count against the cap already). */
  pending: number;
  unwatch: (() => void) | null;
}

interface OperationContextValue {
  readonly gateway: GatewayContext;
  readonly plan: SubscriptionPlan | null;
  readonly socket: WebSocket;
  readonly connection: ConnectionState;
  /** The operation text after persisted-operation resolution. */
  readonly query: string;
}

const schemaReloaded = (): GraphQLError =>
  new GraphQLError('The schema was reloaded: subscribe again', { extensions: { code: ErrorCode.SUBSCRIPTION_SCHEMA_RELOAD } });
const accessEnded = (): GraphQLError => new GraphQLError('Your access to this subscription has ended', { extensions: { code: 'FORBIDDEN' } });

const CLOSE_SERVICE_RESTART = 1012;
const CLOSE_TRY_AGAIN_LATER = 1013;

function errorResult(message: string, code: ErrorCode): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code } })] };
}

/** The errors of an upstream `error` message (a list of formatted GraphQL errors), or null for other failures. */
function upstreamRefusal(error: unknown): ExecutionResult | null {
  if (!Array.isArray(error) || error.length === 0) return null;
  const errors = error.filter((e): e is { message: string; extensions?: Record<string, unknown> } => typeof (e as { message?: unknown }).message === 'string');
  if (errors.length !== error.length) return null;
  return { errors: errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} })) };
}

/**
 * Federated subscriptions on the gateway's /graphql endpoint over graphql-ws: each subscription is planned with the
 * Federation query planner, its root field subscribed upstream on the owning subgraph (shared between identical
 * subscriptions), and every event completed across subgraphs through the plan's entity fetches.
 */
export interface GatewaySubscriptions {
  close(): Promise<void>;
  /** Ends every open subscription cleanly (a last error, then complete): the schema they were planned on is gone. */
  endAll(reason: 'schema-reload'): void;
  readonly connections: number;
}

export function serveGatewaySubscriptions(options: SubscriptionServerOptions): GatewaySubscriptions {
  const maxSubs = options.maxSubscriptionsPerConnection ?? 25;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const maxQueued = options.maxQueuedEvents ?? 100;
  const states = new WeakMap<object, ConnectionState>();
  const open = new Set<ConnectionState>();
  const activeGauge = options.metrics.gauge('gateway_subscriptions_active', 'Active client subscriptions on the gateway');
  const eventsCounter = options.metrics.counter('gateway_subscription_events_total', 'Subscription events delivered by outcome', ['outcome']);
  const wss = new WebSocketServer({ server: options.server, path: options.path ?? '/graphql', maxPayload: 256 * 1024 });
  const stateOf = (ctx: WsContext<Record<string, unknown>, Extra>): ConnectionState => {
    let state = states.get(ctx);
    if (!state) states.set(ctx, (state = { context: null, streams: new Set(), pending: 0, unwatch: null }));
    return state;
  };

  function subscribeIterator(value: OperationContextValue, variables: Record<string, unknown>): AsyncIterableIterator<ExecutionResult> {
    const plan = value.plan as SubscriptionPlan;
    const queue: ExecutionResult[] = [];
    const waiters: ((r: IteratorResult<ExecutionResult>) => void)[] = [];
    let done = false;
    let chain = Promise.resolve();
    const upstreamVariables: Record<string, unknown> = {};
    for (const name of plan.primary.variableUsages ?? []) if (name in variables) upstreamVariables[name] = variables[name];

    const finish = () => {
      if (done) return;
      done = true;
      unsubscribe();
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
    };
    const push = (result: ExecutionResult) => {
      if (done) return;
      if (value.socket.bufferedAmount > maxBuffered) {
        eventsCounter.inc({ outcome: 'dropped_slow' });
        value.socket.close(CLOSE_TRY_AGAIN_LATER, 'Consumer too slow');
        finish();
        return;
      }
      const waiter = waiters.shift();
      if (waiter) {
        eventsCounter.inc({ outcome: 'delivered' });
        waiter({ value: result, done: false });
        return;
      }
      if (queue.length >= maxQueued) {
        eventsCounter.inc({ outcome: 'dropped_slow' });
        queue.length = 0;
        queue.push(errorResult('Subscriber too slow: events were dropped and the subscription ended', 'SLOW_CONSUMER'));
        done = true;
        unsubscribe();
        return;
      }
      eventsCounter.inc({ outcome: 'delivered' });
      queue.push(result);
    };
    const unsubscribe = options.pool.subscribe(
      {
        serviceName: plan.primary.serviceName,
        url: options.serviceUrl(plan.primary.serviceName),
        query: plan.primary.operation,
        variables: upstreamVariables,
        authorization: value.gateway.authorization,
      },
      {
        next: (event) => {
          chain = chain
            .then(() => completeEvent({ plan, state: options.planner.state, services: options.services(), event, variables, context: value.gateway, logger: options.logger }))
            .then(push, (error: unknown) => {
              options.logger.error({ err: error }, 'subscription event completion failed');
              push(errorResult('Internal server error', 'INTERNAL_SERVER_ERROR'));
            });
        },
        error: (error) => {
          // The owning subgraph refused the operation (an `error` message: rights, scopes, input): its coded errors
          // reach the client as they are (the formatter masks anything uncoded); a broken connection is our failure.
          const refused = upstreamRefusal(error);
          if (!refused) options.logger.warn({ err: error }, 'upstream subscription failed');
          chain = chain.then(() => {
            push(refused ?? errorResult('The subscription source failed', 'UPSTREAM_SUBSCRIPTION_FAILED'));
            finish();
          });
        },
        complete: () => {
          chain = chain.then(finish);
        },
      },
    );
    activeGauge.inc();
    let counted = true;
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => {
        const next = queue.shift();
        if (next) return Promise.resolve({ value: next, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return: async () => {
        finish();
        if (counted) activeGauge.dec();
        counted = false;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  const refuse = (error: unknown): GraphQLError[] => {
    if (!(error instanceof GraphQLError)) options.logger.error({ err: error }, 'subscribe message failed');
    return [asGraphQLError(error)];
  };

  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: () => options.planner.state.apiGraphQLSchema,
      ...wsErrorHooks(options.formatError),
      onConnect: async (ctx) => {
        const state = stateOf(ctx);
        try {
          state.context = await options.authenticate(ctx.connectionParams ?? {}, ctx.extra.request);
        } catch (error) {
          options.logger.info({ reason: (error as Error).message }, 'subscription connection refused');
          return false;
        }
        const viewer = state.context.viewer;
        if (viewer) {
          // Access that ends (session, key, a role) ends the connection's subscriptions within the revocation delay.
          state.unwatch = options.access.watch(viewer.userId, () => {
            if (!accessNarrowed(options.access, viewer)) return;
            for (const stream of state.streams) stream.end(accessEnded());
          });
        }
        open.add(state);
        return true;
      },
      onClose: (ctx) => {
        const state = stateOf(ctx);
        state.unwatch?.();
        open.delete(state);
      },
      onSubscribe: (ctx, _id, payload) => {
        try {
          const state = stateOf(ctx);
          const gateway = state.context;
          if (!gateway) return [new GraphQLError('Not connected', { extensions: { code: 'UNAUTHENTICATED' } })];
          // The identity is checked again for every operation: a revoked token stops working on an open socket too.
          if (gateway.viewer) options.access.current(gateway.viewer);
          const gated = options.gate.check(payload, gateway);
          if (!isGated(gated)) return [...gated];
          let plan: SubscriptionPlan | null = null;
          if (gated.operation.operation === 'subscription') {
            if (state.streams.size + state.pending >= maxSubs) {
              return [new GraphQLError(`At most ${maxSubs} subscriptions per connection`, { extensions: { code: 'SUBSCRIPTION_LIMIT' } })];
            }
            try {
              plan = options.planner.plan(gated.query, payload.operationName);
            } catch (error) {
              if (error instanceof SubscriptionPlanningError) return [...error.errors];
              throw error;
            }
            state.pending += 1;
          }
          const contextValue: OperationContextValue = { gateway, plan, socket: ctx.extra.socket, connection: state, query: gated.query };
          const args: ExecutionArgs = {
            schema: options.planner.state.apiGraphQLSchema,
            document: gated.document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? {},
            contextValue,
          };
          return args;
        } catch (error) {
          return refuse(error);
        }
      },
      subscribe: (args) => {
        const value = args.contextValue as OperationContextValue;
        const connection = value.connection;
        connection.pending = Math.max(0, connection.pending - 1);
        const stream = endableStream(
          subscribeIterator(value, (args.variableValues ?? {}) as Record<string, unknown>),
          (error) => refuse(error)[0] as GraphQLError,
          () => connection.streams.delete(stream),
        );
        connection.streams.add(stream);
        return stream;
      },
      execute: async (args) => {
        const value = args.contextValue as OperationContextValue;
        try {
          return await options.executeOperation({ query: value.query, variables: (args.variableValues ?? {}) as Record<string, unknown>, operationName: args.operationName ?? null }, value.gateway);
        } catch (error) {
          return { errors: refuse(error) };
        }
      },
    },
    wss,
    // Keep-alive: graphql-ws pings every interval and terminates sockets that miss a pong.
    options.pingIntervalMs ?? 12_000,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    endAll() {
      for (const state of open) for (const stream of state.streams) stream.end(schemaReloaded());
    },
    async close() {
      // Tell clients to reconnect elsewhere (1012 Service Restart is retryable for graphql-ws clients).
      for (const socket of wss.clients) socket.close(CLOSE_SERVICE_RESTART, 'Service restart');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
