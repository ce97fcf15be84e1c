// Tests of the transactional outbox: an event exists if and only if the change it announces committed.
import { randomBytes } from 'node:crypto';

/** What these helpers need of a service's Prisma client (or any raw SQL executor). */
export interface SqlClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

export interface OutboxFault {
  /** How many writes of the topic failed so far (counted by a sequence, which a rollback does not undo). */
  attempts(): Promise<number>;
  /** Lets the writes succeed again. */
  restore(): Promise<void>;
}

/**
 * Makes every write of `topic` to `schema`'s outbox fail, as a crash between a change and its event would: a trigger
 * raises on the insert. A producer that writes the event in its change's transaction loses the change with it; one
 * that writes it after the commit would keep the change without the event.
 */
export async function failOutboxWrites(db: SqlClient, schema: string, topic: string): Promise<OutboxFault> {
  const name = `outbox_fault_${randomBytes(4).toString('hex')}`;
  await db.$executeRawUnsafe(`CREATE SEQUENCE "${schema}".${name}`);
  const dropTrigger = await onOutboxInsert(
    db,
    schema,
    topic,
    name,
    `PERFORM nextval('"${schema}".${name}'); RAISE EXCEPTION 'outbox write refused (test fault)';`,
  );
  return {
    attempts: async () => {
      const rows = await db.$queryRawUnsafe<{ n: bigint | number }[]>(
        `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM "${schema}".${name}`,
      );
      return Number(rows[0]?.n ?? 0);
    },
    restore: async () => {
      await dropTrigger();
      await db.$executeRawUnsafe(`DROP SEQUENCE IF EXISTS "${schema}".${name}`);
    },
  };
}

/**
 * Makes every write of `topic` to `schema`'s outbox take `seconds` (a trigger sleeps on the insert), as on a slow or
 * busy database: the transaction that writes it holds its connection and its locks that much longer. Returns the undo.
 */
export async function slowOutboxWrites(
  db: SqlClient,
  schema: string,
  topic: string,
  seconds: number,
): Promise<() => Promise<void>> {
  const name = `outbox_slow_${randomBytes(4).toString('hex')}`;
  return onOutboxInsert(db, schema, topic, name, `PERFORM pg_sleep(${Number(seconds)}); RETURN NEW;`);
}

/**
 * Runs `body` (PL/pgSQL) before every insert of `topic` into `schema`'s outbox, through a function and trigger both
 * called `name`; returns what drops them again.
 */
async function onOutboxInsert(
  db: SqlClient,
  schema: string,
  topic: string,
  name: string,
  body: string,
): Promise<() => Promise<void>> {
  const literal = `'${topic.replace(/'/g, "''")}'`;
  await db.$executeRawUnsafe(
    `CREATE FUNCTION "${schema}".${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`,
  );
  await db.$executeRawUnsafe(
    `CREATE TRIGGER ${name} BEFORE INSERT ON "${schema}".outbox_event FOR EACH ROW
     WHEN (NEW.topic = ${literal}) EXECUTE FUNCTION "${schema}".${name}()`,
  );
  return async () => {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON "${schema}".outbox_event`);
    await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS "${schema}".${name}()`);
  };
}

/** The payloads of `topic` in `schema`'s outbox (sent or not), oldest first. */
export async function outboxPayloads<T>(db: SqlClient, schema: string, topic: string): Promise<T[]> {
  const rows = await db.$queryRawUnsafe<{ payload: T }[]>(
    `SELECT payload FROM "${schema}".outbox_event WHERE topic = $1 ORDER BY seq`,
    topic,
  );
  return rows.map((r) => r.payload);
}
