import { openPrismaOnPool, pgAdapter, type PgSql, type PrismaOnPool } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type UserDb = PrismaClient;
/** The pool under Prisma: the profile update's prepared statement (profiles.ts). */
export type UserSql = PgSql;
/** The Postgres schema this service owns (a reserved word in SQL: always quote it in raw SQL). */
export const USER_SCHEMA = 'user';

/** Prisma on our own node-postgres pool, which the service's prepared statements share. */
export function openUserDb(databaseUrl: string): PrismaOnPool<UserDb> {
  return openPrismaOnPool(databaseUrl, { schema: USER_SCHEMA }, (adapter) => new PrismaClient({ adapter }));
}

/** A client for scripts and tests (seed); `$disconnect()` releases its pool. */
export function createUserDb(databaseUrl: string): UserDb {
  return new PrismaClient({ adapter: pgAdapter(databaseUrl, USER_SCHEMA) });
}

/** Prisma's interactive-transaction client. */
export type UserTx = Parameters<Parameters<UserDb['$transaction']>[0]>[0];

/** Locks the profile row for the rest of the transaction, serialising changes to one user's addresses. */
export async function lockProfile(tx: UserTx, userId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 FROM "${USER_SCHEMA}"."profile" WHERE id = $1::uuid FOR UPDATE`, userId);
}
