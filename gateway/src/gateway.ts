import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  createErrorFormatter,
  createLogger,
  createMetrics,
  metricsPlugin,
  startServiceServer,
  verifierFromConfig,
  initTracing,
  viewerFromHeaders,
  withAccessView,
  wellFormedInputPlugin,
  eventBusFromConfig,
  httpRevocationSource,
  operationLabeler,
  RevocationSync,
  type EventBus,
  type RevocationSource,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
  type RunningServer,
  apolloHandler,
} from '@vegshare/kit';
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
import { ApiKeyExchanger, invalidApiKey, keyId } from './api-keys.ts';
import { clientIpResolver } from './client-ip.ts';
import { OperationGate } from './operation-gate.ts';
import { InputScalarCheck } from './input-scalars.ts';
import { serveGatewaySubscriptions, type GatewaySubscriptions } from './subscriptions/subscription-server.ts';
import { oauthProxyRoutes } from './oauth-proxy.ts';
import { createRateLimits } from './rate-limits.ts';
import { operationLimitRules, defaultOperationLimits } from './operation-limits.ts';
import { fileURLToPath } from 'node:url';
import { SubscriptionPlanner } from './subscriptions/subscription-planner.ts';
import { UpstreamPool } from './subscriptions/upstream-pool.ts';
import { loadPersistedOperations } from './persisted/manifest.ts';
import { persistedOperationsPolicy } from './persisted/safelist.ts';
import { redisApqCache } from './persisted/redis-apq-cache.ts';
import type { ServiceMap } from '@apollo/gateway';
import type { ExecutionResult } from 'graphql';

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
  readonly subscriptions: { readonly connections: number; readonly upstreams: number };
  stop(graceMs?: number): Promise<void>;
}

/** Starts the gateway: Apollo Gateway on Apollo Server, served by the kit's HTTP shell on one /graphql endpoint. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<RunningGateway> {
  // First, so that an inconsistent manifest refuses the start before anything is opened.
  const persistedOperations = loadPersistedOperations(config.PERSISTED_OPERATIONS_PATH);
  const logger = deps.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('gateway');
  const tracing = initTracing('gateway', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const events = deps.events ?? eventBusFromConfig(config.REDIS_URL, logger);
  // What ended since a token was issued (sessions, API keys, roles): fed by auth's events, caught up from auth.
  const revocations = new RevocationSync({
    bus: events,
    source: deps.revocationSource ?? httpRevocationSource({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET }),
    logger,
    syncMs: config.REVOCATION_SYNC_SECONDS * 1000,
    maxStaleMs: config.REVOCATION_MAX_STALE_SECONDS * 1000,
  });
  await revocations.start();
  const verifier = withAccessView(deps.verifier ?? verifierFromConfig(config), revocations.view);
  const clientIpOf = clientIpResolver(config.TRUSTED_PROXIES);
  const fetches = metrics.counter('gateway_subgraph_fetches_total', 'Subgraph fetches by subgraph and outcome (sent, or deduplicated onto an identical one in flight)', ['subgraph', 'outcome']);
  const counter: FetchCounter = {
    sent: (subgraph) => fetches.inc({ subgraph, outcome: 'sent' }),
    deduplicated: (subgraph) => fetches.inc({ subgraph, outcome: 'deduplicated' }),
  };
  const subgraphFetcher = createSubgraphFetcher();
  const sharedRequests = metrics.counter('gateway_requests_shared_total', 'Client reads answered by an identical read already in flight');
  const dataSource = (name: string, url: string) => new SubgraphDataSource(url, config.GATEWAY_SECRET, name, counter, config.DEDUP_ENABLED, subgraphFetcher.fetcher);
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(config.SUPERGRAPH_PATH, logger),
    buildService: ({ name, url }) => dataSource(name, config.SUBGRAPH_URLS[name] ?? url ?? ''),
    logger,
  });
  // One rules object for both transports: Apollo Server validates HTTP operations with it, the gate WebSocket ones.
  const limitRules = operationLimitRules();
  const formatError = createErrorFormatter(logger);
  const persisted = persistedOperationsPolicy({ operations: persistedOperations, mode: config.SAFELIST_MODE, metrics, logger, validationRules: limitRules });
  let subscriptions: GatewaySubscriptions | null = null;
  // Subscriptions are planned from the same supergraph, and partner operations checked against it, at every hot reload.
  const planner = new SubscriptionPlanner();
  let services: ServiceMap = {};
  let urls = new Map<string, string>();
  let schemaLoads = 0;
  const scalarCheck = new InputScalarCheck();
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl, apiSchema }) => {
    planner.update(coreSupergraphSdl);
    scalarCheck.update(apiSchema);
    // Subscriptions planned on the previous schema end cleanly; clients subscribe again against the new one.
    if (schemaLoads++ > 0) subscriptions?.endAll('schema-reload');
    urls = subgraphUrls(coreSupergraphSdl, config.SUBGRAPH_URLS);
    services = Object.fromEntries([...urls].map(([name, url]) => [name, dataSource(name, url)]));
    persisted.checkSchema(apiSchema);
  });
  // APQ: Apollo's bounded in-memory cache in each replica, or one cache in Redis that every replica shares.
  const apq = config.REDIS_URL ? redisApqCache({ url: config.REDIS_URL, keyPrefix: config.APQ_REDIS_PREFIX, logger }) : null;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [ApolloServerPluginLandingPageDisabled(), metricsPlugin<GatewayContext>(metrics, operationLabeler({ known: persistedOperations.operations.map((op) => op.name) })), subscriptionsOverWebSocketOnly<GatewayContext>(), persisted.plugin, operationResolution<GatewayContext>(), wellFormedInputPlugin<GatewayContext>(), scalarCheck.plugin()],
    persistedQueries: { ttl: config.APQ_TTL_SECONDS, ...(apq ? { cache: apq.cache } : {}) },
    validationRules: limitRules,
    parseOptions: { maxTokens: defaultOperationLimits.maxTokens },
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
  });
  await apollo.start();

  const exchanger = new ApiKeyExchanger({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET, logger });
  const limits = createRateLimits({ redisUrl: config.REDIS_URL, perKeyPerMinute: config.API_KEY_RATE_LIMIT_PER_MINUTE, logger, metrics });
  /** The caller: a bearer token, or a partner API key exchanged for one; anonymous otherwise. */
  const contextFrom = async (headers: IncomingHttpHeaders, clientIp: string): Promise<GatewayContext> => {
    const apiKey = headers['x-api-key'];
    let authHeaders: IncomingHttpHeaders = headers;
    const viaApiKey = typeof apiKey === 'string' && !headers.authorization;
    if (viaApiKey) {
      await limits.consumeApiKey(keyId(apiKey));
      authHeaders = { authorization: await exchanger.authorizationFor(apiKey) };
    }
    let viewer;
    try {
      viewer = await viewerFromHeaders(authHeaders, verifier);
    } catch (error) {
      // A revoked key's cached token: forget it, so the next call asks auth (which refuses the key).
      if (viaApiKey) {
        exchanger.forget(apiKey);
        throw invalidApiKey();
      }
      throw error;
    }
    // A partner's OAuth client_credentials token (no session, the client's id as `akid`): limited per client, as a key is
    // per key. Counted only once the token is verified, so nobody spends another client's budget with a forged one.
    const sessionless = viewer !== null && viewer.sessionId === null;
    if (!viaApiKey && viewer?.sessionId === null && viewer.apiKeyId !== null) await limits.consumeOAuthClient(viewer.apiKeyId);
    return {
      viewer,
      authorization: viewer ? (authHeaders.authorization ?? null) : null,
      // A partner's OAuth client_credentials token (no session, like an exchanged API key) is the integration surface too.
      viaApiKey: viaApiKey || sessionless,
      clientIp,
      userAgent: headers['user-agent'] ?? null,
    };
  };
  const context = (req: IncomingMessage): Promise<GatewayContext> => contextFrom(req.headers, clientIpOf(req));

  const media = createMediaProxy({ upstream: () => config.MEDIA_UPSTREAM_URL ?? mediaOrigin(urls.get('streaming')), logger });
  const server = await startServiceServer({
    name: 'gateway',
    port: config.PORT,
    host: config.HOST,
    logger,
    metrics,
    metricsPort: config.METRICS_PORT,
    metricsHost: config.METRICS_HOST,
    readiness: [
      {
        name: 'revocations',
        check: async () => {
          if (!revocations.isCurrent()) throw new Error('revocation view is stale (no events and no catch-up from auth)');
        },
      },
      {
        name: 'subgraphs',
        check: async () => {
          const urls = subgraphUrls(readFileSync(config.SUPERGRAPH_PATH, 'utf8'), config.SUBGRAPH_URLS);
          const down: string[] = [];
          await Promise.all(
            [...urls].map(async ([name, url]) => {
              const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1500) }).catch(() => null);
              if (!res?.ok) down.push(name);
            }),
          );
          if (down.length) throw new Error(`unreachable: ${down.sort().join(', ')}`);
        },
      },
    ],
    routes: {
      '/graphql': apolloHandler({
        server: apollo,
        context,
        ...(config.DEDUP_ENABLED ? { sharedExecutionKey: sharedReadKey() } : {}),
        onShared: () => sharedRequests.inc(),
        compression: config.COMPRESSION_ENABLED ? { minBytes: config.COMPRESSION_MIN_BYTES } : false,
      }),
      ...oauthProxyRoutes({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET, logger, clientIpOf }),
      ...(config.EXPLORER_ENABLED ? explorerRoutes(fileURLToPath(new URL('../explorer/dist', import.meta.url))) : {}),
      ...media.routes,
    },
  });
  const pool = new UpstreamPool(config.GATEWAY_SECRET, logger);
  subscriptions = serveGatewaySubscriptions({
    server: server.server,
    planner,
    pool,
    services: () => services,
    serviceUrl: (name) => urls.get(name) ?? '',
    gate: new OperationGate({
      schema: () => planner.state.apiGraphQLSchema,
      rules: limitRules,
      maxTokens: defaultOperationLimits.maxTokens,
      persisted,
      hideSchemaDetails: config.NODE_ENV === 'production',
      scalars: scalarCheck,
    }),
    formatError,
    access: revocations.view,
    authenticate: (params, request) => {
      const authorization = params['authorization'] ?? params['Authorization'];
      const apiKey = params['x-api-key'];
      return contextFrom({ ...(typeof authorization === 'string' ? { authorization } : {}), ...(typeof apiKey === 'string' ? { 'x-api-key': apiKey } : {}), ...(request.headers['user-agent'] ? { 'user-agent': request.headers['user-agent'] } : {}) }, clientIpOf(request));
    },
    executeOperation: async (request, contextValue) => {
      const response = await apollo.executeOperation(
        { query: request.query, variables: request.variables, ...(request.operationName ? { operationName: request.operationName } : {}) },
        { contextValue },
      );
      if (response.body.kind !== 'single') return { errors: [] } as ExecutionResult;
      return response.body.singleResult as ExecutionResult;
    },
    logger,
    metrics,
  });
  return {
    ...server,
    get subscriptions() {
      return { connections: subscriptions?.connections ?? 0, upstreams: pool.upstreamCount };
    },
    async stop(graceMs) {
      await subscriptions?.close();
      await pool.close();
      await revocations.stop();
      if (!deps.events) await events.close();
      await limits.close();
      await subgraphFetcher.close();
      await media.close();
      await tracing.shutdown();
      await server.close(graceMs);
      await apollo.stop();
      await apq?.close();
    },
  };
}
