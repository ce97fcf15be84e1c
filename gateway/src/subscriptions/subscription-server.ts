import type { IncomingMessage, Server } from 'node:http';
import type { ServiceMap } from '@apollo/gateway';
import { WebSocketServer, type WebSocket } from 'ws';
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
  type Viewer,
} from '@vegshare/kit/gateway';
import { isGated, type OperationGate } from '../operation-gate.ts';
import type { GatewayContext } from '../context.ts';
import { type SubscriptionPlanner, SubscriptionPlanningError, type SubscriptionPlan } from './subscription-planner.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import { SubscriptionFanout } from './fanout.ts';
import { ClientSubscription, type SubscriptionHost } from './client-subscription.ts';
import { serveGraphqlWs, type TransportExtra } from './ws-transport.ts';
import { connectionsPerClient } from './connections-per-client.ts';

/** What the upgrade request says of the client: read once when the socket opens (the request is not kept). */
export interface ClientInfo {
  readonly clientIp: string;
  readonly userAgent: string | null;
}

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
  /** What a connection keeps of its upgrade request. */
  readonly clientOf: (request: IncomingMessage) => ClientInfo;
  /** Builds the caller's context from connection_init (token / API key); throws to refuse the connection. */
  readonly authenticate: (params: Readonly<Record<string, unknown>>, client: ClientInfo) => Promise<GatewayContext>;
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
  /** Open connections one client address may hold (0 or absent: no limit); past it the upgrade gets 429. */
  readonly maxConnectionsPerClient?: number;
}

/** One graphql-ws connection: its context's `extra` (graphql-ws keeps it as long as the socket is open). */
class Connection implements TransportExtra {
  /** The client as the upgrade request described it, until connection_init has used it. */
  client: ClientInfo | null;
  /** Who is connected (from connection_init), shared with that caller's other connections. */
  caller: Caller | null = null;
  /** Open subscriptions of the connection, to end them from outside (access ended, schema reloaded). */
  readonly streams = new Set<ClientSubscription>();
  /** Subscriptions accepted by onSubscribe whose stream is not open yet (they count against the cap already). */
  pending = 0;

  constructor(
    readonly socket: WebSocket,
    client: ClientInfo,
  ) {
    this.client = client;
  }

  get context(): GatewayContext | null {
    return this.caller?.context ?? null;
  }
}

/**
 * A caller — the same credentials, effective roles, address and user agent — and its open connections. Its
 * connections share one context (one verified viewer, one copy of the token) and one revocation watch: a browser
 * with many tabs, or one user's devices behind one address, cost one of each.
 */
interface Caller {
  readonly key: string;
  readonly context: GatewayContext;
  readonly connections: Set<Connection>;
  unwatch: (() => void) | null;
}

/**
 * Everything a context holds, so that connections share a caller only when their contexts would be equal: the same
 * token gives the same viewer up to its effective roles (a role change narrows the roles of later verifications).
 */
const callerKey = (context: GatewayContext): string =>
  [
    context.authorization ?? '',
    context.viaApiKey ? 'k' : '',
    context.viewer?.roles.join(',') ?? '',
    context.clientIp,
    context.userAgent ?? '',
  ].join('\u0000');

type Ctx = WsContext<Record<string, unknown>, Connection>;

interface OperationContextValue {
  readonly gateway: GatewayContext;
  readonly plan: SubscriptionPlan | null;
  readonly id: string;
  readonly ws: Ctx;
  /** The operation text after persisted-operation resolution. */
  readonly query: string;
}

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
  /** Distinct callers connected (credentials, roles, address, user agent): each holds one context and one watch. */
  readonly callers: number;
  /** Distinct results computed per event (operation + variables + rights class). */
  readonly sharedResults: number;
}

/** Who is connected (onConnect), per caller, and what runs on each socket. */
function connections(options: SubscriptionServerOptions) {
  const callers = new Map<string, Caller>();
  const open = new Set<Connection>();

  /** Access of a caller's user changed: if it narrowed, every subscription of its connections ends at once. */
  const accessChanged = (caller: Caller, viewer: Viewer): void => {
    if (!accessNarrowed(options.access, viewer)) return;
    for (const connection of caller.connections)
      for (const stream of connection.streams) stream.end(subscriptionAccessEnded());
  };
  const attach = (connection: Connection, context: GatewayContext): void => {
    const key = callerKey(context);
    let caller = callers.get(key);
    if (!caller) {
      const created: Caller = { key, context, connections: new Set(), unwatch: null };
      const viewer = context.viewer;
      // Access that ends (session, key, a role) ends the caller's subscriptions as soon as the change arrives.
      if (viewer) created.unwatch = options.access.watch(viewer.userId, () => accessChanged(created, viewer));
      callers.set(key, (caller = created));
    }
    caller.connections.add(connection);
    connection.caller = caller;
  };
  const detach = (connection: Connection): void => {
    const caller = connection.caller;
    if (!caller) return;
    caller.connections.delete(connection);
    if (caller.connections.size > 0) return;
    caller.unwatch?.();
    if (callers.get(caller.key) === caller) callers.delete(caller.key);
  };

  const onConnect = async (ctx: Ctx): Promise<boolean> => {
    const connection = ctx.extra;
    const client = connection.client ?? { clientIp: '', userAgent: null };
    connection.client = null;
    let context: GatewayContext;
    try {
      context = await options.authenticate(ctx.connectionParams ?? {}, client);
    } catch (error) {
      options.logger.info({ reason: (error as Error).message }, 'subscription connection refused');
      return false;
    } finally {
      // Read once: the token lives on in the caller's context, shared by its connections.
      Reflect.set(ctx, 'connectionParams', undefined);
    }
    if (connection.socket.readyState !== connection.socket.OPEN) return false;
    attach(connection, context);
    open.add(connection);
    return true;
  };
  const onClose = (ctx: Ctx): void => {
    detach(ctx.extra);
    open.delete(ctx.extra);
  };
  return {
    onConnect,
    onClose,
    open,
    get callers() {
      return callers.size;
    },
  };
}

/** What graphql-ws runs for a `subscribe` message: the gate, then a plan for subscriptions, or errors for the client. */
function admit(options: SubscriptionServerOptions, maxSubs: number, refuse: (error: unknown) => GraphQLError[]) {
  return (ctx: Ctx, id: string, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] => {
    const state = ctx.extra;
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
      const contextValue: OperationContextValue = { gateway, plan, id, ws: ctx, query: gated.query };
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
  const perClient = connectionsPerClient(options);
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path ?? '/graphql',
    maxPayload: 256 * 1024,
    verifyClient: perClient.verify,
  });
  wss.on('connection', perClient.opened);
  const conns = connections(options);
  const refuse = (error: unknown): GraphQLError[] => {
    if (!(error instanceof GraphQLError)) options.logger.error({ err: error }, 'subscribe message failed');
    return [asGraphQLError(error)];
  };
  const admitOperation = admit(options, maxSubs, refuse);
  const host: SubscriptionHost = {
    join: (request, member) => fanout.join(request, member),
    dropped: () => fanout.dropped(),
    maxBufferedBytes: maxBuffered,
    finished: () => activeGauge.dec(),
  };

  const subscribe = (args: ExecutionArgs): ClientSubscription => {
    const value = args.contextValue as OperationContextValue;
    const { plan, ws, id } = value;
    const connection = ws.extra;
    connection.pending = Math.max(0, connection.pending - 1);
    activeGauge.inc();
    const stream = new ClientSubscription(
      host,
      ws,
      id,
      {
        plan: plan as SubscriptionPlan,
        operationKey: `${args.operationName ?? ''}\u0000${value.query}`,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
      },
      value.gateway,
    );
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

  const serverOptions: ServerOptions<Record<string, unknown>, Connection> = {
    schema: () => options.planner.state.apiGraphQLSchema,
    ...wsErrorHooks(options.formatError),
    onConnect: conns.onConnect,
    onClose: conns.onClose,
    onSubscribe: admitOperation,
    subscribe,
    execute,
  };
  const transport = serveGraphqlWs(serverOptions, {
    wss,
    extraOf: (socket, request) => new Connection(socket, options.clientOf(request)),
    // Keep-alive: every socket is pinged each interval and terminated when it missed the previous pong.
    keepAliveMs: options.pingIntervalMs ?? 12_000,
    logger: options.logger,
  });

  return {
    get connections() {
      return wss.clients.size;
    },
    get callers() {
      return conns.callers;
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
      await transport.dispose();
    },
  };
}
