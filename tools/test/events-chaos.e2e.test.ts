// Chaos tests of the event backbone with real processes: a farm subgraph killed with SIGKILL between its commit and
// the relay's publish, and a NATS server killed and restarted during a burst. Each runs on a NATS server of its own
// (JetStream, file store in a temporary directory), never the machine's shared one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  enqueueEvent,
  topics,
  firstDelivery,
  JetStreamEventStream,
  OutboxRelay,
  type RawExecutor,
  type RentalChanged,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';
import { freePorts } from '../src/ports.ts';
import { startTestNatsServer, type TestNatsServer } from '../src/testing/nats-server.ts';
import { loadService } from '../src/services.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const logger = createLogger('chaos', 'silent');
const issuer = 'https://auth.chaos.local';
const audience = 'vegshare-chaos';

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let database: TestDatabase;
let nats: TestNatsServer;
let authServer: Server;
let authUrl = '';
let mint: (userId: string, roles: string[]) => Promise<string>;

beforeAll(async () => {
  database = await createTestDatabase();
  await (await loadService('farm')).seed(database.url);
  const [natsPort] = await freePorts(1);
  nats = await startTestNatsServer(natsPort!);
  // What the farm needs of an auth service: the JWKS of our test key and an empty revocation feed.
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  authServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/.well-known/jwks.json')) res.end(JSON.stringify({ keys: [jwk] }));
    else if (req.url?.startsWith('/internal/revocations')) res.end(JSON.stringify({ changes: [] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  authUrl = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}`;
  mint = (userId, roles) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
}, 60_000);

afterAll(async () => {
  await nats?.close();
  await new Promise((resolve) => authServer?.close(resolve));
  await database?.drop();
});

interface FarmProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

/** The farm subgraph as `node src/main.ts` runs it in production, on its own port, with JetStream. */
async function spawnFarm(port: number): Promise<FarmProcess> {
  const { NODE_ENV: _vitest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/farm/src/main.ts'], {
    cwd: repo,
    env: {
      ...inherited,
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      NATS_URL: nats.url,
      AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`farm exited: ${out}`);
      return fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false,
      );
    },
    40_000,
    'the farm subgraph to be ready',
  );
  return { child, url, output: () => out };
}

async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('event backbone under failures', () => {
  it('an event committed by a farm killed with SIGKILL before its relay published is delivered after the restart', async () => {
    const [port] = await freePorts(1);
    let farm = await spawnFarm(port!);
    const stream = await JetStreamEventStream.connect(nats.url, { name: 'chaos-observer', logger });
    const seen: RentalChanged[] = [];
    const stopObserver = await stream.consume<RentalChanged>({
      consumer: `chaos-${randomUUID()}`,
      topic: topics.rentalChanged,
      handle: async (e) => void seen.push(e.payload),
    });
    try {
      // JetStream goes away: the relay cannot publish, so the committed event waits in the outbox.
      await nats.kill();
      const token = await mint(demo.users.customer.id, ['CUSTOMER']);
      const year = new Date().getUTCFullYear() + 2;
      const res = await fetch(`${farm.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation { requestRental(plotId: "${demo.plots.river1}", startsOn: "${year}-05-01", endsOn: "${year}-09-01") { id } }`,
        }),
      });
      const body = (await res.json()) as { data?: { requestRental?: { id: string } }; errors?: unknown };
      const rentalId = body.data?.requestRental?.id;
      expect(rentalId, JSON.stringify(body)).toBeTruthy();
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const pending = await db.query(
        `SELECT topic FROM farm.outbox_event WHERE sent_at IS NULL AND (payload->>'rentalId' = $1 OR payload->>'bookingId' = $1)`,
        [rentalId],
      );
      await db.end();
      expect(pending.rows.map((r: { topic: string }) => r.topic).sort()).toEqual(
        [topics.bookingChanged, topics.rentalChanged].sort(),
      );
      // The process dies without any chance to publish (no shutdown hook runs on SIGKILL).
      await sigkill(farm.child);
      await nats.start();
      farm = await spawnFarm(port!);
      await waitFor(() => seen.some((e) => e.rentalId === rentalId), 30_000, 'RentalChanged after the restart');
      expect(seen.filter((e) => e.rentalId === rentalId)).toHaveLength(1);
    } finally {
      await stopObserver();
      await stream.close();
      await sigkill(farm.child);
    }
  }, 90_000);

  it('a NATS server killed and restarted during a burst loses and duplicates no event at the consumer', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const schema = 'farm';
    await pool.query('CREATE TABLE IF NOT EXISTS farm.chaos_effect (event_id text NOT NULL, n int NOT NULL)');
    const exec = (c: pg.PoolClient | pg.Pool): RawExecutor => ({
      $executeRawUnsafe: async (q: string, ...v: unknown[]) => (await c.query(q, v)).rowCount ?? 0,
    });
    const tx = async (fn: (t: RawExecutor) => Promise<void>) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await fn(exec(c));
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      } finally {
        c.release();
      }
    };
    const producer = await JetStreamEventStream.connect(nats.url, { name: 'chaos-producer', logger });
    const consumerStream = await JetStreamEventStream.connect(nats.url, { name: 'chaos-consumer', logger });
    const relay = new OutboxRelay({ schema, databaseUrl: database.url, stream: producer, logger, pollMs: 200 });
    const topic = `chaos.burst.${randomUUID()}`;
    const consumer = `chaos-burst-${randomUUID()}`;
    let redelivered = 0;
    // The consumer's effect and its processed-event row in one transaction: a redelivery (after a lost ack) is skipped.
    const stop = await consumerStream.consume<{ n: number }>({
      consumer,
      topic,
      backoffMs: [100],
      maxDeliver: 50,
      handle: async (e) => {
        if (e.attempt > 1) redelivered++;
        await tx(async (t) => {
          if (await firstDelivery(t, schema, consumer, e.id))
            await t.$executeRawUnsafe('INSERT INTO farm.chaos_effect (event_id, n) VALUES ($1, $2)', e.id, e.payload.n);
        });
      },
    });
    relay.start();
    const total = 400;
    try {
      const burst = (async () => {
        for (let n = 0; n < total; n++) await tx((t) => enqueueEvent(t, schema, topic, { n }).then(() => undefined));
      })();
      await waitFor(
        async () => (await pool.query('SELECT count(*)::int AS c FROM farm.chaos_effect')).rows[0].c >= 50,
        20_000,
        'the burst to start arriving',
      );
      await nats.kill();
      await new Promise((r) => setTimeout(r, 1_000));
      await nats.start();
      await burst;
      await waitFor(
        async () => (await pool.query('SELECT count(*)::int AS c FROM farm.chaos_effect')).rows[0].c >= total,
        40_000,
        'every event at the consumer',
      );
      await new Promise((r) => setTimeout(r, 500));
      const { rows } = await pool.query(
        'SELECT count(*)::int AS rows, count(DISTINCT n)::int AS distinct_n, min(n) AS lo, max(n) AS hi FROM farm.chaos_effect',
      );
      expect(rows[0]).toEqual({ rows: total, distinct_n: total, lo: 0, hi: total - 1 });
      const unsent = await pool.query('SELECT count(*)::int AS c FROM farm.outbox_event WHERE sent_at IS NULL');
      expect(unsent.rows[0].c).toBe(0);
      logger.info({ redelivered }, 'redeliveries during the restart');
    } finally {
      await stop();
      await relay.stop();
      await producer.close();
      await consumerStream.close();
      await pool.end();
    }
  }, 90_000);
});
