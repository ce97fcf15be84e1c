import { openPrismaOnPool, type PgSql, type PrismaOnPool } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type AuthDb = PrismaClient;
export const AUTH_SCHEMA = 'auth';

/**
 * The few statements every sign-in and refresh runs (sign-in-statements.ts), sent on Prisma's own pool with node-postgres
 * as named prepared statements: Prisma's raw path costs about four times node-postgres's CPU per statement
 * (bench/auth), and these run on the event loop that the sign-in storm shares.
 */
export type AuthSql = PgSql;

export type AuthDbHandle = PrismaOnPool<AuthDb>;

/** Prisma on our own node-postgres pool (AUTH_SCHEMA for model queries), which the sign-in statements share. */
export function openAuthDb(databaseUrl: string, maxConnections = 10): AuthDbHandle {
  return openPrismaOnPool(
    databaseUrl,
    { schema: AUTH_SCHEMA, max: maxConnections },
    (adapter) => new PrismaClient({ adapter }),
  );
}

export function createAuthDb(databaseUrl: string): AuthDb {
  return openAuthDb(databaseUrl).db;
}
