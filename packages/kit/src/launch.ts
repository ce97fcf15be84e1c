import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { viewerFromHeaders, withAccessView, type TokenVerifier, type Viewer } from './auth.ts';
import { createLogger } from './logger.ts';
import { initTracing } from './tracing.ts';
import type { EventBus } from './events/event-bus.ts';
import { RevocationSync, type RevocationSource } from './revocation/revocation-sync.ts';
import { accessNarrowed } from './revocation/revocation-view.ts';
import { httpRevocationSource } from './revocation/http-revocation-source.ts';
import { assertProductionReady, authInternalUrl } from './service-config.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import type { ReadinessCheck, RouteHandler } from './http/service-server.ts';
import { verifierFromConfig, type SubgraphConfig } from './service-config.ts';
import type { ApolloServerPlugin } from '@apollo/server';
import { startSubgraph, type RunningSubgraph } from './subgraph.ts';
import type { Resources } from './lifecycle.ts';

/** What the caller may inject (tests, the embedded start); everything else is built from config. */
export interface ServiceDeps {
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** Token verifier; defaults to the JWKS in config. */
  readonly verifier?: TokenVerifier;
  /** Event bus shared with other in-process services (embedded start, tests); otherwise built from REDIS_URL. */
  readonly events?: EventBus;
  /** Where revocations are caught up from, instead of the auth service (a subgraph tested on its own). */
  readonly revocationSource?: RevocationSource;
}

export interface LaunchOptions<TContext extends BaseContext> {
  readonly name: string;
  readonly config: Pick<
    SubgraphConfig,
    | 'PORT'
    | 'HOST'
    | 'LOG_LEVEL'
    | 'NODE_ENV'
    | 'GATEWAY_SECRET'
    | 'AUTH_JWKS_URL'
    | 'JWT_ISSUER'
    | 'JWT_AUDIENCE'
    | 'METRICS_PORT'
    | 'METRICS_HOST'
    | 'REVOCATION_SYNC_SECONDS'
    | 'REVOCATION_MAX_STALE_SECONDS'
  > & {
    readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
    readonly AUTH_INTERNAL_URL?: string | undefined;
  };
  /** The service's event bus: revocations arrive on it. */
  readonly events: EventBus;
  /** Where revocations are caught up from; default: the auth service's internal feed (auth passes its own tables). */
  readonly revocationSource?: RevocationSource;
  readonly plugins?: readonly ApolloServerPlugin<TContext>[];
  /** URL of the subgraph's schema.graphql (SDL-first). */
  readonly schemaFile: URL;
  readonly resolvers: object;
  readonly deps: ServiceDeps;
  /**
   * Builds the per-request context from the verified viewer; one factory for HTTP and WebSocket. `req` is the HTTP
   * request, or the WebSocket upgrade request for subscriptions (client address, user agent).
   */
  readonly context: (viewer: Viewer | null, logger: Logger, req: IncomingMessage | null) => TContext;
  readonly readiness: (logger: Logger) => readonly ReadinessCheck[];
  readonly routes?: Readonly<Record<string, RouteHandler>>;
  /** Routes outside the gateway-secret guard. */
  readonly publicRoutes?: Readonly<Record<string, RouteHandler>>;
  /**
   * What the service opened (database pools, connections, subscriptions, workers, timers). The kit adds the revocation
   * feed; on stop it drains HTTP first, then closes them all, last opened first (on a failed start, too).
   */
  readonly resources: Resources;
}

export interface LaunchedSubgraph extends RunningSubgraph {
  /** The revocation view and its feed (tests wait on it; readiness reports it). */
  readonly revocations: RevocationSync;
}

/**
 * Starts one subgraph service the same way everywhere: logger, metrics on their own port, token verification
 * against the revocation view, readiness, shutdown. A production config without a gateway secret is refused.
 */
export async function launchSubgraph<TContext extends BaseContext>(
  options: LaunchOptions<TContext>,
): Promise<LaunchedSubgraph> {
  assertProductionReady(options.config);
  const logger = options.deps.logger ?? createLogger(options.name, options.config.LOG_LEVEL);
  const tracing = initTracing(options.name, options.config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const metrics = options.deps.metrics ?? createMetrics(options.name);
  const revocations = new RevocationSync({
    bus: options.events,
    source:
      options.revocationSource ??
      options.deps.revocationSource ??
      httpRevocationSource({ authUrl: authInternalUrl(options.config), gatewaySecret: options.config.GATEWAY_SECRET }),
    logger,
    syncMs: options.config.REVOCATION_SYNC_SECONDS * 1000,
    maxStaleMs: options.config.REVOCATION_MAX_STALE_SECONDS * 1000,
  });
  const view = revocations.view;
  const verifier = withAccessView(options.deps.verifier ?? verifierFromConfig(options.config), view);
  const typeDefs = parse(readFileSync(options.schemaFile, 'utf8'));
  const { resources } = options;
  const viewerOf = (params: Readonly<Record<string, unknown>>): Promise<Viewer | null> => {
    const authorization = params['authorization'];
    return viewerFromHeaders(typeof authorization === 'string' ? { authorization } : {}, verifier);
  };
  try {
    resources.add('revocation feed', revocations, (r) => r.stop());
    await revocations.start();
    const running = await startSubgraph<TContext>({
      name: options.name,
      port: options.config.PORT,
      host: options.config.HOST,
      typeDefs,
      resolvers: options.resolvers,
      logger,
      metrics,
      readiness: [
        ...options.readiness(logger),
        {
          name: 'revocations',
          check: async () => {
            if (!revocations.isCurrent())
              throw new Error('revocation view is stale (no events and no catch-up from auth)');
          },
        },
      ],
      gatewaySecret: options.config.GATEWAY_SECRET,
      metricsPort: options.config.METRICS_PORT,
      metricsHost: options.config.METRICS_HOST,
      ...(options.plugins ? { plugins: options.plugins } : {}),
      ...(options.routes ? { routes: options.routes } : {}),
      ...(options.publicRoutes ? { publicRoutes: options.publicRoutes } : {}),
      context: async (req) => options.context(await viewerFromHeaders(req.headers, verifier), logger, req),
      // graphql-ws: the gateway puts the caller's `authorization` (and the gateway secret) in connection_init.
      connectionContext: async (params) => options.context(await viewerOf(params), logger, null),
      // A connection's subscriptions end (FORBIDDEN) as soon as its session or key ends or it loses a role.
      watchAccess: async (params, narrowed) => {
        const viewer = await viewerOf(params);
        if (!viewer) return () => undefined;
        return view.watch(viewer.userId, () => {
          if (accessNarrowed(view, viewer)) narrowed();
        });
      },
    });
    return {
      ...running,
      revocations,
      async stop(graceMs) {
        // HTTP first, whenever its resources were opened: readiness turns false, then in-flight requests and
        // subscriptions drain (up to the grace period) while everything they use is still open.
        await running.stop(graceMs).catch((err: unknown) => logger.warn({ err }, 'HTTP did not stop cleanly'));
        await resources.close();
        // Last, so spans of the shutdown itself are exported.
        await tracing.shutdown();
      },
    };
  } catch (error) {
    await resources.close();
    throw error;
  }
}

/** Runs a service as a process: starts it, logs a one-line config error and exits 1, drains on SIGTERM/SIGINT. */
export async function runAsProcess(
  name: string,
  start: () => Promise<RunningSubgraph | { stop(graceMs?: number): Promise<void> }>,
  drainMs = 15_000,
): Promise<void> {
  let running: { stop(graceMs?: number): Promise<void> };
  try {
    running = await start();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    process.stderr.write(`${name}: ${signal}, draining\n`);
    running.stop(drainMs).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** What every subgraph package exports as `service` from its `src/service.ts`, so tools can run any of them. */
export interface ServiceModule<TConfig = unknown> {
  readonly name: string;
  /** Validates the environment into the service's config (one-line error on failure). */
  loadConfig(env: Record<string, string | undefined>): TConfig;
  start(config: TConfig, deps?: ServiceDeps): Promise<RunningSubgraph>;
  /** Idempotent demo data into the service's own schema. */
  seed(databaseUrl: string, options?: SeedOptions): Promise<void>;
}

/** What the embedded start knows that demo data depends on. */
export interface SeedOptions {
  /** Base URL of the local demo camera server (rtmp://host:port/app): the demo cameras stream from it. */
  readonly demoCameraBaseUrl?: string;
}

export function isServiceModule(value: unknown): value is ServiceModule {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['name'] === 'string' &&
    typeof v['loadConfig'] === 'function' &&
    typeof v['start'] === 'function' &&
    typeof v['seed'] === 'function'
  );
}

/** A `ServiceModule.seed` that opens the service's own database client, seeds it and always closes it. */
export function seedWith<TDb extends { $disconnect(): Promise<void> }>(
  createDb: (databaseUrl: string) => TDb,
  seed: (db: TDb, options: SeedOptions) => Promise<void>,
): (databaseUrl: string, options?: SeedOptions) => Promise<void> {
  return async (databaseUrl, options = {}) => {
    const db = createDb(databaseUrl);
    try {
      await seed(db, options);
    } finally {
      await db.$disconnect();
    }
  };
}
