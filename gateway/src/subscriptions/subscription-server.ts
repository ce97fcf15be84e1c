import type { IncomingMessage, Server } from 'node:http';
import type { ServiceMap } from '@apollo/gateway';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Context as WsContext, ServerOptions, SubscribePayload } from 'graphql-ws';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import {
  accessNarrowed,
  asGraphQLError,
  ErrorCode,
  subscriptionAccessEnded,
  wsErrorHooks,
  type ErrorFormatter,
  type Logger,
  type RevocationView,
  type ServiceMetrics,
} from '@vegshare/kit/gateway';
import { isGated, type OperationGate } from '../operation-gate.ts';
import type { GatewayContext } from '../context.ts';
import { type SubscriptionPlanner, SubscriptionPlanningError, type SubscriptionPlan } from './subscription-planner.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import { SubscriptionFanout } from './fanout.ts';
import { clientSubscription, type ClientSubscription } from './client-subscription.ts';

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
  readonly authenticate: (
    params: Readonly<Record<string, unknown>>,
    request: IncomingMessage,
  ) => Promise<GatewayContext>;
  /** Queries and mutations sent over the socket run through the HTTP pipeline. */
  readonly executeOperation: (
    request: { query: string; variables: Record<string, unknown>; operationName: string | null },
    context: GatewayContext,
  ) => Promise<ExecutionResult>;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly maxSubscriptionsPerConnection?: number;
  readonly pingIntervalMs?: number;
  /** A client whose socket has more than this many bytes unsent is too slow and is dropped (it may reconnect). */
  readonly maxBufferedBytes?: number;
  /** Share caller-independent results between callers (default true; see fanout.ts). */
  readonly shareAcrossCallers?: boolean;
}

interface ConnectionState {
  context: GatewayContext | null;
  /** Open subscriptions of the connection, to end them from outside (access ended, schema reloaded). */
  readonly streams: Set<ClientSubscription>;
  /** Subscriptions accepted by onSubscribe whose stream is not open yet (they count against the cap already). */
  pending: number;
  unwatch: (() => void) | null;
}

interface OperationContextValue {
  readonly gateway: GatewayContext;
  readonly plan: SubscriptionPlan | null;
  readonly id: string;
  readonly ws: WsContext<Record<string, unknown>, Extra>;
  readonly connection: ConnectionState;
  /** The operation text after persisted-operation resolution. */
  readonly query: string;
}

type Ctx = WsContext<Record<string, unknown>, Extra>;

const schemaReloaded = (): GraphQLError =>
  new GraphQLError('The schema was reloaded: subscribe again', {
    extensions: { code: ErrorCode.SUBSCRIPTION_SCHEMA_RELOAD },
  });

const CLOSE_SERVICE_RESTART = 1012;

/**
 * Federated subscriptions on the gateway's /graphql endpoint over graphql-ws: each subscription is planned with the
 * Federation query planner and joins the fan-out (fanout.ts), which subscribes the root field upstream on the owning
 * subgraph and completes every event across subgraphs once per distinct (operation + variables, rights class).
 */
export interface GatewaySubscriptions {
  close(): Promise<void>;
  /** Ends every open subscription cleanly (a last error, then complete): the schema they were planned on is gone. */
  endAll(reason: 'schema-reload'): void;
  readonly connections: number;
  /** Distinct results computed per event (operation + variables + rights class). */
  readonly sharedResults: number;
}

/** Per-connection state: who is connected (onConnect) and what runs on the socket. */
function connections(options: SubscriptionServerOptions) {
  const states = new WeakMap<object, ConnectionState>();
  const open = new Set<ConnectionState>();
  const stateOf = (ctx: Ctx): ConnectionState => {
    let state = states.get(ctx);
    if (!state) states.set(ctx, (state = { context: null, streams: new Set(), pending: 0, unwatch: null }));
    return state;
  };
  const onConnect = async (ctx: Ctx): Promise<boolean> => {
    const state = stateOf(ctx);
    try {
      state.context = await options.authenticate(ctx.connectionParams ?? {}, ctx.extra.request);
    } catch (error) {
      options.logger.info({ reason: (error as Error).message }, 'subscription connection refused');
      return false;
    }
    const viewer = state.context.viewer;
    if (viewer) {
      // Access that ends (session, key, a role) ends the connection's subscriptions as soon as the change arrives.
      state.unwatch = options.access.watch(viewer.userId, () => {
        if (!accessNarrowed(options.access, viewer)) return;
        for (const stream of state.streams) stream.end(subscriptionAccessEnded());
      });
    }
    open.add(state);
    return true;
  };
  const onClose = (ctx: Ctx): void => {
    const state = stateOf(ctx);
    state.unwatch?.();
    open.delete(state);
  };
  return { stateOf, onConnect, onClose, open };
}

/** What graphql-ws runs for a `subscribe` message: the gate, then a plan for subscriptions, or errors for the client. */
function admit(options: SubscriptionServerOptions, maxSubs: number, refuse: (error: unknown) => GraphQLError[]) {
  return (
    ctx: Ctx,
    state: ConnectionState,
    id: string,
    payload: SubscribePayload,
  ): ExecutionArgs | readonly GraphQLError[] => {
    try {
      const gateway = state.context;
      if (!gateway) return [new GraphQLError('Not connected', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
      // The identity is checked again for every operation: a revoked token stops working on an open socket too.
      if (gateway.viewer) options.access.current(gateway.viewer);
      const gated = options.gate.check(payload, gateway);
      if (!isGated(gated)) return [...gated];
      let plan: SubscriptionPlan | null = null;
      if (gated.operation.operation === 'subscription') {
        if (state.streams.size + state.pending >= maxSubs) {
          return [
            new GraphQLError(`At most ${maxSubs} subscriptions per connection`, {
              extensions: { code: ErrorCode.SUBSCRIPTION_LIMIT },
            }),
          ];
        }
        try {
          plan = options.planner.plan(gated.query, payload.operationName);
        } catch (error) {
          if (error instanceof SubscriptionPlanningError) return [...error.errors];
          throw error;
        }
        state.pending += 1;
      }
      const contextValue: OperationContextValue = { gateway, plan, id, ws: ctx, connection: state, query: gated.query };
      return {
        schema: options.planner.state.apiGraphQLSchema,
        document: gated.document,
        operationName: payload.operationName ?? null,
        variableValues: payload.variables ?? {},
        contextValue,
      };
    } catch (error) {
      return refuse(error);
    }
  };
}

export function serveGatewaySubscriptions(options: SubscriptionServerOptions): GatewaySubscriptions {
  const maxSubs = options.maxSubscriptionsPerConnection ?? 25;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const activeGauge = options.metrics.gauge(
    'gateway_subscriptions_active',
    'Active client subscriptions on the gateway',
  );
  const fanout = new SubscriptionFanout({
    ...options,
    ...(options.shareAcrossCallers !== undefined ? { shareAcrossCallers: options.shareAcrossCallers } : {}),
  });
  const wss = new WebSocketServer({ server: options.server, path: options.path ?? '/graphql', maxPayload: 256 * 1024 });
  const conns = connections(options);
  const refuse = (error: unknown): GraphQLError[] => {
    if (!(error instanceof GraphQLError)) options.logger.error({ err: error }, 'subscribe message failed');
    return [asGraphQLError(error)];
  };
  const admitOperation = admit(options, maxSubs, refuse);

  const subscribe = (args: ExecutionArgs): ClientSubscription => {
    const value = args.contextValue as OperationContextValue;
    const { connection, plan, ws, id } = value;
    connection.pending = Math.max(0, connection.pending - 1);
    activeGauge.inc();
    const stream = clientSubscription({
      id,
      socket: ws.extra.socket as WebSocket,
      isRunning: () => id in ws.subscriptions,
      context: value.gateway,
      maxBufferedBytes: maxBuffered,
      join: (member) =>
        fanout.join(
          {
            plan: plan as SubscriptionPlan,
            operationKey: `${args.operationName ?? ''}\u0000${value.query}`,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
          },
          member,
        ),
      onSlow: () => fanout.dropped(),
      onFinish: () => {
        activeGauge.dec();
        connection.streams.delete(stream);
      },
    });
    connection.streams.add(stream);
    return stream;
  };

  const execute = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const value = args.contextValue as OperationContextValue;
    try {
      return await options.executeOperation(
        {
          query: value.query,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          operationName: args.operationName ?? null,
        },
        value.gateway,
      );
    } catch (error) {
      return { errors: refuse(error) };
    }
  };

  const serverOptions: ServerOptions<Record<string, unknown>, Extra> = {
    schema: () => options.planner.state.apiGraphQLSchema,
    ...wsErrorHooks(options.formatError),
    onConnect: conns.onConnect,
    onClose: conns.onClose,
    onSubscribe: (ctx, id, payload) => admitOperation(ctx, conns.stateOf(ctx), id, payload),
    subscribe,
    execute,
  };
  // Keep-alive: graphql-ws pings every interval and terminates sockets that miss a pong.
  const cleanup = useServer(serverOptions, wss, options.pingIntervalMs ?? 12_000);

  return {
    get connections() {
      return wss.clients.size;
    },
    get sharedResults() {
      return fanout.groups;
    },
    endAll() {
      for (const state of conns.open) for (const stream of state.streams) stream.end(schemaReloaded());
    },
    async close() {
      // Tell clients to reconnect elsewhere (1012 Service Restart is retryable for graphql-ws clients).
      for (const socket of wss.clients) socket.close(CLOSE_SERVICE_RESTART, 'Service restart');
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
