// The outbox, its relay and both event streams against the machine's Postgres and NATS (JetStream on 127.0.0.1:4222).
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { MemoryEventBus } from '../src/events/memory-event-bus.ts';
import { untypedBus, type AnyTopics } from '../src/events/event-bus.ts';
import { BusEventStream } from '../src/events/bus-event-stream.ts';
import {
  DEAD_LETTER_STREAM,
  EVENTS_STREAM,
  JetStreamEventStream,
  deadLetterSubject,
} from '../src/events/jetstream-event-stream.ts';
import { enqueueEvent, firstDelivery, OutboxRelay, type RawExecutor } from '../src/events/outbox.ts';
import type { DeliveredEvent } from '../src/events/event-stream.ts';
import { inTransaction as withEvents, ServiceEvents } from '../src/events/service-events.ts';
import { topics } from '../src/events/contracts.ts';

const serverUrl = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const logger = createLogger('outbox-test', 'silent');
const SCHEMA = 'evt';
const dbName = `vegshare_outbox_${process.pid}_${randomBytes(3).toString('hex')}`;
let url = '';
let pool: pg.Pool;

/** The DDL every service's migration creates for these two tables (see any prisma/schema.prisma). */
const ddl = `
CREATE SCHEMA ${SCHEMA};
CREATE TABLE ${SCHEMA}.outbox_event (seq BIGSERIAL PRIMARY KEY, id UUID NOT NULL UNIQUE, topic TEXT NOT NULL, payload JSONB NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(), sent_at TIMESTAMPTZ(3));
CREATE INDEX ON ${SCHEMA}.outbox_event (sent_at, seq);
CREATE TABLE ${SCHEMA}.processed_event (consumer TEXT NOT NULL, event_id TEXT NOT NULL, processed_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id));`;

/** A RawExecutor over one pg client (what a Prisma transaction client offers). */
const executor = (client: pg.PoolClient | pg.Pool): RawExecutor => ({
  $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await client.query(query, values)).rowCount ?? 0,
});

async function inTransaction<T>(fn: (tx: RawExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(executor(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  url = u.toString();
  pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(ddl);
});

afterAll(async () => {
  await pool?.end();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

describe('outbox → JetStream', () => {
  it('publishes committed events in commit order, never a rolled-back one, and marks them sent', async () => {
    const stream = await JetStreamEventStream.connect(natsUrl, { name: 'outbox-test', logger });
    const metrics = createMetrics('outbox-test');
    const relay = new OutboxRelay({ schema: SCHEMA, databaseUrl: url, stream, logger, metrics, pollMs: 200 });
    const topic = `test.${randomUUID()}`;
    const got: DeliveredEvent<{ n: number }>[] = [];
    const stop = await stream.consume<{ n: number }>({
      consumer: `test-${randomUUID()}`,
      topic,
      handle: async (e) => void got.push(e),
    });
    relay.start();
    for (let n = 0; n < 30; n++) await inTransaction((tx) => enqueueEvent(tx, SCHEMA, topic, { n }));
    await expect(
      inTransaction(async (tx) => {
        await enqueueEvent(tx, SCHEMA, topic, { n: -1 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await waitFor(() => got.length >= 30);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((e) => e.payload.n)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    const { rows } = await pool.query(
      `SELECT count(*)::int AS unsent FROM ${SCHEMA}.outbox_event WHERE sent_at IS NULL`,
    );
    expect(rows[0].unsent).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('outbox_published_total')).toMatch(
      /outbox_published_total\{service="outbox-test"\} 30/,
    );
    await stop();
    await relay.stop();
    await stream.close();
  });

  it('drops a re-publish of the same outbox id (JetStream de-duplication)', async () => {
    const stream = await JetStreamEventStream.connect(natsUrl, { name: 'outbox-test', logger });
    const topic = `test.${randomUUID()}`;
    const id = randomUUID();
    await stream.publish(topic, { once: true }, id);
    await stream.publish(topic, { once: true }, id);
    const got: string[] = [];
    const stop = await stream.consume({
      consumer: `test-${randomUUID()}`,
      topic,
      handle: async (e) => void got.push(e.id),
    });
    await waitFor(() => got.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([id]);
    await stop();
    await stream.close();
  });

  it('runs one publisher per schema: a standby takes over when the publisher stops', async () => {
    const stream = await JetStreamEventStream.connect(natsUrl, { name: 'outbox-test', logger });
    const a = new OutboxRelay({ schema: SCHEMA, databaseUrl: url, stream, logger, pollMs: 100 });
    const b = new OutboxRelay({ schema: SCHEMA, databaseUrl: url, stream, logger, pollMs: 100 });
    a.start();
    await waitFor(() => a.leader);
    b.start();
    await new Promise((r) => setTimeout(r, 400));
    expect([a.leader, b.leader]).toEqual([true, false]);
    await a.stop();
    await waitFor(() => b.leader);
    const topic = `test.${randomUUID()}`;
    const got: number[] = [];
    const stop = await stream.consume<{ n: number }>({
      consumer: `test-${randomUUID()}`,
      topic,
      handle: async (e) => void got.push(e.payload.n),
    });
    await inTransaction((tx) => enqueueEvent(tx, SCHEMA, topic, { n: 7 }));
    await waitFor(() => got.length === 1);
    await stop();
    await b.stop();
    await stream.close();
  });

  it('retries a failing handler with back-off, then dead-letters the event', async () => {
    const stream = await JetStreamEventStream.connect(natsUrl, { name: 'outbox-test', logger });
    const consumer = `test-${randomUUID()}`;
    const topic = `test.${randomUUID()}`;
    const attempts: number[] = [];
    const dead: string[] = [];
    stream.onDeadLetter((c, e) => c === consumer && dead.push(e.id));
    const stop = await stream.consume({
      consumer,
      topic,
      maxDeliver: 3,
      backoffMs: [50, 100],
      handle: async (e) => {
        attempts.push(e.attempt);
        throw new Error('always fails');
      },
    });
    const id = randomUUID();
    await stream.publish(topic, { doomed: true }, id);
    await waitFor(() => dead.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead).toEqual([id]);
    const jsm = await jetstreamManager(stream.connection);
    const msg = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: deadLetterSubject(consumer) });
    expect(msg?.header.get('VegShare-Event-Id')).toBe(id);
    expect(msg?.header.get('VegShare-Error')).toBe('always fails');
    expect((await jsm.streams.info(EVENTS_STREAM)).config.subjects).toEqual(['events.>']);
    await stop();
    await stream.close();
  });
});

describe('durable events on the in-process bus (embedded default)', () => {
  it('carries the event id, retries in order per consumer, and consumeOnce-style handlers skip a redelivery', async () => {
    const bus = new MemoryEventBus<AnyTopics>();
    const stream = new BusEventStream(bus, logger);
    const applied: number[] = [];
    let failOnce = true;
    const stop = await stream.consume<{ n: number }>({
      consumer: 'test.once',
      topic: 'test.once',
      backoffMs: [20],
      handle: (e) =>
        inTransaction(async (tx) => {
          if (!(await firstDelivery(tx, SCHEMA, 'test.once', e.id))) return;
          if (e.payload.n === 1 && failOnce) {
            failOnce = false;
            throw new Error('transient');
          }
          applied.push(e.payload.n);
        }),
    });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [n, id] of ids.entries()) await stream.publish('test.once', { n }, id);
    // A relay that crashed after publishing but before marking sent publishes again (another process: no local dedup).
    await new BusEventStream(bus, logger).publish('test.once', { n: 0 }, ids[0]!);
    await waitFor(() => applied.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(applied).toEqual([0, 1, 2]);
    await stop();
  });

  it('delivers what the relay publishes from the outbox to every subscriber of the bus', async () => {
    const bus = new MemoryEventBus<AnyTopics>();
    const stream = new BusEventStream(bus, logger);
    const relay = new OutboxRelay({ schema: SCHEMA, databaseUrl: url, stream, logger, pollMs: 100 });
    const topic = `test.${randomUUID()}`;
    const live: unknown[] = [];
    await bus.subscribe(topic, (payload, id) => live.push([payload, typeof id]));
    relay.start();
    await inTransaction((tx) => enqueueEvent(tx, SCHEMA, topic, { hello: 'world' }));
    await waitFor(() => live.length === 1);
    expect(live).toEqual([[{ hello: 'world' }, 'string']]);
    await relay.stop();
  });
});

describe('inTransaction: a change and the events it announces', () => {
  it('writes durable topics in the change’s transaction and publishes live ones after it commits; a rollback leaves neither', async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.change (id UUID PRIMARY KEY)`);
    const live = new MemoryEventBus();
    const events = await ServiceEvents.open({
      service: 'kit-test',
      schema: SCHEMA,
      databaseUrl: url,
      logger,
      bus: live,
      stream: new BusEventStream(untypedBus(live), logger),
    });
    const bus = events.outboxBus(live, executor(pool));
    const db = { $transaction: <R>(fn: (tx: RawExecutor) => Promise<R>) => inTransaction(fn) };
    const liveTopic = topics.plotWatchers(randomUUID());
    const heard: { id: string; committed: boolean }[] = [];
    await live.subscribe(liveTopic, (p) => {
      void pool
        .query(`SELECT 1 FROM ${SCHEMA}.change WHERE id = $1`, [p.plotId])
        .then((r) => heard.push({ id: p.plotId, committed: r.rowCount === 1 }));
    });
    const rows = async (id: string) => ({
      change: (await pool.query(`SELECT 1 FROM ${SCHEMA}.change WHERE id = $1`, [id])).rowCount,
      outbox: (await pool.query(`SELECT 1 FROM ${SCHEMA}.outbox_event WHERE payload->>'userId' = $1`, [id])).rowCount,
    });
    const change = (id: string, fail: boolean) =>
      withEvents(db, bus, async (tx, announce) => {
        await tx.$executeRawUnsafe(`INSERT INTO ${SCHEMA}.change (id) VALUES ($1::uuid)`, id);
        await announce.publish(topics.userDataErased, { userId: id, service: 'kit' });
        await announce.publish(liveTopic, { plotId: id });
        if (fail) throw new Error('rolled back');
      });

    const failed = randomUUID();
    await expect(change(failed, true)).rejects.toThrow('rolled back');
    const committed = randomUUID();
    await change(committed, false);
    await waitFor(() => heard.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(await rows(failed)).toEqual({ change: 0, outbox: 0 });
    expect(await rows(committed)).toEqual({ change: 1, outbox: 1 });
    // Live listeners hear of the change only once it is visible to everyone.
    expect(heard).toEqual([{ id: committed, committed: true }]);
    await events.stop();
  });
});
