// First: Apollo's entry modules get plain exports before @apollo/gateway loads (plain-apollo-exports.ts says why),
// then the kit, whose node-create-hash.ts must run before @apollo/server loads.
import { gatewayLoadedFirst } from './plain-apollo-exports.ts';
import {
  hashModulesLoadedFirst,
  createErrorFormatter,
  createLogger,
  createMetrics,
  metricsPlugin,
  startServiceServer,
  verifierFromConfig,
  initTracing,
  withAccessView,
  wellFormedInputPlugin,
  eventBusFromConfig,
  httpRevocationSource,
  operationLabeler,
  RevocationSync,
  Resources,
  type ErrorFormatter,
  type EventBus,
  type RevocationSource,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
  type RunningServer,
  apolloHandler,
  type RouteHandler,
  type ReadinessCheck,
} from '@vegshare/kit/gateway';
import { ApolloGateway, type ServiceMap } from '@apollo/gateway';
import type { QueryPlanner } from '@apollo/query-planner';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayConfig } from './env.ts';
import type { GatewayContext } from './context.ts';
import { fileSupergraph } from './supergraph-source.ts';
import { SubgraphDataSource, type FetchCounter } from './subgraph-data-source.ts';
import { subgraphUrls } from './subgraph-urls.ts';
import { explorerRoutes } from './explorer-route.ts';
import { createMediaProxy, mediaOrigin } from './media-proxy.ts';
import { sharedReadKey } from './shared-reads.ts';
import { createSubgraphFetcher } from './subgraph-fetcher.ts';
import { subscriptionsOverWebSocketOnly } from './subscriptions/http-guard.ts';
import { operationResolution } from './operation-resolution.ts';
import { ApiKeyExchanger } from './api-keys.ts';
import { callerContext, connectionHeaders } from './caller-context.ts';
import { clientIpResolver } from './client-ip.ts';
import { OperationGate } from './operation-gate.ts';
import { InputScalarCheck } from './input-scalars.ts';
import { capHeapGrowth } from './heap-growth.ts';
import { serveGatewaySubscriptions, type GatewaySubscriptions } from './subscriptions/subscription-server.ts';
import { oauthProxyRoutes } from './oauth-proxy.ts';
import { createRateLimits } from './rate-limits.ts';
import { operationLimitRules, defaultOperationLimits } from './operation-limits.ts';
import { fileURLToPath } from 'node:url';
import { SubscriptionPlanner } from './subscriptions/subscription-planner.ts';
import { UpstreamPool } from './subscriptions/upstream-pool.ts';
import { loadPersistedOperations, type PersistedOperations } from './persisted/manifest.ts';
import { persistedOperationsPolicy, type PersistedOperationsPolicy } from './persisted/safelist.ts';
import { redisApqCache } from './persisted/redis-apq-cache.ts';
import type { ExecutionResult, ValidationRule } from 'graphql';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface GatewayDeps {
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  readonly verifier?: TokenVerifier;
  /** The services' event bus (revocations arrive on it); built from REDIS_URL when absent. */
  readonly events?: EventBus;
  /** Where revocations are caught up from; default: the auth service's /internal/revocations. */
  readonly revocationSource?: RevocationSource;
}

export interface RunningGateway extends RunningServer {
  /** Live counts: client WebSocket connections and distinct upstream subscriptions. */
  readonly subscriptions: {
    readonly connections: number;
    /** Distinct callers among the connections (each holds one context and one revocation watch). */
    readonly callers: number;
    readonly upstreams: number;
    readonly sharedResults: number;
  };
  stop(graceMs?: number): Promise<void>;
}

type CallerContext = (headers: IncomingHttpHeaders, clientIp: string) => Promise<GatewayContext>;
type ClientIpOf = (req: IncomingMessage) => string;
type DataSourceFactory = (name: string, url: string) => SubgraphDataSource;

/** What ended since a token was issued (sessions, API keys, roles): fed by auth's events, caught up from auth. */
function revocationSync(config: GatewayConfig, deps: GatewayDeps, events: EventBus, logger: Logger): RevocationSync {
  return new RevocationSync({
    bus: events,
    source:
      deps.revocationSource ??
      httpRevocationSource({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET }),
    logger,
    syncMs: config.REVOCATION_SYNC_SECONDS * 1000,
    maxStaleMs: config.REVOCATION_MAX_STALE_SECONDS * 1000,
  });
}

/** Data sources for subgraph calls: one pooled fetcher, fetches counted by subgraph and outcome. */
function subgraphDataSources(
  config: GatewayConfig,
  metrics: ServiceMetrics,
): { dataSource: DataSourceFactory; close(): Promise<void> } {
  const fetches = metrics.counter(
    'gateway_subgraph_fetches_total',
    'Subgraph fetches by subgraph and outcome (sent, or deduplicated onto an identical one in flight)',
    ['subgraph', 'outcome'],
  );
  const counter: FetchCounter = {
    sent: (subgraph) => fetches.inc({ subgraph, outcome: 'sent' }),
    deduplicated: (subgraph) => fetches.inc({ subgraph, outcome: 'deduplicated' }),
  };
  const subgraphFetcher = createSubgraphFetcher();
  return {
    dataSource: (name, url) =>
      new SubgraphDataSource(url, config.GATEWAY_SECRET, name, subgraphFetcher, counter, config.DEDUP_ENABLED),
    close: () => subgraphFetcher.close(),
  };
}

/**
 * What the gateway derives from each supergraph it loads (at start and at every hot reload): the subscription plans,
 * the input scalar rules, the subgraph URLs and data sources, and a check of the persisted operations against it.
 */
class LoadedSupergraph {
  /** Subscriptions are planned from the same supergraph, and partner operations checked against it, at every hot reload. */
  readonly planner = new SubscriptionPlanner();
  readonly scalarCheck = new InputScalarCheck();
  services: ServiceMap = {};
  urls = new Map<string, string>();
  #loads = 0;

  constructor(
    private readonly options: {
      readonly overrides: Readonly<Record<string, string>>;
      readonly dataSource: DataSourceFactory;
      /** The gateway's query planner for the supergraph just loaded (its schema model is shared, not built again). */
      readonly queryPlanner: () => QueryPlanner | undefined;
      readonly persisted: PersistedOperationsPolicy;
      /** Called on every reload after the first load. */
      readonly onReload: () => void;
    },
  ) {}

  /** Subscribe to ApolloGateway's `onSchemaLoadOrUpdate`. */
  readonly load = ({ apiSchema }: Parameters<Parameters<ApolloGateway['onSchemaLoadOrUpdate']>[0]>[0]): void => {
    // The gateway has built its query planner for this supergraph before it calls its listeners.
    const queryPlanner = this.options.queryPlanner();
    if (!queryPlanner) throw new Error('the gateway loaded a supergraph without a query planner');
    const supergraph = queryPlanner.supergraph;
    this.planner.update(queryPlanner, apiSchema);
    this.scalarCheck.update(apiSchema);
    if (this.#loads++ > 0) this.options.onReload();
    this.urls = subgraphUrls(supergraph, this.options.overrides);
    this.services = Object.fromEntries([...this.urls].map(([name, url]) => [name, this.options.dataSource(name, url)]));
    this.options.persisted.checkSchema(apiSchema);
  };
}

interface ApolloSetup {
  readonly gateway: ApolloGateway;
  readonly persisted: PersistedOperationsPolicy;
  readonly persistedOperations: PersistedOperations;
  readonly scalarCheck: InputScalarCheck;
  readonly limitRules: ValidationRule[];
  readonly formatError: ErrorFormatter;
  readonly apq: ReturnType<typeof redisApqCache> | null;
}

/** Apollo Server over the gateway with the HTTP pipeline's plugins; started (the supergraph is loaded) on return. */
async function startApollo(
  config: GatewayConfig,
  metrics: ServiceMetrics,
  setup: ApolloSetup,
): Promise<ApolloServer<GatewayContext>> {
  const labeler = operationLabeler({ known: setup.persistedOperations.operations.map((op) => op.name) });
  const apollo = new ApolloServer<GatewayContext>({
    gateway: setup.gateway,
    includeStacktraceInErrorResponses: false,
    formatError: setup.formatError,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      metricsPlugin<GatewayContext>(metrics, labeler),
      subscriptionsOverWebSocketOnly<GatewayContext>(),
      setup.persisted.plugin,
      operationResolution<GatewayContext>(),
      wellFormedInputPlugin<GatewayContext>(),
      setup.scalarCheck.plugin(),
    ],
    persistedQueries: { ttl: config.APQ_TTL_SECONDS, ...(setup.apq ? { cache: setup.apq.cache } : {}) },
    validationRules: setup.limitRules,
    parseOptions: { maxTokens: defaultOperationLimits.maxTokens },
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
  });
  await apollo.start();
  return apollo;
}

/** /ready: the revocation view is current and every subgraph of the loaded supergraph answers its /health. */
function readinessChecks(revocations: RevocationSync, supergraph: LoadedSupergraph): ReadinessCheck[] {
  return [
    {
      name: 'revocations',
      check: async () => {
        if (!revocations.isCurrent()) throw new Error('revocation view is stale (no events and no catch-up from auth)');
      },
    },
    {
      name: 'subgraphs',
      check: async () => {
        const down: string[] = [];
        await Promise.all(
          [...supergraph.urls].map(async ([name, url]) => {
            const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1500) }).catch(() => null);
            if (!res?.ok) down.push(name);
          }),
        );
        if (down.length) throw new Error(`unreachable: ${down.sort().join(', ')}`);
      },
    },
  ];
}

/** Every HTTP route: /graphql, the OAuth endpoints passed on to auth, the partner explorer and the media proxy. */
function httpRoutes(
  config: GatewayConfig,
  parts: {
    apollo: ApolloServer<GatewayContext>;
    context: (req: IncomingMessage) => Promise<GatewayContext>;
    onShared: () => void;
    clientIpOf: ClientIpOf;
    logger: Logger;
    mediaRoutes: Readonly<Record<string, RouteHandler>>;
  },
): Record<string, RouteHandler> {
  return {
    '/graphql': apolloHandler({
      server: parts.apollo,
      context: parts.context,
      ...(config.DEDUP_ENABLED ? { sharedExecutionKey: sharedReadKey() } : {}),
      onShared: parts.onShared,
      compression: config.COMPRESSION_ENABLED ? { minBytes: config.COMPRESSION_MIN_BYTES } : false,
    }),
    ...oauthProxyRoutes({
      authUrl: config.AUTH_INTERNAL_URL,
      gatewaySecret: config.GATEWAY_SECRET,
      logger: parts.logger,
      clientIpOf: parts.clientIpOf,
    }),
    ...(config.EXPLORER_ENABLED ? explorerRoutes(fileURLToPath(new URL('../explorer/dist', import.meta.url))) : {}),
    ...parts.mediaRoutes,
  };
}

/** Queries and mutations sent over the socket, run through Apollo Server like HTTP ones. */
const executeThroughApollo =
  (apollo: ApolloServer<GatewayContext>) =>
  async (
    request: { query: string; variables: Record<string, unknown>; operationName: string | null },
    contextValue: GatewayContext,
  ): Promise<ExecutionResult> => {
    const response = await apollo.executeOperation(
      {
        query: request.query,
        variables: request.variables,
        ...(request.operationName ? { operationName: request.operationName } : {}),
      },
      { contextValue },
    );
    if (response.body.kind !== 'single') return { errors: [] } as ExecutionResult;
    return response.body.singleResult as ExecutionResult;
  };

/** graphql-ws on the gateway's HTTP server: subscriptions planned from the loaded supergraph, the same gate and callers as HTTP. */
function serveSubscriptions(
  config: GatewayConfig,
  parts: {
    server: RunningServer['server'];
    supergraph: LoadedSupergraph;
    pool: UpstreamPool;
    limitRules: ValidationRule[];
    persisted: PersistedOperationsPolicy;
    formatError: ErrorFormatter;
    revocations: RevocationSync;
    contextFrom: CallerContext;
    clientIpOf: ClientIpOf;
    apollo: ApolloServer<GatewayContext>;
    logger: Logger;
    metrics: ServiceMetrics;
  },
): GatewaySubscriptions {
  const { supergraph, contextFrom, clientIpOf } = parts;
  return serveGatewaySubscriptions({
    server: parts.server,
    planner: supergraph.planner,
    pool: parts.pool,
    services: () => supergraph.services,
    serviceUrl: (name) => supergraph.urls.get(name) ?? '',
    gate: new OperationGate({
      schema: () => supergraph.planner.state.apiGraphQLSchema,
      rules: parts.limitRules,
      maxTokens: defaultOperationLimits.maxTokens,
      persisted: parts.persisted,
      hideSchemaDetails: config.NODE_ENV === 'production',
      scalars: supergraph.scalarCheck,
    }),
    formatError: parts.formatError,
    access: parts.revocations.view,
    clientOf: (request) => ({ clientIp: clientIpOf(request), userAgent: request.headers['user-agent'] ?? null }),
    authenticate: (params, client) => contextFrom(connectionHeaders(params, client.userAgent), client.clientIp),
    executeOperation: executeThroughApollo(parts.apollo),
    logger: parts.logger,
    metrics: parts.metrics,
    shareAcrossCallers: config.SUBSCRIPTION_SHARING,
    maxConnectionsPerClient: config.WS_MAX_CONNECTIONS_PER_IP,
  });
}

/** What the HTTP and WebSocket sides share from the Apollo side: the server, the loaded supergraph and the rules. */
interface ApolloSide {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly supergraph: LoadedSupergraph;
  readonly persisted: PersistedOperationsPolicy;
  readonly limitRules: ValidationRule[];
  readonly formatError: ErrorFormatter;
}

/**
 * Apollo Gateway over the supergraph file, on Apollo Server with the persisted-operations policy, the operation limits
 * and the APQ cache; the cache and the server are registered on `resources` (stopping Apollo Server stops the
 * gateway's supergraph source too).
 */
async function startApolloSide(
  config: GatewayConfig,
  resources: Resources,
  parts: {
    readonly persistedOperations: PersistedOperations;
    readonly sources: { readonly dataSource: DataSourceFactory };
    readonly logger: Logger;
    readonly metrics: ServiceMetrics;
    /** Called on every supergraph reload after the first load. */
    readonly onReload: () => void;
  },
): Promise<ApolloSide> {
  const { persistedOperations, sources, logger, metrics } = parts;
  // One rules object for both transports: Apollo Server validates HTTP operations with it, the gate WebSocket ones.
  const limitRules = operationLimitRules();
  const formatError = createErrorFormatter(logger);
  const persisted = persistedOperationsPolicy({
    operations: persistedOperations,
    mode: config.SAFELIST_MODE,
    metrics,
    logger,
    validationRules: limitRules,
  });
  const supergraph = new LoadedSupergraph({
    overrides: config.SUBGRAPH_URLS,
    dataSource: sources.dataSource,
    // A public accessor of @apollo/gateway (named for tests): the planner it has just built for the loaded supergraph.
    queryPlanner: () => gateway.__testing().queryPlanner,
    persisted,
    onReload: parts.onReload,
  });
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(config.SUPERGRAPH_PATH, logger),
    buildService: ({ name, url }) => sources.dataSource(name, config.SUBGRAPH_URLS[name] ?? url ?? ''),
    logger,
  });
  gateway.onSchemaLoadOrUpdate(supergraph.load);
  // APQ: Apollo's bounded in-memory cache in each replica, or one cache in Redis that every replica shares.
  const apq = config.REDIS_URL
    ? resources.add(
        'APQ cache',
        redisApqCache({ url: config.REDIS_URL, keyPrefix: config.APQ_REDIS_PREFIX, logger }),
        (c) => c.close(),
      )
    : null;
  const apollo = resources.add(
    'apollo',
    await startApollo(config, metrics, {
      gateway,
      persisted,
      persistedOperations,
      scalarCheck: supergraph.scalarCheck,
      limitRules,
      formatError,
      apq,
    }),
    (a) => a.stop(),
  );
  return { apollo, supergraph, persisted, limitRules, formatError };
}

/** Who calls: a verified token, or a partner API key exchanged with auth and held to its rate limit (registered). */
function callersOf(
  config: GatewayConfig,
  resources: Resources,
  parts: { readonly verifier: TokenVerifier; readonly logger: Logger; readonly metrics: ServiceMetrics },
): CallerContext {
  const { logger, metrics } = parts;
  const limits = resources.add(
    'rate limits',
    createRateLimits({
      redisUrl: config.REDIS_URL,
      perKeyPerMinute: config.API_KEY_RATE_LIMIT_PER_MINUTE,
      logger,
      metrics,
    }),
    (l) => l.close(),
  );
  const exchanger = new ApiKeyExchanger({
    authUrl: config.AUTH_INTERNAL_URL,
    gatewaySecret: config.GATEWAY_SECRET,
    logger,
  });
  return callerContext({ verifier: parts.verifier, exchanger, limits });
}

/** The gateway's HTTP side: the kit's HTTP shell with every route, and graphql-ws on the same server. */
interface GatewayHttp {
  readonly server: RunningServer;
  readonly subscriptions: GatewaySubscriptions;
  /** Ends the client subscriptions, then lets in-flight requests finish (up to `graceMs`) and closes the server. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the HTTP side; if graphql-ws cannot be served on it, the server is closed before the error goes on. */
async function startHttp(
  config: GatewayConfig,
  serverOptions: Parameters<typeof startServiceServer>[0],
  subscriptionParts: Omit<Parameters<typeof serveSubscriptions>[1], 'server'>,
): Promise<GatewayHttp> {
  const server = await startServiceServer(serverOptions);
  let subscriptions: GatewaySubscriptions;
  try {
    subscriptions = serveSubscriptions(config, { ...subscriptionParts, server: server.server });
  } catch (error) {
    await server.close(0);
    throw error;
  }
  return {
    server,
    subscriptions,
    async stop(graceMs) {
      await subscriptions.close();
      await server.close(graceMs);
    },
  };
}

/**
 * Starts the gateway: Apollo Gateway on Apollo Server, served by the kit's HTTP shell on one /graphql endpoint.
 * What it opens is registered on the kit's Resources in the order it opens them, as every subgraph's is: stop drains
 * HTTP first (readiness turns false, in-flight requests and subscriptions finish while everything they use is still
 * open), then the kit closes the rest last opened first; a failed start closes what was opened so far.
 */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<RunningGateway> {
  // First, so that an inconsistent manifest refuses the start before anything is opened.
  const persistedOperations = loadPersistedOperations(config.PERSISTED_OPERATIONS_PATH);
  // Peak memory under load: V8's heap growth capped at 2× on large hosts (issue 17).
  if (config.HEAP_GROWTH_CAP) capHeapGrowth();
  const logger = deps.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('gateway');
  const resources = new Resources(logger);
  if (gatewayLoadedFirst)
    logger.warn('@apollo/gateway was loaded before gateway.ts: it reads Apollo exports through getters (slower)');
  if (hashModulesLoadedFirst.length)
    logger.warn(
      { modules: hashModulesLoadedFirst },
      '@apollo/utils.createhash was loaded before the kit: Apollo resolves the crypto module at every hash (slower)',
    );
  return resources.build(async () => {
    // Registered first, so closed last: spans of the shutdown itself are exported.
    resources.add('tracing', initTracing('gateway', config.OTEL_EXPORTER_OTLP_ENDPOINT), (t) => t.shutdown());
    const events =
      deps.events ??
      resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger, config.EVENT_PREFIX), (b) => b.close());
    const revocations = resources.add('revocation feed', revocationSync(config, deps, events, logger), (r) => r.stop());
    await revocations.start();
    const verifier = withAccessView(deps.verifier ?? verifierFromConfig(config), revocations.view);
    const clientIpOf = clientIpResolver(config.TRUSTED_PROXIES);
    const sources = resources.add('subgraph fetcher', subgraphDataSources(config, metrics), (f) => f.close());

    let subscriptions: GatewaySubscriptions | null = null;
    const { apollo, supergraph, persisted, limitRules, formatError } = await startApolloSide(config, resources, {
      persistedOperations,
      sources,
      logger,
      metrics,
      // Subscriptions planned on the previous schema end cleanly; clients subscribe again against the new one.
      onReload: () => subscriptions?.endAll('schema-reload'),
    });
    const contextFrom = callersOf(config, resources, { verifier, logger, metrics });
    const sharedRequests = metrics.counter(
      'gateway_requests_shared_total',
      'Client reads answered by an identical read already in flight',
    );
    const media = resources.add(
      'media proxy',
      createMediaProxy({
        upstream: () => config.MEDIA_UPSTREAM_URL ?? mediaOrigin(supergraph.urls.get('streaming')),
        logger,
      }),
      (m) => m.close(),
    );
    const pool = resources.add('upstream subscriptions', new UpstreamPool(config.GATEWAY_SECRET, logger), (p) =>
      p.close(),
    );
    const http = await startHttp(
      config,
      {
        name: 'gateway',
        port: config.PORT,
        host: config.HOST,
        logger,
        metrics,
        metricsPort: config.METRICS_PORT,
        metricsHost: config.METRICS_HOST,
        readiness: readinessChecks(revocations, supergraph),
        routes: httpRoutes(config, {
          apollo,
          context: (req) => contextFrom(req.headers, clientIpOf(req)),
          onShared: () => sharedRequests.inc(),
          clientIpOf,
          logger,
          mediaRoutes: media.routes,
        }),
      },
      {
        supergraph,
        pool,
        limitRules,
        persisted,
        formatError,
        revocations,
        contextFrom,
        clientIpOf,
        apollo,
        logger,
        metrics,
      },
    );
    subscriptions = http.subscriptions;
    const open = http.subscriptions;
    return {
      ...http.server,
      get subscriptions() {
        return {
          connections: open.connections,
          callers: open.callers,
          upstreams: pool.upstreamCount,
          sharedResults: open.sharedResults,
        };
      },
      async stop(graceMs) {
        await http.stop(graceMs).catch((err: unknown) => logger.warn({ err }, 'HTTP did not stop cleanly'));
        await resources.close();
      },
    };
  });
}
