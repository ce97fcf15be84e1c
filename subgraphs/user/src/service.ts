import {
  createLogger,
  createMetrics,
  createObjectStore,
  eventBusFromConfig,
  launchSubgraph,
  RedisEventBus,
  ServiceEvents,
  type ReadinessCheck,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule, seedWith } from '@vegshare/kit';
import { createAvatarStore } from './avatars.ts';
import type { Context } from './context.ts';
import { createUserDb, USER_SCHEMA } from './db.ts';
import { loadUserConfig, type UserConfig } from './env.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedUser } from './seed.ts';
import { subscribeToEvents } from './subscribers.ts';
import { startPush } from './push/start.ts';

export { loadUserConfig, type UserConfig } from './env.ts';

/** Starts the user subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startUserService(config: UserConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  const logger = deps.logger ?? createLogger('user', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('user');
  const db = createUserDb(config.DATABASE_URL);
  const events = deps.events ?? eventBusFromConfig(config.REDIS_URL, logger);
  const ownsEvents = deps.events === undefined;
  const outbox = await ServiceEvents.open({ service: 'user', schema: USER_SCHEMA, databaseUrl: config.DATABASE_URL, logger, metrics, natsUrl: config.NATS_URL, bus: events });
  const objects = createObjectStore(config);
  const avatars = createAvatarStore(db, objects, logger);
  const push = startPush(config, db, logger, metrics);
  let unsubscribe: (() => Promise<void>) | null = null;
  const release = async (): Promise<void> => {
    await outbox.stop();
    await unsubscribe?.();
    await push.stop();
    if (ownsEvents) await events.close();
    await db.$disconnect();
  };

  try {
    await objects.ensureBucket();
  } catch (err) {
    // S3 may come up after us; readiness reports it until then.
    logger.warn({ err }, 'could not ensure the avatar bucket exists');
  }
  try {
    unsubscribe = await subscribeToEvents(db, events, outbox, logger, metrics, { objects, push: push.channel });
    outbox.start();
  } catch (error) {
    await release();
    throw error;
  }

  return launchSubgraph<Context>({
    name: 'user',
    config,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    events: events,
    resolvers,
    deps: { ...deps, logger, metrics },
    context: (viewer, requestLogger) => ({ viewer, db, loaders: createLoaders(db), avatars, events, presence: push.channel.presence, logger: requestLogger }),
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
      if (events instanceof RedisEventBus) checks.push({ name: 'redis', check: () => events.ping() });
      return checks;
    },
    onStop: release,
  });
}

export const service: ServiceModule<UserConfig> = {
  name: 'user',
  loadConfig: loadUserConfig,
  start: startUserService,
  seed: seedWith(createUserDb, seedUser),
};
