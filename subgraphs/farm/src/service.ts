import { startService, type ServiceDeps, type ServiceModule, type RunningSubgraph } from '@vegshare/kit';
import { loadFarmConfig, type FarmConfig } from './env.ts';
import { FARM_SCHEMA, openFarmDb, type FarmDb, type FarmSql } from './db.ts';
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
export function startFarmService(config: FarmConfig, deps: FarmDeps = {}): Promise<RunningSubgraph> {
  return startService<FarmDb, Context, undefined, object, FarmSql>({
    name: 'farm',
    config,
    deps,
    dbSchema: FARM_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    // The loaders' prepared statements go on the pool under Prisma (db.ts), which the kit hands to wire as `sql`.
    openDb: () => openFarmDb(config.DATABASE_URL, deps.onQuery ? { onQuery: deps.onQuery } : {}),
    async wire({ db, sql: pool, bus, outbox, logger }) {
      const events = new FarmEvents(outbox);
      await subscribeToReleaseRequests(db, bus, events, logger);
      await subscribeToTimelapses(db, bus, outbox, logger);
      await subscribeToAccountErasure(db, events, logger);
      return {
        context: (viewer) => ({ viewer, db, sql: pool, loaders: createLoaders(db, pool), bus, events, logger }),
      };
    },
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
