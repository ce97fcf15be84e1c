import {
  createLogger,
  createMetrics,
  createObjectStore,
  eventBusFromConfig,
  launchSubgraph,
  RedisEventBus,
  Resources,
  ServiceEvents,
  type ReadinessCheck,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  seedWith,
} from '@vegshare/kit';
import { createAvatarStore } from './domain/avatars.ts';
import type { Context } from './context.ts';
import { createUserDb, USER_SCHEMA } from './db.ts';
import { loadUserConfig, type UserConfig } from './env.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedUser } from './seed.ts';
import { subscribeToEvents } from './domain/event-handlers.ts';
import { startPush } from './adapters/push/start.ts';

export { loadUserConfig, type UserConfig } from './env.ts';

/** Starts the user subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startUserService(config: UserConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  const logger = deps.logger ?? createLogger('user', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('user');
  const resources = new Resources(logger);
  return resources.build(async () => {
    const db = resources.add('postgres', createUserDb(config.DATABASE_URL), (d) => d.$disconnect());
    const bus =
      deps.events ?? resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger), (b) => b.close());
    const objects = createObjectStore(config);
    const avatars = createAvatarStore(db, objects, logger);
    const push = resources.add('push', startPush(config, db, logger, metrics), (p) => p.stop());
    // Registered after the bus and the database, so its relay and consumers stop before they close (newest first).
    const outbox = resources.add(
      'service events',
      await ServiceEvents.open({
        service: 'user',
        schema: USER_SCHEMA,
        databaseUrl: config.DATABASE_URL,
        logger,
        metrics,
        natsUrl: config.NATS_URL,
        bus,
      }),
      (o) => o.stop(),
    );

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
    outbox.start();

    return launchSubgraph<Context>({
      name: 'user',
      config,
      schemaFile: new URL('../schema.graphql', import.meta.url),
      events: bus,
      resolvers,
      deps: { ...deps, logger, metrics },
      context: (viewer, requestLogger) => ({
        viewer,
        db,
        loaders: createLoaders(db),
        avatars,
        bus,
        presence: push.channel.presence,
        logger: requestLogger,
      }),
      readiness: () => {
        const checks: ReadinessCheck[] = [
          { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
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
      resources,
    });
  });
}

export const service: ServiceModule<UserConfig> = {
  name: 'user',
  loadConfig: loadUserConfig,
  start: startUserService,
  seed: seedWith(createUserDb, seedUser),
};
