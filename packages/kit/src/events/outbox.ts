import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics.ts';
import type { EventStream } from './event-stream.ts';

/**
 * What `enqueue` needs of a Prisma transaction client (or the client itself): raw statements. Every service's Prisma
 * schema has the `OutboxEvent` and `ProcessedEvent` models (tables `outbox_event`, `processed_event`).
 */
export interface RawExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

const ident = (schema: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema name ${schema}`);
  return `"${schema}"`;
};

/** The Postgres channel the relay listens on; `enqueue` notifies it (delivered when the transaction commits). */
const outboxChannel = (schema: string) => `outbox_${schema}`;

/**
 * Writes an event to the service's outbox inside the caller's transaction: it is published if and only if the change
 * commits. Returns the event's id (its JetStream message id, the `id` its consumers see).
 */
export async function enqueueEvent(tx: RawExecutor, schema: string, topic: string, payload: unknown): Promise<string> {
  const id = randomUUID();
  await tx.$executeRawUnsafe(
    `INSERT INTO ${ident(schema)}.outbox_event (id, topic, payload) VALUES ($1::uuid, $2, $3::jsonb)`,
    id,
    topic,
    JSON.stringify(payload),
  );
  await tx.$executeRawUnsafe(`NOTIFY ${outboxChannel(schema)}`);
  return id;
}

/**
 * Records that `consumer` handled event `eventId`, inside the handler's transaction: true the first time, false when
 * it was handled before (a redelivery) — the handler then changes nothing and the delivery is acknowledged.
 */
export async function firstDelivery(
  tx: RawExecutor,
  schema: string,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO ${ident(schema)}.processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    consumer,
    eventId,
  );
  return inserted === 1;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface OutboxRelayOptions {
  /** The service's Postgres schema (its outbox table and the advisory lock are per schema). */
  readonly schema: string;
  readonly databaseUrl: string;
  readonly stream: EventStream;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  /** Poll when no notification came (a missed NOTIFY, a relay that took over); default 1 s. */
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Sent rows are deleted after this long (default 24 h; JetStream keeps them for replay). */
  readonly keepSentMs?: number;
}

/**
 * Publishes a service's outbox rows to the event stream, in commit order (by `seq`), each with its id as message id,
 * in pipelined batches, then marks them sent. Every replica runs one; a session-level Postgres advisory lock (per schema) lets exactly one
 * publish at a time — the others wait as standbys and take over within a poll interval when its connection ends (a
 * crash releases the lock). A crash after publishing but before marking sent re-publishes the rows: the stream drops
 * them by id. Woken by LISTEN/NOTIFY, with a poll as fallback.
 */
export class OutboxRelay {
  #stopped = false;
  #client: pg.Client | null = null;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #leader = false;
  /** A notification came since the last drain began. */
  #dirty = true;
  #lastCleanup = 0;
  readonly #pending;
  readonly #oldest;
  readonly #published;

  constructor(private readonly options: OutboxRelayOptions) {
    const m = options.metrics;
    this.#pending = m?.gauge(
      'outbox_pending_events',
      'Outbox rows not yet published (all replicas report the same table)',
    );
    this.#oldest = m?.gauge(
      'outbox_oldest_unsent_age_seconds',
      'Age of the oldest unpublished outbox row (0 when none)',
    );
    this.#published = m?.counter('outbox_published_total', 'Outbox rows published by this replica');
  }

  /** True while this replica holds the publishing lock. */
  get leader(): boolean {
    return this.#leader;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Publishes what is pending now (tests, the bench); the relay also does it by itself. */
  poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  get #table(): string {
    return `${ident(this.options.schema)}.outbox_event`;
  }

  async #run(): Promise<void> {
    const log = this.options.logger.child({ outbox: this.options.schema });
    while (!this.#stopped) {
      const client = new pg.Client({ connectionString: this.options.databaseUrl });
      client.on('error', (err) => log.warn({ err }, 'outbox relay connection error'));
      client.on('notification', () => {
        this.#dirty = true;
        this.#wake?.();
      });
      client.on('end', () => this.#wake?.());
      this.#client = client;
      try {
        await client.connect();
        await client.query(`LISTEN ${outboxChannel(this.options.schema)}`);
        while (!this.#stopped) {
          if (!this.#leader) {
            const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
              `outbox:${this.options.schema}`,
            ]);
            this.#leader = rows[0]?.ok === true;
            if (this.#leader) log.info('outbox relay is the publisher');
          }
          this.#dirty = false;
          if (this.#leader) await this.#drain(client, log);
          await this.#measure(client);
          await this.#sleep(this.options.pollMs ?? 1_000);
        }
      } catch (err) {
        if (!this.#stopped) log.warn({ err }, 'outbox relay lost its connection; reconnecting');
        if (!this.#stopped) await pause(1_000);
      } finally {
        this.#leader = false;
        this.#client = null;
        await client.end().catch(() => undefined);
      }
    }
  }

  async #drain(client: pg.Client, log: Logger): Promise<void> {
    const batch = this.options.batchSize ?? 200;
    for (;;) {
      if (this.#stopped) return;
      const { rows } = await client.query<{ seq: string; id: string; topic: string; payload: unknown }>(
        `SELECT seq, id, topic, payload FROM ${this.#table} WHERE sent_at IS NULL ORDER BY seq LIMIT $1`,
        [batch],
      );
      if (!rows.length) break;
      // Pipelined: every publish of the batch is sent at once, in `seq` order on one connection (so the stream stores
      // them in commit order), then the acknowledgements are awaited. Rows up to the first failure are marked sent;
      // the rest are published again later — the ones the stream had stored already are dropped by id (so only a
      // failure can put a retried row behind a later one).
      const results = await Promise.allSettled(
        rows.map((row) => this.options.stream.publish(row.topic, row.payload, row.id)),
      );
      const failed = results.findIndex((r) => r.status === 'rejected');
      const sent = (failed < 0 ? rows : rows.slice(0, failed)).map((r) => r.seq);
      await this.#markSent(client, sent);
      if (failed >= 0) {
        log.warn(
          { err: (results[failed] as PromiseRejectedResult).reason, pending: rows.length - sent.length },
          'publishing outbox events failed; retrying',
        );
        await pause(1_000);
        return;
      }
      if (rows.length < batch) break;
    }
    if (Date.now() - this.#lastCleanup > 60_000) {
      this.#lastCleanup = Date.now();
      await client.query(`DELETE FROM ${this.#table} WHERE sent_at < now() - make_interval(secs => $1)`, [
        (this.options.keepSentMs ?? 86_400_000) / 1000,
      ]);
    }
  }

  async #markSent(client: pg.Client, seqs: string[]): Promise<void> {
    if (!seqs.length) return;
    await client.query(`UPDATE ${this.#table} SET sent_at = now() WHERE seq = ANY($1::bigint[])`, [seqs]);
    this.#published?.inc(seqs.length);
  }

  async #measure(client: pg.Client): Promise<void> {
    if (!this.#pending && !this.#oldest) return;
    const { rows } = await client.query<{ pending: string; age: number | null }>(
      `SELECT count(*) AS pending, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age FROM ${this.#table} WHERE sent_at IS NULL`,
    );
    this.#pending?.set(Number(rows[0]?.pending ?? 0));
    this.#oldest?.set(rows[0]?.age ?? 0);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped || this.#dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}
