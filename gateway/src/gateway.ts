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
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
  type RunningServer,
} from '@vegshare/kit';
import { apolloHandler } from '@vegshare/kit/http/apollo-handler';
import type { GatewayConfig } from './env.ts';
import type { GatewayContext } from './context.ts';
import { fileSupergraph } from './supergraph-source.ts';
import { SubgraphDataSource, type FetchCounter } from './subgraph-data-source.ts';
import { subgraphUrls } from './subgraph-urls.ts';
import { explorerRoutes } from './explorer-route.ts';
import { sharedReadKey } from './shared-reads.ts';
import { createSubgraphFetcher } from './subgraph-fetcher.ts';
import { subscriptionsOverWebSocketOnly } from './subscriptions/http-guard.ts';
import { operationResolution } from './operation-resolution.ts';
import { ApiKeyExchanger, keyId } from './api-keys.ts';
import { oauthProxyRoutes } from './oauth-proxy.ts';
import { createRateLimits } from './rate-limits.ts';
import { operationLimitRules, defaultOperationLimits } from './operation-limits.ts';
import { fileURLToPath } from 'node:url';
import { SubscriptionPlanner } from './subscriptions/subscription-planner.ts';
import { UpstreamPool } from './subscriptions/upstream-pool.ts';
import { serveGatewaySubscriptions } from './subscriptions/subscription-server.ts';
import { loadPersistedOperations } from './persisted/manifest.ts';
import { persistedOperationsPolicy } from './persisted/safelist.ts';
import { redisApqCache } from './persisted/redis-apq-cache.ts';
import type { ServiceMap } from '@apollo/gateway';
import type { ExecutionResult } from 'graphql';

export interface GatewayDeps {
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  readonly verifier?: TokenVerifier;
}

export interface RunningGateway extends RunningServer {
  /** Live counts: client WebSocket connections and distinct upstream subscriptions. */
  readonly subscriptions: { readonly connections: number; readonly upstreams: number };
  stop(graceMs?: number): Promise<void>;
}

const clientIpOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** Starts the gateway: Apollo Gateway on Apollo Server, served by the kit's HTTP shell on one /graphql endpoint. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<RunningGateway> {
  // First, so that an inconsistent manifest refuses the start before anything is opened.
  const persistedOperations = loadPersistedOperations(config.PERSISTED_OPERATIONS_PATH);
  const logger = deps.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('gateway');
  const tracing = initTracing('gateway', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const verifier = deps.verifier ?? verifierFromConfig(config);
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
  const limitRules = operationLimitRules();
  const persisted = persistedOperationsPolicy({ operations: persistedOperations, mode: config.SAFELIST_MODE, metrics, logger, validationRules: limitRules });
  // Subscriptions are planned from the same supergraph, and partner operations checked against it, at every hot reload.
  const planner = new SubscriptionPlanner();
  let services: ServiceMap = {};
  let urls = new Map<string, string>();
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl, apiSchema }) => {
    planner.update(coreSupergraphSdl);
    urls = subgraphUrls(coreSupergraphSdl, config.SUBGRAPH_URLS);
    services = Object.fromEntries([...urls].map(([name, url]) => [name, dataSource(name, url)]));
    persisted.checkSchema(apiSchema);
  });
  // APQ: Apollo's bounded in-memory cache in each replica, or one cache in Redis that every replica shares.
  const apq = config.REDIS_URL ? redisApqCache({ url: config.REDIS_URL, keyPrefix: config.APQ_REDIS_PREFIX, logger }) : null;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), metricsPlugin<GatewayContext>(metrics), subscriptionsOverWebSocketOnly<GatewayContext>(), persisted.plugin, operationResolution<GatewayContext>()],
    persistedQueries: { ttl: config.APQ_TTL_SECONDS, ...(apq ? { cache: apq.cache } : {}) },
    validationRules: limitRules,
    parseOptions: { maxTokens: defaultOperationLimits.maxTokens },
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
  });
  await apollo.start();

  const exchanger = new ApiKeyExchanger({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET, logger });
  const limits = createRateLimits({ redisUrl: config.REDIS_URL, perKeyPerMinute: config.API_KEY_RATE_LIMIT_PER_MINUTE });
  /** The caller: a bearer token, or a partner API key exchanged for one; anonymous otherwise. */
  const contextFrom = async (headers: IncomingHttpHeaders, clientIp: string): Promise<GatewayContext> => {
    const apiKey = headers['x-api-key'];
    let authHeaders: IncomingHttpHeaders = headers;
    const viaApiKey = typeof apiKey === 'string' && !headers.authorization;
    if (viaApiKey) {
      await limits.consumeApiKey(keyId(apiKey));
      authHeaders = { authorization: await exchanger.authorizationFor(apiKey) };
    }
    const viewer = await viewerFromHeaders(authHeaders, verifier);
    return {
      viewer,
      authorization: viewer ? (authHeaders.authorization ?? null) : null,
      // A partner's OAuth client_credentials token (no session, like an exchanged API key) is the integration surface too.
      viaApiKey: viaApiKey || (viewer !== null && viewer.sessionId === null),
      clientIp,
      userAgent: headers['user-agent'] ?? null,
    };
  };
  const context = (req: IncomingMessage): Promise<GatewayContext> => contextFrom(req.headers, clientIpOf(req));

  const server = await startServiceServer({
    name: 'gateway',
    port: config.PORT,
    host: config.HOST,
    logger,
    metrics,
    readiness: [
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
      ...oauthProxyRoutes({ authUrl: config.AUTH_INTERNAL_URL, gatewaySecret: config.GATEWAY_SECRET, logger }),
      ...(config.EXPLORER_ENABLED ? explorerRoutes(fileURLToPath(new URL('../explorer/dist', import.meta.url))) : {}),
    },
  });
  const pool = new UpstreamPool(config.GATEWAY_SECRET, logger);
  const subscriptions = serveGatewaySubscriptions({
    server: server.server,
    planner,
    pool,
    services: () => services,
    serviceUrl: (name) => urls.get(name) ?? '',
    refuseOperation: (context, query) => persisted.refusal(context, query),
    authenticate: (params, clientIp) => {
      const authorization = params['authorization'] ?? params['Authorization'];
      const apiKey = params['x-api-key'];
      return contextFrom({ ...(typeof authorization === 'string' ? { authorization } : {}), ...(typeof apiKey === 'string' ? { 'x-api-key': apiKey } : {}) }, clientIp);
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
      return { connections: subscriptions.connections, upstreams: pool.upstreamCount };
    },
    async stop(graceMs) {
      await subscriptions.close();
      await pool.close();
      await limits.close();
      await subgraphFetcher.close();
      await tracing.shutdown();
      await server.close(graceMs);
      await apollo.stop();
      await apq?.close();
    },
  };
}
