import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, type Logger } from '@vegshare/kit';
import { readRoverConfig } from './workspace.ts';

/** Applies every subgraph's migrations to its own Postgres schema (named after the subgraph). */
export async function migrateAll(databaseUrl: string, logger?: Logger): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const subgraph of readRoverConfig().subgraphs) {
    const dir = join(subgraph.dir, 'prisma/migrations');
    if (!existsSync(dir)) continue;
    const result = await applyMigrations({ databaseUrl, schema: subgraph.name, dir, ...(logger ? { logger } : {}) });
    applied[subgraph.name] = result.applied;
  }
  return applied;
}
