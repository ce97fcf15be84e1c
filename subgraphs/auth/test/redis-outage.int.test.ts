// Sign-in without Redis: a real redis-server of this test's own (free port) is killed and restarted under a running
// auth service; logins keep succeeding with the brute-force limits held in process memory (counted, flagged, logged),
// and the limits go back to Redis when it answers again. And auth starts with Redis down: ready, signing in, flagged
// degraded from the start, back on Redis (limits and event subscriptions) once it is up. Never touches the machine's
// shared Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, createMetrics, type RunningSubgraph, type ServiceMetrics } from '@vegshare/kit';
import { freePort } from '@vegshare/tools/ports';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { waitFor } from '@vegshare/tools/testing/wait';
import { loadAuthConfig, startAuthService } from '../src/service.ts';
import { GOOD_PASSWORD, HARNESS_GATEWAY_SECRET, LOGIN, REGISTER, uniqueEmail } from './harness.ts';

let database: TestDatabase;
let port: number;
let redis: ChildProcess | null = null;
let service: RunningSubgraph;
let metrics: ServiceMetrics;
const prefix = `test:${randomBytes(6).toString('hex')}`;

function startRedis(onPort = port): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(onPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
}

async function killRedis(): Promise<void> {
  const child = redis;
  redis = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const gql = async (url: string, query: string, variables: Record<string, unknown>, ip: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gateway-secret': HARNESS_GATEWAY_SECRET, 'x-forwarded-for': ip },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, { accessToken?: string }> | null;
    errors?: { extensions?: { code?: string } }[];
  };
};
const login = (email: string, password: string, ip = '192.0.2.77', url = service.url) =>
  gql(url, LOGIN, { input: { email, password } }, ip);
const metric = async (name: string, of = metrics): Promise<number> => {
  const values = (await of.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
};

const config = (redisPort: number) =>
  loadAuthConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    NODE_ENV: 'development',
    GATEWAY_SECRET: HARNESS_GATEWAY_SECRET,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    RATE_LIMIT_PREFIX: prefix,
    LOGIN_IP_LIMIT: '1000',
    REGISTER_IP_LIMIT: '1000',
    LOGIN_FREE_FAILURES: '3',
  });

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  redis = await startRedis();
  metrics = createMetrics('auth');
  // No injected bus: auth's events go over this Redis too, as in production.
  service = await startAuthService(config(port), { logger: createLogger('auth', 'silent'), metrics });
}, 60_000);

afterAll(async () => {
  await service?.stop(1000);
  await killRedis();
  await database?.drop();
});

describe('Redis outage', () => {
  it('keeps sign-in working on per-replica limits while Redis is down, and returns to Redis when it is back', async () => {
    const email = uniqueEmail('outage');
    const registered = await gql(
      service.url,
      REGISTER,
      { input: { email, password: GOOD_PASSWORD, displayName: 'Outage' } },
      '192.0.2.70',
    );
    expect(registered.errors).toBeUndefined();
    expect((await login(email, GOOD_PASSWORD)).data?.['login']?.accessToken).toEqual(expect.any(String));
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null });
    await probe.connect();
    expect((await probe.keys(`${prefix}:login-ip*`)).length).toBeGreaterThan(0);
    probe.disconnect();
    expect(await metric('rate_limit_degraded')).toBe(0);

    await killRedis();
    // Sign-in still works, promptly.
    const started = Date.now();
    expect((await login(email, GOOD_PASSWORD)).data?.['login']?.accessToken).toEqual(expect.any(String));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await metric('rate_limit_degraded')).toBe(1);
    expect(await metric('rate_limit_fallback_total')).toBeGreaterThan(0);
    // …and the brute-force back-off still holds, in memory: 3 free failures, then the account is locked for a while.
    const victim = uniqueEmail('victim');
    for (let n = 0; n < 4; n++)
      expect((await login(victim, 'wrong password!', '192.0.2.78')).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    expect((await login(victim, 'wrong password!', '192.0.2.78')).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    // Redis comes back (empty: nothing is saved): the limits use it again.
    redis = await startRedis();
    await waitFor(
      () => metric('rate_limit_degraded'),
      (v) => v === 0,
      15_000,
    );
    expect((await login(email, GOOD_PASSWORD, '192.0.2.79')).data?.['login']?.accessToken).toEqual(expect.any(String));
    const again = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null });
    await again.connect();
    expect(await again.keys(`${prefix}:login-ip*`)).toEqual(
      expect.arrayContaining([expect.stringContaining('192.0.2.79')]),
    );
    again.disconnect();
  }, 60_000);
});

describe('Redis down at start', () => {
  it('starts ready without Redis, signs in on per-replica limits, and moves to Redis when it comes up', async () => {
    const closedPort = await freePort();
    const ownMetrics = createMetrics('auth');
    const started = Date.now();
    const down = await startAuthService(config(closedPort), {
      logger: createLogger('auth', 'silent'),
      metrics: ownMetrics,
    });
    let lateRedis: ChildProcess | null = null;
    try {
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await fetch(`${down.url}/ready`)).status).toBe(200);
      // Flagged at once (the alert fires on it), not only after the first limited request.
      expect(await metric('rate_limit_degraded', ownMetrics)).toBe(1);
      const email = uniqueEmail('cold');
      const registered = await gql(
        down.url,
        REGISTER,
        { input: { email, password: GOOD_PASSWORD, displayName: 'Cold start' } },
        '192.0.2.80',
      );
      expect(registered.errors).toBeUndefined();
      const signedIn = Date.now();
      expect((await login(email, GOOD_PASSWORD, '192.0.2.81', down.url)).data?.['login']?.accessToken).toEqual(
        expect.any(String),
      );
      expect(Date.now() - signedIn).toBeLessThan(3000);
      expect(await metric('rate_limit_fallback_total', ownMetrics)).toBeGreaterThan(0);
      // The brute-force back-off holds in memory meanwhile.
      const victim = uniqueEmail('cold-victim');
      for (let n = 0; n < 4; n++) await login(victim, 'wrong password!', '192.0.2.82', down.url);
      expect((await login(victim, 'wrong password!', '192.0.2.82', down.url)).errors?.[0]?.extensions?.code).toBe(
        'RATE_LIMITED',
      );

      // Redis comes up: the limits go to it, and the event subscriptions made while it was down are made there.
      lateRedis = await startRedis(closedPort);
      await waitFor(
        () => metric('rate_limit_degraded', ownMetrics),
        (v) => v === 0,
        15_000,
      );
      const probe = new Redis(`redis://127.0.0.1:${closedPort}`, { lazyConnect: true, retryStrategy: () => null });
      await probe.connect();
      try {
        // Revocations (the live feed) and erasure acknowledgements (the durable consumer, without NATS_URL).
        const channels = await waitFor(
          () => probe.pubsub('CHANNELS', 'vegshare:*') as Promise<string[]>,
          (c) => c.includes('vegshare:auth.access.revoked') && c.includes('vegshare:account.data.erased'),
          15_000,
        );
        expect(channels).toEqual(
          expect.arrayContaining(['vegshare:auth.access.revoked', 'vegshare:account.data.erased']),
        );
        expect((await login(email, GOOD_PASSWORD, '192.0.2.83', down.url)).data?.['login']?.accessToken).toEqual(
          expect.any(String),
        );
        expect(await probe.keys(`${prefix}:login-ip*`)).toEqual(
          expect.arrayContaining([expect.stringContaining('192.0.2.83')]),
        );
      } finally {
        probe.disconnect();
      }
    } finally {
      await down.stop(1000);
      if (lateRedis && lateRedis.exitCode === null) {
        const exited = new Promise((r) => lateRedis?.once('exit', r));
        lateRedis.kill('SIGKILL');
        await exited;
      }
    }
  }, 60_000);
});
