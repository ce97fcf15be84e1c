import { Redis } from 'ioredis';
import {
  createJwtVerifier,
  RateLimitFallback,
  REVOCATIONS_PATH,
  startService,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
} from '@vegshare/kit';
import { loadAuthConfig, isProductionEnvironment, type AuthConfig } from './env.ts';
import { AUTH_SCHEMA, createAuthDb, openAuthDb, type AuthDb, type AuthSql } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedAuth } from './seed.ts';
import { createAuthServices } from './domain/auth-services.ts';
import { requestMeta } from './adapters/http/request-meta.ts';
import { apiKeyTokenRoute, devMailboxRoute, jwksRoute, revocationsRoute } from './adapters/http/routes.ts';
import type { Context } from './context.ts';
import { oauthRoutes } from './adapters/oauth/routes.ts';

export { loadAuthConfig, type AuthConfig } from './env.ts';

/** The auth schema has no subscriptions, so every context comes from an HTTP request; this is only the type's other case. */
const UNKNOWN_CALLER = { ip: 'unknown', userAgent: '' } as const;

/** Starts the auth subgraph; used by main.ts, the embedded start and the tests alike. */
export function startAuthService(config: AuthConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  return startService<AuthDb, Context, Redis | null, object, AuthSql>({
    name: 'auth',
    config,
    deps,
    dbSchema: AUTH_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    // The sign-in statements go on the pool under Prisma (db.ts), which the kit hands to wire as `sql`.
    openDb: () => openAuthDb(config.DATABASE_URL),
    beforeEvents: ({ logger, resources }) => {
      const redis = config.REDIS_URL
        ? resources.add(
            'rate-limit redis',
            new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: true }),
            (r) => r.disconnect(),
          )
        : null;
      // Its outages are logged once by the fallback (below); every reconnect attempt's error only at debug.
      redis?.on('error', (err: Error) => logger.debug({ err }, 'rate-limit redis connection error'));
      return redis;
    },
    async wire({ db, sql, bus: events, outbox: durable, logger, metrics, resources, before: redis }) {
      const rateLimitFallback = redis ? new RateLimitFallback(redis, logger, metrics) : null;
      // Sign-in must not depend on Redis: a Redis that is down at start degrades the limits to per-replica memory
      // (logged once, `rate_limit_degraded` 1) while ioredis keeps reconnecting; they return to Redis when it answers.
      // The event bus does not wait for it either (RedisEventBus), and revocations reach the other services through
      // their catch-up from /internal/revocations meanwhile.
      await redis?.connect().catch((err: unknown) => rateLimitFallback?.unreachableAtStart(err));
      const services = createAuthServices(config, db, sql, events, durable, redis, logger, {
        fallback: rateLimitFallback,
        metrics,
      });
      await services.keys.ensureKey();
      await services.deletions.start();
      resources.onClose('account deletions', () => services.deletions.stop());
      return {
        // This service verifies its own tokens from the key table (no HTTP round trip to itself); same pinning as the kit.
        verifier:
          deps.verifier ??
          createJwtVerifier({ keys: services.keys.getKey, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }),
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
      };
    },
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
