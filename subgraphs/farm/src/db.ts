import { PrismaPg } from '@prisma/adapter-pg';
import { openPrismaOnPool, type PgSql, type PrismaOnPool } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type FarmDb = PrismaClient;
/** The pool under Prisma: the hot loaders' prepared statements (sql-loaders.ts). */
export type FarmSql = PgSql;
export const FARM_SCHEMA = 'farm';

export interface FarmDbOptions {
  /** Called with the text of every SQL statement sent to Postgres (tests count statements to catch N+1). */
  readonly onQuery?: (sql: string) => void;
  readonly maxConnections?: number;
}

export type FarmDbHandle = PrismaOnPool<FarmDb>;

/**
 * Prisma on our own node-postgres pool bound to the "farm" schema (search_path too, for the raw statements:
 * availability search, paged children and the loaders' prepared statements), which the loaders' statements share.
 */
export function openFarmDb(databaseUrl: string, options: FarmDbOptions = {}): FarmDbHandle {
  return openPrismaOnPool(
    databaseUrl,
    {
      schema: FARM_SCHEMA,
      searchPath: FARM_SCHEMA,
      ...(options.maxConnections !== undefined ? { max: options.maxConnections } : {}),
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    },
    (adapter) => new PrismaClient({ adapter }),
  );
}

/** A client for scripts and tests (seed); `$disconnect()` releases its pool. */
export function createFarmDb(databaseUrl: string): FarmDb {
  return new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: databaseUrl, max: 4, options: `-c search_path=${FARM_SCHEMA}` },
      { schema: FARM_SCHEMA },
    ),
  });
}
