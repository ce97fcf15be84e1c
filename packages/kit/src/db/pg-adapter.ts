import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

/** Prisma driver adapter on node-postgres, bound to the service's own Postgres schema (no engine binary needed). */
export function pgAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: maxConnections }, { schema });
}

export type PgPool = pg.Pool;

/**
 * A node-postgres pool of the service's own, for a service that reaches Postgres beside Prisma too (prepared
 * statements, a per-connection query observer); Prisma runs on it through `new PrismaPg(pool, { schema })`.
 * `searchPath` sets the connections' search_path (for raw statements that name no schema).
 */
export function pgPool(databaseUrl: string, options: { max?: number; searchPath?: string } = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle connection the server ends (restart, failover, a dropped test database) leaves the pool; not an unhandled error.
  pool.on('error', () => undefined);
  return pool;
}
