import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { DbHandle } from '@vegshare/kit';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type PaymentDb = PrismaClient;
export type Tx = Prisma.TransactionClient;
export const PAYMENT_SCHEMA = 'payment';

/** Payment's raw statements run in Prisma's transactions, so the handle hands over no pool of its own. */
export type PaymentDbHandle = DbHandle<PaymentDb>;

/** Prisma on a node-postgres pool bound to the "payment" schema (search_path too, for the raw statements: claims, locks, sums). */
export function openPaymentDb(databaseUrl: string, maxConnections = 10): PaymentDbHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: maxConnections,
    options: `-c search_path=${PAYMENT_SCHEMA}`,
  });
  // An idle connection the server closed (restart, failover) is dropped from the pool, not an unhandled error.
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { schema: PAYMENT_SCHEMA }) });
  return {
    db,
    sql: undefined,
    async close() {
      await db.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/** Locks a payment row for the rest of the transaction (every change of a payment goes through this). */
export async function lockPayment(tx: Tx, id: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM payment WHERE id = ${id}::uuid FOR UPDATE`;
}

/** Serialises ledger postings that take money out of one owner's accounts (refunds after release, payouts). */
export async function lockLedgerOwner(tx: Tx, ownerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`ledger:${ownerId}`}))`;
}
