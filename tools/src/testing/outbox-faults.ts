// Tests of the transactional outbox (an event exists if and only if the change it announces committed) and of what a
// slow database does to the transactions that write it.
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
 * Makes every `event` of a `schema`.`table` row for which `when` holds (SQL over NEW) take `seconds` longer, AFTER the
 * row is written: its transaction then holds the row — and its unique or exclusion-constraint entries, which
 * concurrent writers of conflicting rows wait for — that much longer before its next statement. Returns the undo.
 */
export async function slowRowWrites(
  db: SqlClient,
  schema: string,
  table: string,
  event: 'INSERT' | 'UPDATE',
  when: string,
  seconds: number,
): Promise<() => Promise<void>> {
  const name = `row_slow_${randomBytes(4).toString('hex')}`;
  return onRowWrite(
    db,
    schema,
    table,
    `AFTER ${event}`,
    when,
    name,
    `PERFORM pg_sleep(${Number(seconds)}); RETURN NEW;`,
  );
}

/** How many sessions of `db`'s database are sleeping in a slowed write (slowOutboxWrites, slowRowWrites) right now. */
export async function sleepingWrites(db: SqlClient): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: bigint | number }[]>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Runs `body` (PL/pgSQL) before every insert of `topic` into `schema`'s outbox (onRowWrite). */
function onOutboxInsert(
  db: SqlClient,
  schema: string,
  topic: string,
  name: string,
  body: string,
): Promise<() => Promise<void>> {
  return onRowWrite(
    db,
    schema,
    'outbox_event',
    'BEFORE INSERT',
    `NEW.topic = '${topic.replace(/'/g, "''")}'`,
    name,
    body,
  );
}

/**
 * Runs `body` (PL/pgSQL) on every `timing` row of `schema`.`table` for which `when` holds, through a function and
 * trigger both called `name`; returns what drops them again.
 */
async function onRowWrite(
  db: SqlClient,
  schema: string,
  table: string,
  timing: 'BEFORE INSERT' | 'AFTER INSERT' | 'AFTER UPDATE',
  when: string,
  name: string,
  body: string,
): Promise<() => Promise<void>> {
  await db.$executeRawUnsafe(
    `CREATE FUNCTION "${schema}".${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`,
  );
  await db.$executeRawUnsafe(
    `CREATE TRIGGER ${name} ${timing} ON "${schema}"."${table}" FOR EACH ROW
     WHEN (${when}) EXECUTE FUNCTION "${schema}".${name}()`,
  );
  return async () => {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON "${schema}"."${table}"`);
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
