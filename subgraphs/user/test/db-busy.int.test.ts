// A database that is busy, not wrong: when no connection or transaction slot frees up in time, or Postgres breaks a
// deadlock, the client is told SERVICE_UNAVAILABLE (retry) instead of an internal error — with real Postgres and
// Prisma's real errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { createErrorFormatter, createLogger, isTransientDbError, pgAdapter } from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { USER_SCHEMA } from '../src/db.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** What a resolver's failure becomes for the client, through the kit's formatter. */
const asClientSees = (error: unknown) =>
  createErrorFormatter(createLogger('db-busy', 'silent'))(
    { message: (error as Error).message, path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    new GraphQLError((error as Error).message, { originalError: error as Error }),
  );

describe('a busy database', () => {
  it('answers SERVICE_UNAVAILABLE when a transaction runs out of time waiting on a busy row', async () => {
    const db = new PrismaClient({ adapter: pgAdapter(database.url, USER_SCHEMA, 4) });
    const id = '00000000-0000-4000-8000-0000000000c1';
    await db.profile.create({ data: { id, displayName: 'c' } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const holder = db.$transaction(
      async (tx) => {
        await tx.$executeRaw`UPDATE "user".profile SET display_name = 'held' WHERE id = ${id}::uuid`;
        started();
        await held;
      },
      { timeout: 10_000 },
    );
    try {
      await holding;
      // The row is locked by the holder: this transaction waits on it past its own time limit.
      const waiting = db
        .$transaction(
          async (tx) => tx.$executeRaw`UPDATE "user".profile SET display_name = 'late' WHERE id = ${id}::uuid`,
          { timeout: 300 },
        )
        .then(
          () => null,
          (error: unknown) => error,
        );
      await new Promise((r) => setTimeout(r, 600));
      release();
      const failure = await waiting;
      expect(failure).not.toBeNull();
      expect(isTransientDbError(failure)).toBe(true);
      expect(asClientSees(failure)).toEqual({
        message: 'The service is busy; try again shortly',
        path: ['me'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    } finally {
      release();
      await holder;
      await db.$disconnect();
    }
  });

  it('answers SERVICE_UNAVAILABLE for the transaction Postgres aborts to break a deadlock', async () => {
    const db = new PrismaClient({ adapter: pgAdapter(database.url, USER_SCHEMA, 4) });
    const [a, b] = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
    for (const id of [a, b]) await db.profile.create({ data: { id, displayName: id.slice(-1) } });
    let bothLocked = 0;
    let go!: () => void;
    const ready = new Promise<void>((resolve) => (go = resolve));
    const lockInOrder = (first: string, second: string) =>
      db.$transaction(
        async (tx) => {
          await tx.$executeRaw`UPDATE "user".profile SET display_name = 'x' WHERE id = ${first}::uuid`;
          if (++bothLocked === 2) go();
          await ready;
          await tx.$executeRaw`UPDATE "user".profile SET display_name = 'y' WHERE id = ${second}::uuid`;
        },
        { timeout: 10_000 },
      );
    try {
      const outcomes = await Promise.allSettled([lockInOrder(a, b), lockInOrder(b, a)]);
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(isTransientDbError(failed[0]?.reason)).toBe(true);
      expect(asClientSees(failed[0]?.reason).extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
      // Anything else stays an internal error, masked.
      expect(asClientSees(new Error('relation "nope" does not exist')).extensions?.['code']).toBe(
        'INTERNAL_SERVER_ERROR',
      );
    } finally {
      await db.$disconnect();
    }
  });
});
