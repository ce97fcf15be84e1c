// Finding 1 across replicas: auth and two farm replicas as separate services on Redis pub/sub (as in a cluster), plus
// a third replica whose Redis becomes unreachable, which must still learn revocations through the catch-up fallback.
// (Its Redis is cut after the start: farm subscribes to its own events when it starts, and a start waits for Redis.)
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, RedisEventBus, type RunningSubgraph } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { loadService } from '@vegshare/tools/services';
import { startTcpProxy, type TcpProxy } from '@vegshare/tools/testing/tcp-proxy';
import { GATEWAY_SECRET, bearer, codeOf, post, timeUntil } from './harness.ts';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A Redis URL through a proxy the test cuts once the service is up: from then on its bus is down, for it alone. */
async function cuttableRedis(): Promise<{ url: string; proxy: TcpProxy }> {
  const redis = new URL(REDIS_URL);
  const proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  const url = new URL(REDIS_URL);
  url.host = proxy.address;
  return { url: url.toString(), proxy };
}

let database: TestDatabase;
const running: RunningSubgraph[] = [];
const buses: RedisEventBus[] = [];
let auth: RunningSubgraph | undefined;
let farms: RunningSubgraph[] = [];
let isolated: RunningSubgraph;

async function start(
  name: string,
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<RunningSubgraph> {
  const service = await loadService(name);
  const logger = createLogger(name, 'silent');
  // One bus per replica, as one per process in a cluster.
  const bus = new RedisEventBus(redisUrl, logger, prefix);
  buses.push(bus);
  const config = service.loadConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    GATEWAY_SECRET,
    ...(auth ? { AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json` } : {}),
    ...env,
  });
  const started = await service.start(config, { logger, events: bus });
  running.push(started);
  return started;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const prefix = `vegshare-test-${randomBytes(4).toString('hex')}:`;
  for (const name of ['auth', 'farm']) await (await loadService(name)).seed(database.url);
  auth = await start('auth', REDIS_URL, prefix);
  farms = [await start('farm', REDIS_URL, prefix), await start('farm', REDIS_URL, prefix)];
  const cuttable = await cuttableRedis();
  isolated = await start('farm', cuttable.url, prefix);
  await cuttable.proxy.cut();
}, 120_000);

afterAll(async () => {
  for (const s of running.reverse()) await s.stop(500).catch(() => undefined);
  // A bus whose Redis was cut may never finish quitting: give each a moment, no more.
  for (const b of buses) await Promise.race([b.close().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
  await database?.drop();
});

const gql = (service: RunningSubgraph | undefined, query: string, headers: Record<string, string> = {}) =>
  post(`${service?.url ?? ''}/graphql`, { query }, { 'x-gateway-secret': GATEWAY_SECRET, ...headers });

async function login(): Promise<{ token: string }> {
  const r = await gql(
    auth,
    `mutation { login(input: { email: "${demo.users.customer.email}", password: "${demo.password}" }) { accessToken } }`,
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return { token: (r.data as { login: { accessToken: string } }).login.accessToken };
}

const MY_RENTALS = '{ myRentals(first: 1) { edges { node { id } } } }';
const refused = async (service: RunningSubgraph, token: string) =>
  codeOf(await gql(service, MY_RENTALS, bearer(token))) === 'UNAUTHENTICATED';

describe('revocation across replicas', () => {
  it('a logout at auth is refused by both farm replicas within a second (Redis pub/sub)', async () => {
    const { token } = await login();
    for (const farm of farms) expect((await gql(farm, MY_RENTALS, bearer(token))).errors).toBeUndefined();
    const loggedOut = Date.now();
    expect((await gql(auth, 'mutation { logout }', bearer(token))).data).toEqual({ logout: true });
    const times = await Promise.all(farms.map((farm) => timeUntil(() => refused(farm, token), 1000, 10)));
    for (const ms of times) expect(ms).toBeLessThan(1000);
    expect(Date.now() - loggedOut).toBeLessThan(1500);
  });

  it('with its bus down, a replica still learns a revocation from the catch-up within about a second, and says so in /ready', async () => {
    const ready = (await (await fetch(`${isolated.url}/ready`)).json()) as { checks: { name: string; ok: boolean }[] };
    // The view is current through the catch-up although events cannot arrive.
    expect(ready.checks.find((c) => c.name === 'revocations')).toEqual({ name: 'revocations', ok: true });
    const { token } = await login();
    expect((await gql(isolated, MY_RENTALS, bearer(token))).errors).toBeUndefined();
    await gql(auth, 'mutation { logout }', bearer(token));
    const ms = await timeUntil(() => refused(isolated, token), 3000, 20);
    // The fallback polls auth every second: one interval plus a request, with margin for a loaded machine.
    expect(ms).toBeLessThan(2500);
  });

  it('with its bus down, a replica learns an account deletion from the catch-up (the account_deletion table)', async () => {
    const email = `leaving.${Date.now()}@example.test`;
    const password = 'correct horse battery staple';
    const registered = await gql(
      auth,
      `mutation { register(input: { email: "${email}", password: "${password}", displayName: "Leaving" }) { accessToken } }`,
    );
    const token = (registered.data as { register: { accessToken: string } } | null)?.register.accessToken as string;
    expect((await gql(isolated, MY_RENTALS, bearer(token))).errors).toBeUndefined();
    expect((await gql(auth, `mutation { deleteAccount(password: "${password}") }`, bearer(token))).data).toEqual({
      deleteAccount: true,
    });
    // The sessions went with the account: only the deletion itself can revoke this token.
    const ms = await timeUntil(() => refused(isolated, token), 3000, 20);
    expect(ms).toBeLessThan(2500);
  });

  it('with its bus down and auth unreachable, a replica refuses tokens (503) instead of trusting a stale view', async () => {
    const { token } = await login();
    const service = await loadService('farm');
    const logger = createLogger('farm', 'silent');
    const cuttable = await cuttableRedis();
    const bus = new RedisEventBus(cuttable.url, logger);
    buses.push(bus);
    const blind = await service.start(
      service.loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        LOG_LEVEL: 'silent',
        GATEWAY_SECRET,
        AUTH_JWKS_URL: `${auth?.url ?? ''}/.well-known/jwks.json`,
        AUTH_INTERNAL_URL: 'http://127.0.0.1:9',
        REVOCATION_MAX_STALE_SECONDS: '1',
      }),
      { logger, events: bus },
    );
    running.push(blind);
    await cuttable.proxy.cut();
    // Refused as soon as the service notices its bus is gone (no catch-up ever succeeded, so the view vouches for nothing).
    await timeUntil(async () => (await gql(blind, MY_RENTALS, bearer(token))).status === 503, 3000);
    const r = await gql(blind, MY_RENTALS, bearer(token));
    expect(r.status).toBe(503);
    expect(codeOf(r)).toBe('SERVICE_UNAVAILABLE');
    // Anonymous reads still work: only access that cannot be confirmed is refused.
    expect((await gql(blind, '{ crops { id } }')).errors).toBeUndefined();
  });

  it('a replica whose Redis is gone still stops promptly (no UNSUBSCRIBE waiting out the reconnects)', async () => {
    const started = performance.now();
    await isolated.stop(500);
    running.splice(running.indexOf(isolated), 1);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
