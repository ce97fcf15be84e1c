import { launchSubgraph, type ServiceDeps, type ServiceModule, type RunningSubgraph } from '@vegshare/kit';
import { loadFarmConfig, type FarmConfig } from './env.ts';
import { createFarmDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedFarm } from './seed.ts';
import type { Context } from './context.ts';

export { loadFarmConfig, type FarmConfig } from './env.ts';

/** Starts the farm subgraph; used by main.ts, the embedded start and the tests alike. */
export async function startFarmService(config: FarmConfig, deps: ServiceDeps = {}): Promise<RunningSubgraph> {
  const db = createFarmDb(config.DATABASE_URL);
  return launchSubgraph<Context>({
    name: 'farm',
    config,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    deps,
    context: (viewer) => ({ viewer, db, loaders: createLoaders(db) }),
    readiness: () => [{ name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) }],
    onStop: () => db.$disconnect(),
  });
}

export const service: ServiceModule<FarmConfig> = {
  name: 'farm',
  loadConfig: loadFarmConfig,
  start: startFarmService,
  async seed(databaseUrl) {
    const db = createFarmDb(databaseUrl);
    try {
      await seedFarm(db);
    } finally {
      await db.$disconnect();
    }
  },
};
