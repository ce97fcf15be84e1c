import {
  createObjectStore,
  RedisEventBus,
  startService,
  type ReadinessCheck,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  seedWith,
} from '@vegshare/kit';
import { createAvatarStore } from './domain/avatars.ts';
import type { Context } from './context.ts';
import { createUserDb, openUserDb, USER_SCHEMA, type UserDb, type UserSql } from './db.ts';
import { loadUserConfig, type UserConfig } from './env.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedUser } from './seed.ts';
import { subscribeToEvents } from './domain/event-handlers.ts';
import { startPush } from './adapters/push/start.ts';

export { loadUserConfig, type UserConfig } from './env.ts';

/** Starts the user subgraph; used by main.ts, the embedded start and the tests alike. */
export function startUserService(config: UserConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  return startService<UserDb, Context, ReturnType<typeof startPush>, object, UserSql>({
    name: 'user',
    config,
    deps,
    dbSchema: USER_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    // The profile update's statement goes on the pool under Prisma (db.ts), which the kit hands to wire as `sql`.
    openDb: () => openUserDb(config.DATABASE_URL),
    // Push delivery is used by the event consumers: opened before the outbox, so it closes after it.
    beforeEvents: ({ db, logger, metrics, resources }) =>
      resources.add('push', startPush(config, db, logger, metrics), (p) => p.stop()),
    async wire({ db, sql: pool, bus, outbox, logger, metrics, resources, before: push }) {
      const objects = createObjectStore(config);
      const avatars = createAvatarStore(db, objects, logger);
      try {
        await objects.ensureBucket();
      } catch (err) {
        // S3 may come up after us; readiness reports it until then.
        logger.warn({ err }, 'could not ensure the avatar bucket exists');
      }
      resources.onClose(
        'event subscriptions',
        await subscribeToEvents(db, bus, outbox, logger, metrics, { objects, push: push.channel }),
      );
      return {
        context: (viewer, requestLogger) => ({
          viewer,
          db,
          sql: pool,
          loaders: createLoaders(db),
          avatars,
          bus,
          presence: push.channel.presence,
          logger: requestLogger,
        }),
        readiness: () => {
          const checks: ReadinessCheck[] = [
            {
              name: 's3',
              check: async () => {
                if (!(await objects.client.bucketExists(objects.bucket))) await objects.ensureBucket();
              },
            },
          ];
          if (bus instanceof RedisEventBus) checks.push({ name: 'redis', check: () => bus.ping() });
          return checks;
        },
      };
    },
  });
}

export const service: ServiceModule<UserConfig> = {
  name: 'user',
  loadConfig: loadUserConfig,
  start: startUserService,
  seed: seedWith(createUserDb, seedUser),
};
