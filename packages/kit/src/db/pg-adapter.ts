import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { DbHandle } from '../start-service.ts';

/** Prisma driver adapter on node-postgres, bound to the service's own Postgres schema (no engine binary needed). */
export function pgAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: maxConnections }, { schema });
}

export type PgPool = pg.Pool;

/**
 * Statements of our own on the pool under Prisma, sent as named prepared statements (`{ name, text, values }`):
 * Postgres parses and plans each once per connection, and node-postgres sends only its name and values after that.
 * Prisma's query path costs several times node-postgres's CPU per statement (bench/auth, bench/subgraphs), so the few
 * statements every request of a hot path runs go this way.
 */
export type PgSql = Pick<PgPool, 'query'>;

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

export interface PrismaOnPoolOptions {
  /** The service's Postgres schema (Prisma's model queries). */
  readonly schema: string;
  readonly max?: number;
  /** search_path of the connections, for raw statements that name no schema. */
  readonly searchPath?: string;
  /** Called with the text of every statement sent on the pool, Prisma's and ours (tests count them to catch N+1). */
  readonly onQuery?: (sql: string) => void;
}

/** Prisma and the pool under it: model queries through `db`, a hot path's prepared statements through `sql`; `close` ends both. */
export type PrismaOnPool<TDb> = DbHandle<TDb, PgSql>;

/**
 * Opens Prisma (`client` builds it on the adapter given) on a pool of our own (pgPool), which the service's prepared
 * statements share: one pool, one connection limit, one query observer for both.
 */
export function openPrismaOnPool<TDb extends { $disconnect(): Promise<void> }>(
  databaseUrl: string,
  options: PrismaOnPoolOptions,
  client: (adapter: PrismaPg) => TDb,
): PrismaOnPool<TDb> {
  const pool = pgPool(databaseUrl, {
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
  });
  if (options.onQuery) observeQueries(pool, options.onQuery);
  const db = client(new PrismaPg(pool, { schema: options.schema, disposeExternalPool: true }));
  return { db, sql: pool, close: () => db.$disconnect() };
}

/** Calls `onQuery` with the text of every statement sent on the pool's connections. */
function observeQueries(pool: PgPool, onQuery: (sql: string) => void): void {
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

const DATE_OID = 1082;
const utcMidnight = (text: string): Date => new Date(`${text}T00:00:00Z`);

/**
 * Type parsers for statements of our own that read DATE columns: a date as a Date at UTC midnight, as Prisma reads it
 * (node-postgres's default makes it local midnight). Pass as the statement's `types`.
 */
export const prismaLikeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === DATE_OID && format !== 'binary'
      ? utcMidnight
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** A named prepared statement: its name, its text and how to parse its columns (default: node-postgres's). */
export interface PgStatement {
  readonly name: string;
  readonly text: string;
  readonly types?: pg.CustomTypesConfig;
}

/** The rows of a prepared statement run with `values`. */
export async function preparedRows<T>(sql: PgSql, statement: PgStatement, values: unknown[]): Promise<T[]> {
  return (await sql.query<T & pg.QueryResultRow>({ ...statement, values })).rows;
}
