import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventBus, type EventPayloads } from '@vegshare/kit';
import type { RunningGateway } from '../src/index.ts';
import { startFixtureStack, type FixtureStack } from './fixtures.ts';

let stack: FixtureStack;
let gateway: RunningGateway;
let tokens: FixtureStack['tokens'];

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

beforeAll(async () => {
  stack = await startFixtureStack();
  tokens = stack.tokens;
  gateway = await stack.gateway();
});
afterAll(async () => {
  await stack?.stop();
});

describe('gateway over HTTP', () => {
  it('routes a query across subgraphs', async () => {
    const { status, body } = await post({ query: '{ ping camera(id: "c1") { id name } }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { ping: 'pong', camera: { id: 'c1', name: 'Camera c1' } } });
  });

  it('subgraphs refuse callers without the gateway secret', async () => {
    const res = await fetch(`${stack.catalog.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ camera(id: "1") { id } }' }),
    });
    expect(res.status).toBe(403);
  });

  it('answers 401 UNAUTHENTICATED for a forged, expired or alg:none token', async () => {
    const expired = await tokens.sign('u1', ['CUSTOMER'], '-1m');
    for (const token of [expired, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'not-a-jwt']) {
      const { status, body } = await post({ query: '{ ping }' }, { authorization: `Bearer ${token}` });
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts a valid token', async () => {
    const { status } = await post(
      { query: '{ ping }' },
      { authorization: `Bearer ${await tokens.sign('u1', ['CUSTOMER'])}` },
    );
    expect(status).toBe(200);
  });

  it('rejects alias, token and cost attacks with OPERATION_LIMIT_EXCEEDED', async () => {
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: ping`).join(' ')} }`;
    const aliasResult = await post({ query: aliases });
    expect(aliasResult.body.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'MAX_ALIASES',
    });
    const tokensAttack = `{ ${Array.from({ length: 6000 }, () => 'ping').join(' ')} }`;
    const tokenResult = await post({ query: tokensAttack });
    expect(tokenResult.status).toBe(400);
    expect(tokenResult.body.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'MAX_TOKENS',
    });
  });

  it('answers an unknown operation name, or several operations without one, with 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const unknown = await post({ query: 'query Ping { ping }', operationName: 'FarmsAndPlots' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'Unknown operation named "FarmsAndPlots"',
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
    const ambiguous = await post({ query: 'query A { ping } query B { ping }' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_RESOLUTION_FAILURE');
    expect((await post({ query: 'query A { ping } query B { ping }', operationName: 'B' })).body).toEqual({
      data: { ping: 'pong' },
    });
  });

  it('answers bad JSON and oversized bodies with 4xx, never 500', async () => {
    expect((await post('{not json')).status).toBe(400);
    const huge = JSON.stringify({ query: `{ ping } # ${'x'.repeat(2 * 1024 * 1024)}` });
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: huge,
    }).catch(() => null);
    if (res) expect(res.status).toBe(413);
  });

  it('serves health, readiness (subgraphs reachable) and metrics', async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(await (await fetch(`${gateway.metricsUrl}/metrics`)).text()).toContain('graphql_operations_total');
  });

  it('serves the self-hosted explorer with a strict CSP and no external assets', async () => {
    const page = await fetch(`${gateway.url}/explorer`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/explorer/explorer.js');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${gateway.url}/explorer/explorer.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-encoding')).toBe('gzip');
    const refused = await fetch(`${gateway.url}/explorer/explorer.js`, {
      headers: { 'accept-encoding': 'gzip;q=0, identity' },
    });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(await refused.text()).toBe(await js.text());
    expect((await fetch(`${gateway.url}/explorer/../package.json`)).status).toBe(404);
  });
});

describe('subgraph fetch deduplication', () => {
  it('sends identical concurrent reads once, gives every caller its own correct answer, and counts it', async () => {
    const metric = async () => {
      const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
      const read = (outcome: string) =>
        Number(
          new RegExp(
            `gateway_subgraph_fetches_total\\{[^}]*subgraph="catalog"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
          ).exec(text)?.[1] ?? 0,
        );
      return { sent: read('sent'), deduplicated: read('deduplicated') };
    };
    const before = await metric();
    // Requests differ in whitespace, so each is its own client request, but they plan to the same subgraph fetch.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post({ query: `{ camera(id: "dedup") {${' '.repeat(i + 1)}id name } }` })),
    );
    for (const r of results) expect(r.body).toEqual({ data: { camera: { id: 'dedup', name: 'Camera dedup' } } });
    const after = await metric();
    expect(after.sent - before.sent + (after.deduplicated - before.deduplicated)).toBe(30);
    expect(after.deduplicated - before.deduplicated).toBeGreaterThan(0);
  });
});

describe('shared execution of identical client reads', () => {
  it('answers identical concurrent reads from one execution, never shares mutations or different callers', async () => {
    const count = async () =>
      Number(
        /gateway_requests_shared_total\{[^}]*\} (\d+)/.exec(
          await (await fetch(`${gateway.metricsUrl}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const before = await count();
    const token = await tokens.sign('reader-1', ['CUSTOMER']);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post({ query: '{ ping camera(id: "shared") { name } }' }, i % 2 ? { authorization: `Bearer ${token}` } : {}),
      ),
    );
    for (const r of results) expect(r.body).toEqual({ data: { ping: 'pong', camera: { name: 'Camera shared' } } });
    expect(await count()).toBeGreaterThan(before);
    const { sharedReadKey } = await import('../src/shared-reads.ts');
    const key = sharedReadKey();
    const req = (headers: Record<string, string>) => ({ method: 'POST', headers }) as unknown as IncomingMessage;
    expect(key(req({}), { query: 'mutation { x }' })).toBeNull();
    expect(key(req({ 'x-api-key': 'vsk_abc' }), { query: '{ ping }' })).toBeNull();
    expect(key(req({ authorization: 'Bearer a' }), { query: '{ ping }' })).not.toEqual(
      key(req({ authorization: 'Bearer b' }), { query: '{ ping }' }),
    );
    expect(key(req({}), { query: '{ ping' })).toBeNull();
  });
});

/** The real in-process bus, counting the subscriptions made on it and those still open. */
class CountingBus extends MemoryEventBus {
  made = 0;
  open = 0;

  override async subscribe<K extends keyof EventPayloads & string>(
    topic: K,
    handler: (payload: EventPayloads[K], eventId?: string) => void,
  ): Promise<() => Promise<void>> {
    const unsubscribe = await super.subscribe(topic, handler);
    this.made++;
    this.open++;
    return async () => {
      this.open--;
      await unsubscribe();
    };
  }
}

describe('lifecycle', () => {
  it('closes what a failed start opened, as every subgraph does: the revocation feed leaves the bus', async () => {
    const bus = new CountingBus();
    const start = stack.gateway({ PORT: new URL(gateway.url).port }, { events: bus });
    await expect(start).rejects.toThrow(/EADDRINUSE/);
    expect(bus.made).toBeGreaterThan(0);
    expect(bus.open).toBe(0);
  });
});
