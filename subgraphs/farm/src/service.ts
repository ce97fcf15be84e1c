import { createLogger, eventBusFromConfig, launchSubgraph, Resources, type ServiceDeps, type ServiceModule, type RunningSubgraph } from '@vegshare/kit';
import { loadFarmConfig, type FarmConfig } from './env.ts';
import { openFarmDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedFarm } from './seed.ts';
import { FarmEvents } from './domain/notify.ts';
import { subscribeToAccountErasure } from './domain/account-erasure.ts';
import type { Context } from './context.ts';
import { subscribeToReleaseRequests } from './payments/release-requests.ts';
import { subscribeToTimelapses } from './domain/timelapse-activity.ts';

export { loadFarmConfig, type FarmConfig } from './env.ts';

export interface FarmDeps extends ServiceDeps {
  /** Observes every SQL statement (tests count them to catch N+1). */
  readonly onQuery?: (sql: string) => void;
}

/** Starts the farm subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startFarmService(config: FarmConfig, deps: FarmDeps = {}): Promise<RunningSubgraph> {
  const logger = deps.logger ?? createLogger('farm', config.LOG_LEVEL);
  const resources = new Resources(logger);
  return resources.build(async () => {
    const { db } = resources.add('postgres', openFarmDb(config.DATABASE_URL, deps.onQuery ? { onQuery: deps.onQuery } : {}), (h) => h.close());
    const bus = deps.events ?? resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger), (b) => b.close());
    const events = new FarmEvents(bus, logger);
    resources.onClose('release requests', await subscribeToReleaseRequests(db, bus, events, logger));
    resources.onClose('timelapses', await subscribeToTimelapses(db, bus, logger));
    resources.onClose('account erasure', await subscribeToAccountErasure(bus, db, events, logger));
    return launchSubgraph<Context>({
      name: 'farm',
      config,
      schemaFile: new URL('../schema.graphql', import.meta.url),
      events: bus,
      resolvers,
      deps: { ...deps, logger },
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
