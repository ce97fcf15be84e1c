import { PrismaPg } from '@prisma/adapter-pg';
import { pgPool } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type FarmDb = PrismaClient;
export const FARM_SCHEMA = 'farm';

export interface FarmDbOptions {
  /** Called with the text of every SQL statement sent to Postgres (tests count statements to catch N+1). */
  readonly onQuery?: (sql: string) => void;
  readonly maxConnections?: number;
}

export interface FarmDbHandle {
  readonly db: FarmDb;
  close(): Promise<void>;
}

/**
 * Prisma on our own node-postgres pool bound to the "farm" schema (search_path too, for the few raw statements:
 * availability search and paged children). The pool is ours so that a query observer can wrap each connection.
 */
export function openFarmDb(databaseUrl: string, options: FarmDbOptions = {}): FarmDbHandle {
  const pool = pgPool(databaseUrl, { max: options.maxConnections ?? 10, searchPath: FARM_SCHEMA });
  const onQuery = options.onQuery;
  if (onQuery) {
    pool.on('connect', (client) => {
      const original = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0];
        const text =
          typeof first === 'string'
            ? first
            : first && typeof first === 'object' && 'text' in first
              ? String((first as { text: unknown }).text)
              : '';
        onQuery(text);
        return original(...args);
      };
    });
  }
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { schema: FARM_SCHEMA }) });
  return {
    db,
    async close() {
      await db.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
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
