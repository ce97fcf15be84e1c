import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { viewerFromHeaders, type TokenVerifier, type Viewer } from './auth.ts';
import { createLogger } from './logger.ts';
import { initTracing } from './tracing.ts';
import type { EventBus } from './events/event-bus.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import type { ReadinessCheck, RouteHandler } from './http/service-server.ts';
import { verifierFromConfig, type SubgraphConfig } from './service-config.ts';
import { startSubgraph, type RunningSubgraph } from './subgraph.ts';

/** What the caller may inject (tests, the embedded start); everything else is built from config. */
export interface ServiceDeps {
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** Token verifier; defaults to the JWKS in config. */
  readonly verifier?: TokenVerifier;
  /** Event bus shared with other in-process services (embedded start, tests); otherwise built from REDIS_URL. */
  readonly events?: EventBus;
}

export interface LaunchOptions<TContext extends BaseContext> {
  readonly name: string;
  readonly config: Pick<SubgraphConfig, 'PORT' | 'HOST' | 'LOG_LEVEL' | 'GATEWAY_SECRET' | 'AUTH_JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE'> & {
    readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  };
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
  /** Releases the service's resources (database pools, connections) after HTTP has stopped. */
  readonly onStop?: () => Promise<void>;
}

/** Starts one subgraph service the same way everywhere: logger, metrics, token verification, readiness, shutdown. */
export async function launchSubgraph<TContext extends BaseContext>(options: LaunchOptions<TContext>): Promise<RunningSubgraph> {
  const logger = options.deps.logger ?? createLogger(options.name, options.config.LOG_LEVEL);
  const tracing = initTracing(options.name, options.config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const metrics = options.deps.metrics ?? createMetrics(options.name);
  const verifier = options.deps.verifier ?? verifierFromConfig(options.config);
  const typeDefs = parse(readFileSync(options.schemaFile, 'utf8'));
  try {
    const running = await startSubgraph<TContext>({
      name: options.name,
      port: options.config.PORT,
      host: options.config.HOST,
      typeDefs,
      resolvers: options.resolvers,
      logger,
      metrics,
      readiness: options.readiness(logger),
      gatewaySecret: options.config.GATEWAY_SECRET,
      ...(options.routes ? { routes: options.routes } : {}),
      ...(options.publicRoutes ? { publicRoutes: options.publicRoutes } : {}),
      context: async (req) => options.context(await viewerFromHeaders(req.headers, verifier), logger, req),
      // graphql-ws: the gateway puts the caller's `authorization` (and the gateway secret) in connection_init.
      connectionContext: async (params) => {
        const authorization = params['authorization'];
        const headers = typeof authorization === 'string' ? { authorization } : {};
        return options.context(await viewerFromHeaders(headers, verifier), logger, null);
      },
    });
    return {
      ...running,
      async stop(graceMs) {
        await running.stop(graceMs);
        await options.onStop?.();
        await tracing.shutdown();
      },
    };
  } catch (error) {
    await options.onStop?.();
    throw error;
  }
}

/** Runs a service as a process: starts it, logs a one-line config error and exits 1, drains on SIGTERM/SIGINT. */
export async function runAsProcess(name: string, start: () => Promise<RunningSubgraph | { stop(graceMs?: number): Promise<void> }>, drainMs = 15_000): Promise<void> {
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
  return typeof v['name'] === 'string' && typeof v['loadConfig'] === 'function' && typeof v['start'] === 'function' && typeof v['seed'] === 'function';
}

/** A `ServiceModule.seed` that opens the service's own database client, seeds it and always closes it. */
export function seedWith<TDb extends { $disconnect(): Promise<void> }>(createDb: (databaseUrl: string) => TDb, seed: (db: TDb, options: SeedOptions) => Promise<void>): (databaseUrl: string, options?: SeedOptions) => Promise<void> {
  return async (databaseUrl, options = {}) => {
    const db = createDb(databaseUrl);
    try {
      await seed(db, options);
    } finally {
      await db.$disconnect();
    }
  };
}
