import { Redis } from 'ioredis';
import {
  createLogger,
  createMetrics,
  eventBusFromConfig,
  launchSubgraph,
  RateLimitFallback,
  Resources,
  ServiceEvents,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  createJwtVerifier,
} from '@vegshare/kit';
import { loadAuthConfig, isProductionEnvironment, type AuthConfig } from './env.ts';
import { AUTH_SCHEMA, createAuthDb, openAuthDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedAuth } from './seed.ts';
import { createAuthServices } from './domain/auth-services.ts';
import { requestMeta } from './http/request-meta.ts';
import { apiKeyTokenRoute, devMailboxRoute, jwksRoute, revocationsRoute } from './http/routes.ts';
import { REVOCATIONS_PATH } from '@vegshare/kit';
import type { Context } from './context.ts';
import { oauthRoutes } from './oauth/routes.ts';

export { loadAuthConfig, type AuthConfig } from './env.ts';

/** The auth schema has no subscriptions, so every context comes from an HTTP request; this is only the type's other case. */
const UNKNOWN_CALLER = { ip: 'unknown', userAgent: '' } as const;

/** Starts the auth subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startAuthService(config: AuthConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  const logger = deps.logger ?? createLogger('auth', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('auth');
  const resources = new Resources(logger);
  return resources.build(async () => {
    const { db, sql } = resources.add('postgres', openAuthDb(config.DATABASE_URL), (d) => d.close());
    const events =
      deps.events ?? resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger), (b) => b.close());
    const redis = config.REDIS_URL
      ? resources.add(
          'rate-limit redis',
          new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: true }),
          (r) => r.disconnect(),
        )
      : null;
    // Its outages are logged once by the fallback (below); every reconnect attempt's error only at debug.
    redis?.on('error', (err: Error) => logger.debug({ err }, 'rate-limit redis connection error'));
    // Registered after the bus and the database, so its relay and consumers stop before they close (newest first).
    const durable = resources.add(
      'service events',
      await ServiceEvents.open({
        service: 'auth',
        schema: AUTH_SCHEMA,
        databaseUrl: config.DATABASE_URL,
        logger,
        metrics,
        natsUrl: config.NATS_URL,
        bus: events,
      }),
      (d) => d.stop(),
    );
    const rateLimitFallback = redis ? new RateLimitFallback(redis, logger, metrics) : null;
    // Sign-in must not depend on Redis: a Redis that is down at start degrades the limits to per-replica memory
    // (logged once, `rate_limit_degraded` 1) while ioredis keeps reconnecting; they return to Redis when it answers.
    // The event bus does not wait for it either (RedisEventBus), and revocations reach the other services through
    // their catch-up from /internal/revocations meanwhile.
    await redis?.connect().catch((err: unknown) => rateLimitFallback?.unreachableAtStart(err));
    const services = createAuthServices(config, db, sql, events, durable, redis, logger, rateLimitFallback);
    await services.keys.ensureKey();
    await services.deletions.start();
    durable.start();
    resources.onClose('account deletions', () => services.deletions.stop());
    // This service verifies its own tokens from the key table (no HTTP round trip to itself); same pinning as the kit.
    const verifier =
      deps.verifier ??
      createJwtVerifier({ keys: services.keys.getKey, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
    return await launchSubgraph<Context>({
      name: 'auth',
      config,
      schemaFile: new URL('../schema.graphql', import.meta.url),
      resolvers,
      deps: { ...deps, logger, metrics, verifier, events },
      events,
      // auth catches up from its own tables; the others read them through /internal/revocations.
      revocationSource: services.revocations.source,
      context: (viewer, _logger, req) => ({
        viewer,
        request: req ? requestMeta(req) : UNKNOWN_CALLER,
        db,
        loaders: createLoaders(db),
        auth: services,
        logger,
      }),
      readiness: () => [{ name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) }],
      routes: {
        '/internal/api-key-token': apiKeyTokenRoute(services, logger),
        [REVOCATIONS_PATH]: revocationsRoute(services.revocations.source),
        ...oauthRoutes({ config, db, services, redis, rateLimitFallback, metaOf: requestMeta, logger, metrics }),
      },
      // The JWKS is fetched by every subgraph directly; the dev mailbox is for people.
      publicRoutes: {
        '/.well-known/jwks.json': jwksRoute(services),
        ...(config.DEV_MAILBOX ? { '/dev/mailbox': devMailboxRoute(db) } : {}),
      },
      resources,
    });
  });
}

export const service: ServiceModule<AuthConfig> = {
  name: 'auth',
  loadConfig: loadAuthConfig,
  start: startAuthService,
  async seed(databaseUrl) {
    if (isProductionEnvironment()) throw new Error('auth: refusing to seed demo accounts with NODE_ENV=production');
    const db = createAuthDb(databaseUrl);
    try {
      await seedAuth(db);
    } finally {
      await db.$disconnect();
    }
  },
};
