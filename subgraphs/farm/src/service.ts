import {
  createLogger,
  createMetrics,
  eventBusFromConfig,
  launchSubgraph,
  Resources,
  ServiceEvents,
  type ServiceDeps,
  type ServiceModule,
  type RunningSubgraph,
} from '@vegshare/kit';
import { loadFarmConfig, type FarmConfig } from './env.ts';
import { FARM_SCHEMA, openFarmDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedFarm } from './seed.ts';
import { FarmEvents } from './domain/notify.ts';
import { subscribeToAccountErasure } from './domain/account-erasure.ts';
import type { Context } from './context.ts';
import { subscribeToReleaseRequests } from './domain/payments/release-requests.ts';
import { subscribeToTimelapses } from './domain/timelapse-activity.ts';

export { loadFarmConfig, type FarmConfig } from './env.ts';

export interface FarmDeps extends ServiceDeps {
  /** Observes every SQL statement (tests count them to catch N+1). */
  readonly onQuery?: (sql: string) => void;
}

/** Starts the farm subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startFarmService(config: FarmConfig, deps: FarmDeps = {}): Promise<RunningSubgraph> {
  const logger = deps.logger ?? createLogger('farm', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('farm');
  const resources = new Resources(logger);
  return resources.build(async () => {
    const { db } = resources.add(
      'postgres',
      openFarmDb(config.DATABASE_URL, deps.onQuery ? { onQuery: deps.onQuery } : {}),
      (h) => h.close(),
    );
    const bus =
      deps.events ?? resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger), (b) => b.close());
    // Registered after the bus and the database, so its relay and consumers stop before they close (newest first).
    const outbox = resources.add(
      'service events',
      await ServiceEvents.open({
        service: 'farm',
        schema: FARM_SCHEMA,
        databaseUrl: config.DATABASE_URL,
        logger,
        metrics,
        natsUrl: config.NATS_URL,
        bus,
      }),
      (o) => o.stop(),
    );
    const events = new FarmEvents(outbox);
    await subscribeToReleaseRequests(db, bus, events, logger);
    await subscribeToTimelapses(db, bus, outbox, logger);
    await subscribeToAccountErasure(db, events, logger);
    outbox.start();
    return launchSubgraph<Context>({
      name: 'farm',
      config,
      schemaFile: new URL('../schema.graphql', import.meta.url),
      events: bus,
      resolvers,
      deps: { ...deps, logger, metrics },
      context: (viewer) => ({ viewer, db, loaders: createLoaders(db), bus, events, logger }),
      readiness: () => [{ name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) }],
      resources,
    });
  });
}

export const service: ServiceModule<FarmConfig> = {
  name: 'farm',
  loadConfig: loadFarmConfig,
  start: startFarmService,
  async seed(databaseUrl) {
    const { db, close } = openFarmDb(databaseUrl, { maxConnections: 2 });
    try {
      await seedFarm(db);
    } finally {
      await close();
    }
  },
};
