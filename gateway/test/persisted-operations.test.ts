// Persisted operations over real HTTP (and graphql-ws): manifest operations by id, automatic persisted queries in
// memory and shared through the real Redis, and the safelist that restricts callers to the manifest.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { MemoryEventBus } from '@vegshare/kit';
import type { RunningGateway } from '../src/index.ts';
import { sha256Hex } from '../src/persisted/manifest.ts';
import { startFixtureStack, type FixtureStack, type TickTopics } from './fixtures.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** This run's own keys in the shared Redis, removed afterwards. */
const PREFIX = `vegshare-test:${randomUUID()}:`;

const CAMERA = 'query CameraName($id: ID!) {\n  camera(id: $id) {\n    id\n    name\n  }\n}';
const TICKS = 'subscription Ticks($channel: String!) {\n  tick(channel: $channel) {\n    n\n  }\n}';
const manifestOf = (operations: { id: string; name: string; type: string; body: string }[]) =>
  JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });
const LISTED = [
  { id: sha256Hex(CAMERA), name: 'CameraName', type: 'query', body: CAMERA },
  { id: sha256Hex(TICKS), name: 'Ticks', type: 'subscription', body: TICKS },
];

const bus = new MemoryEventBus<TickTopics>();
let stack: FixtureStack;
let dir: string;
/** SAFELIST_MODE=off, APQ in memory. */
let open: RunningGateway;
/** SAFELIST_MODE=all, APQ in Redis. */
let locked: RunningGateway;
/** Two unrestricted replicas sharing APQ through Redis. */
let replicaA: RunningGateway;
let replicaB: RunningGateway;
let redis: Redis;

type Body = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function post(gateway: RunningGateway, body: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
/** An operation text of this run only, so its hash is in no cache yet. */
const fresh = () => `query Fresh { camera(id: "${randomUUID()}") { id name } }`;
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.['code'];

function start(env: Record<string, string>): Promise<RunningGateway> {
  return stack.gateway({ PERSISTED_OPERATIONS_PATH: join(dir, 'manifest.json'), ...env });
}

beforeAll(async () => {
  stack = await startFixtureStack(bus);
  dir = mkdtempSync(join(tmpdir(), 'gw-persisted-'));
  writeFileSync(join(dir, 'manifest.json'), manifestOf(LISTED));
  redis = new Redis(REDIS_URL);
  const shared = { REDIS_URL, APQ_REDIS_PREFIX: PREFIX, APQ_TTL_SECONDS: '120' };
  [open, locked, replicaA, replicaB] = await Promise.all([
    start({ SAFELIST_MODE: 'off' }),
    start({ SAFELIST_MODE: 'all', ...shared }),
    start({ SAFELIST_MODE: 'off', ...shared }),
    start({ SAFELIST_MODE: 'off', ...shared }),
  ]);
});

afterAll(async () => {
  await stack?.stop();
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

describe('manifest operations', () => {
  it('runs a manifest operation sent by id only, over POST and GET, and counts it', async () => {
    const byId = await post(open, { extensions: persisted(sha256Hex(CAMERA)), variables: { id: 'c1' } });
    expect(byId).toEqual({ status: 200, body: { data: { camera: { id: 'c1', name: 'Camera c1' } } } });
    const search = new URLSearchParams({
      extensions: JSON.stringify(persisted(sha256Hex(CAMERA))),
      variables: JSON.stringify({ id: 'c2' }),
    });
    const get = await fetch(`${open.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual({ data: { camera: { id: 'c2', name: 'Camera c2' } } });
    expect(await (await fetch(`${open.metricsUrl}/metrics`)).text()).toMatch(
      /gateway_persisted_operations_total\{[^}]*outcome="manifest_id"[^}]*\} 2/,
    );
  });

  it('refuses to start with a manifest whose id is not the sha256 of its body, or that is not a manifest', async () => {
    writeFileSync(join(dir, 'bad-id.json'), manifestOf([{ ...LISTED[0]!, id: sha256Hex('something else') }]));
    await expect(start({ PERSISTED_OPERATIONS_PATH: join(dir, 'bad-id.json') })).rejects.toThrow(
      /operations\[0\] CameraName: id [0-9a-f]{64} is not the SHA-256 of its body/,
    );
    writeFileSync(join(dir, 'bad-name.json'), manifestOf([{ ...LISTED[0]!, name: 'Other' }]));
    await expect(start({ PERSISTED_OPERATIONS_PATH: join(dir, 'bad-name.json') })).rejects.toThrow(
      /name "Other" differs from the body's operation name "CameraName"/,
    );
    writeFileSync(join(dir, 'not-a-manifest.json'), JSON.stringify({ operations: {} }));
    await expect(start({ PERSISTED_OPERATIONS_PATH: join(dir, 'not-a-manifest.json') })).rejects.toThrow(
      /is not an apollo-persisted-query-manifest v1/,
    );
    await expect(start({ PERSISTED_OPERATIONS_PATH: join(dir, 'missing.json') })).rejects.toThrow(/cannot be read/);
  });
});

describe('automatic persisted queries for unrestricted callers', () => {
  it('registers a query with its hash, then runs it from the hash alone; an unknown hash is PERSISTED_QUERY_NOT_FOUND', async () => {
    const query = fresh();
    const miss = await post(open, { extensions: persisted(sha256Hex(query)) });
    expect(codeOf(miss.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.status).toBe(200); // Apollo's APQ protocol: the client resends with the text
    const registered = await post(open, { query, extensions: persisted(sha256Hex(query)) });
    expect(registered.status).toBe(200);
    await expect
      .poll(async () => (await post(open, { extensions: persisted(sha256Hex(query)) })).body.data?.['camera'])
      .toMatchObject({ name: expect.stringMatching(/^Camera /) });
  });

  it('shares registrations between replicas through Redis, under the configured prefix and TTL', async () => {
    const query = fresh();
    const hash = sha256Hex(query);
    expect(codeOf((await post(replicaB, { extensions: persisted(hash) })).body)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(replicaA, { query, extensions: persisted(hash) })).status).toBe(200);
    await expect.poll(async () => (await post(replicaB, { extensions: persisted(hash) })).body.errors).toBeUndefined();
    const ttl = await redis.ttl(`${PREFIX}apq:${hash}`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });
});

describe('SAFELIST_MODE=all', () => {
  it('runs listed operations by id and by identical text', async () => {
    expect(await post(locked, { extensions: persisted(sha256Hex(CAMERA)), variables: { id: 'c3' } })).toEqual({
      status: 200,
      body: { data: { camera: { id: 'c3', name: 'Camera c3' } } },
    });
    expect(await post(locked, { query: CAMERA, variables: { id: 'c4' } })).toEqual({
      status: 200,
      body: { data: { camera: { id: 'c4', name: 'Camera c4' } } },
    });
    expect(
      (await post(locked, { query: CAMERA, variables: { id: 'c5' }, extensions: persisted(sha256Hex(CAMERA)) })).status,
    ).toBe(200);
  });

  it('refuses unlisted text with QUERY_NOT_IN_SAFELIST (400), even the listed operation reformatted', async () => {
    for (const query of ['{ ping }', CAMERA.replace(/\n\s*/g, ' '), '{ not even graphql']) {
      const { status, body } = await post(locked, { query, variables: { id: 'c1' } });
      expect(status).toBe(400);
      expect(codeOf(body)).toBe('QUERY_NOT_IN_SAFELIST');
      expect(body.data).toBeUndefined();
    }
    // The safelist answers first, whatever operation name comes with the text.
    const named = await post(locked, { query: 'query Other { ping }', operationName: 'Missing' });
    expect(named.status).toBe(400);
    expect(codeOf(named.body)).toBe('QUERY_NOT_IN_SAFELIST');
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_IN_LIST (400), even one another caller registered as APQ', async () => {
    const unknown = await post(locked, { extensions: persisted(sha256Hex(fresh())) });
    expect(unknown.status).toBe(400);
    expect(codeOf(unknown.body)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const query = fresh();
    expect((await post(replicaA, { query, extensions: persisted(sha256Hex(query)) })).status).toBe(200);
    await expect.poll(() => redis.exists(`${PREFIX}apq:${sha256Hex(query)}`)).toBe(1);
    const registeredElsewhere = await post(locked, { extensions: persisted(sha256Hex(query)) });
    expect(registeredElsewhere.status).toBe(400);
    expect(codeOf(registeredElsewhere.body)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('never registers an APQ entry for a restricted caller', async () => {
    const query = fresh();
    const attempt = await post(locked, { query, extensions: persisted(sha256Hex(query)) });
    expect(attempt.status).toBe(400);
    expect(codeOf(attempt.body)).toBe('QUERY_NOT_IN_SAFELIST');
    await new Promise((r) => setTimeout(r, 200));
    expect(await redis.exists(`${PREFIX}apq:${sha256Hex(query)}`)).toBe(0);
    expect(codeOf((await post(replicaB, { extensions: persisted(sha256Hex(query)) })).body)).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    // Listed text with its hash runs, and is not written to the APQ cache either (the manifest already holds it).
    expect(
      (await post(locked, { query: CAMERA, variables: { id: 'c6' }, extensions: persisted(sha256Hex(CAMERA)) })).status,
    ).toBe(200);
    expect(await redis.exists(`${PREFIX}apq:${sha256Hex(CAMERA)}`)).toBe(0);
  });

  it('counts refusals by outcome', async () => {
    const text = await (await fetch(`${locked.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/gateway_persisted_operations_total\{[^}]*outcome="not_in_safelist"[^}]*\} [1-9]/);
    expect(text).toMatch(/gateway_persisted_operations_total\{[^}]*outcome="not_in_list"[^}]*\} [1-9]/);
    expect(text).toMatch(/graphql_errors_total\{[^}]*code="QUERY_NOT_IN_SAFELIST"[^}]*\} [1-9]/);
  });

  it('applies over graphql-ws too: unlisted operations are refused, listed ones accepted', async () => {
    const client = createClient({
      url: `${locked.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const outcome = (query: string, variables: Record<string, unknown>) =>
        new Promise<unknown>((resolve) => {
          const dispose = client.subscribe(
            { query, variables },
            {
              next: (value) => {
                dispose();
                resolve(value);
              },
              error: (error) => resolve(error),
              complete: () => resolve('complete'),
            },
          );
        });
      const refused = (await outcome('subscription { tick(channel: "x") { n } }', {})) as {
        message: string;
        extensions?: { code?: string };
      }[];
      expect(refused[0]?.extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');
      expect(await outcome(CAMERA, { id: 'ws1' })).toEqual({ data: { camera: { id: 'ws1', name: 'Camera ws1' } } });
      const channel = randomUUID();
      const event = outcome(TICKS, { channel });
      let received = false;
      void event.then(() => (received = true));
      // The upstream subscription is set up asynchronously: publish until the first event arrives.
      for (let n = 0; !received && n < 200; n++) {
        await bus.publish(`tick.${channel}`, { n, channel, cameraId: 'cam-1' });
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await event).toMatchObject({ data: { tick: { n: expect.any(Number) } } });
    } finally {
      await client.dispose();
    }
  });
});
