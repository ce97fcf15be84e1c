// npm run bench:events — events per second and end-to-end latency of the event paths, in one run:
//   outbox → JetStream → durable consumer (each event committed in its own transaction, the relay publishing),
//   outbox → in-process bus (the embedded default), and plain Redis pub/sub (publish → subscriber: no storage,
//   at most once) as the baseline. Prints a markdown table with ratios against Redis.
// Needs Postgres (TEST_DATABASE_URL or 127.0.0.1:5432), NATS with JetStream (BENCH_NATS_URL or 127.0.0.1:4222) and
// Redis (BENCH_REDIS_URL or 127.0.0.1:6379). BENCH_EVENTS (default 2000) events per path, BENCH_CONCURRENCY (8)
// writers.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  BusEventStream,
  createLogger,
  enqueueEvent,
  JetStreamEventStream,
  MemoryEventBus,
  OutboxRelay,
  RedisEventBus,
  type EventStream,
  type RawExecutor,
  type AnyTopics,
} from '@vegshare/kit';

const serverUrl = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env['BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const total = Number(process.env['BENCH_EVENTS'] ?? 2000);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const logger = createLogger('bench-events', 'warn');
const SCHEMA = 'bench_events';

interface Sample {
  readonly sentAt: number;
}

interface Result {
  readonly path: string;
  readonly events: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** Runs `send(i)` for every event with `concurrency` writers; resolves once `received` reaches total. */
async function measure(
  path: string,
  send: (i: number) => Promise<void>,
  subscribe: (onEvent: (s: Sample) => void) => Promise<() => Promise<void>>,
): Promise<Result> {
  const latencies: number[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const stop = await subscribe((s) => {
    latencies.push(performance.now() - s.sentAt);
    if (latencies.length === total) done();
  });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await send(next++);
    }),
  );
  const timeout = setTimeout(() => done(), 60_000);
  await all;
  clearTimeout(timeout);
  const elapsed = (performance.now() - started) / 1000;
  await stop();
  latencies.sort((a, b) => a - b);
  if (latencies.length < total)
    logger.warn({ path, received: latencies.length, total }, 'not every event arrived within 60 s');
  return {
    path,
    events: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

async function main(): Promise<void> {
  const dbName = `vegshare_bench_events_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency + 2 });
  await pool.query(`CREATE SCHEMA ${SCHEMA};
    CREATE TABLE ${SCHEMA}.outbox_event (seq BIGSERIAL PRIMARY KEY, id UUID NOT NULL UNIQUE, topic TEXT NOT NULL, payload JSONB NOT NULL,
      created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(), sent_at TIMESTAMPTZ(3));
    CREATE INDEX ON ${SCHEMA}.outbox_event (sent_at, seq);`);
  /** One event committed in its own transaction, as a service's change does. */
  const commit = async (topic: string, payload: unknown) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const tx: RawExecutor = {
        $executeRawUnsafe: async (q: string, ...v: unknown[]) => (await client.query(q, v)).rowCount ?? 0,
      };
      await enqueueEvent(tx, SCHEMA, topic, payload);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const viaOutbox = async (path: string, stream: EventStream, maxInFlight?: number): Promise<Result> => {
    const relay = new OutboxRelay({ schema: SCHEMA, databaseUrl, stream, logger, pollMs: 500, batchSize: 500 });
    relay.start();
    const topic = `bench.${randomUUID()}`;
    try {
      return await measure(
        path,
        (i) => commit(topic, { i, sentAt: performance.now() }),
        (onEvent) =>
          stream.consume<Sample>({
            consumer: `bench-${randomUUID()}`,
            topic,
            ...(maxInFlight ? { maxInFlight } : {}),
            handle: async (e) => onEvent(e.payload),
          }),
      );
    } finally {
      await relay.stop();
    }
  };

  const results: Result[] = [];
  try {
    const redisPub = new RedisEventBus<{ 'bench.redis': Sample & { readonly i: number } }>(
      redisUrl,
      logger,
      `bench-${randomUUID()}:`,
    );
    const redisTopic = 'bench.redis';
    results.push(
      await measure(
        'Redis pub/sub (baseline: no storage, at most once)',
        (i) => redisPub.publish(redisTopic, { i, sentAt: performance.now() }),
        (onEvent) => redisPub.subscribe(redisTopic, onEvent),
      ),
    );
    await redisPub.close();
    const js = await JetStreamEventStream.connect(natsUrl, { name: 'bench-events', logger });
    results.push(await viaOutbox('outbox → JetStream → durable consumer (strict order, 1 in flight)', js));
    results.push(await viaOutbox('outbox → JetStream → durable consumer (64 in flight)', js, 64));
    await js.close();
    results.push(
      await viaOutbox(
        'outbox → in-process bus (embedded default)',
        new BusEventStream(new MemoryEventBus<AnyTopics>(), logger),
      ),
    );
  } finally {
    await pool.end();
    const drop = new pg.Client({ connectionString: serverUrl });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await drop.end();
  }

  const base = results[0]!;
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const lines = [
    `events per path: ${total}, writers: ${concurrency} (each outbox event committed in its own transaction)`,
    '',
    '| path | events received | events/s | p50 ms | p99 ms | events/s vs Redis | p99 vs Redis |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...results.map(
      (r) =>
        `| ${r.path} | ${r.events} | ${f(r.perSecond)} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${f(r.perSecond / base.perSecond, 2)}× | ${f(r.p99 / base.p99, 1)}× |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
