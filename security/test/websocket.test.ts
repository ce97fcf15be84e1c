// Finding 4: graphql-ws is no second, weaker door — the same limits, masking and persisted-operation rules as HTTP;
// an error in one operation answers that operation and leaves the socket and its other subscriptions alive;
// subscriptions end cleanly when the schema reloads.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { repoRoot } from '@vegshare/tools/workspace';
import { loadGatewayConfig, startGateway } from '@vegshare/gateway';
import { GATEWAY_SECRET, bearer, record, startSuite, timeUntil, wsOnce, type Suite } from './harness.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

const errorCode = (error: unknown): unknown =>
  (error as { extensions?: Record<string, unknown> }[] | null)?.[0]?.extensions?.['code'];

/** A subscription nested as deep as the schema allows: depth 44 was planned before. */
function deepSubscription(levels: number): string {
  return `subscription { streamStatusChanged(streamId: "${demo.cameras.greenA1}") { camera { plot { ${'farm { plots { '.repeat(levels)}code${' } }'.repeat(levels)} } } } }`;
}

describe('one validation path for HTTP and graphql-ws', () => {
  it('refuses an over-deep subscription with OPERATION_LIMIT_EXCEEDED, as HTTP refuses the same depth', async () => {
    const { accessToken } = await suite.login(demo.users.farmer.email);
    const client = suite.ws({ authorization: `Bearer ${accessToken}` });
    const deep = record(client, deepSubscription(14));
    await timeUntil(async () => deep.ended !== null, 3000);
    expect(deep.ended).toBe('error');
    expect((deep.error as { extensions: Record<string, unknown> }[])[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'MAX_DEPTH',
    });
    const overHttp = await suite.gql(deepSubscription(14).replace('subscription', 'query'), {}, bearer(accessToken));
    expect(overHttp.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'MAX_DEPTH' });
  });

  it('applies the alias, cost and token limits over graphql-ws as over HTTP', async () => {
    const client = suite.ws();
    const attacks = {
      MAX_ALIASES: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: crops { id }`).join(' ')} }`,
      MAX_COST: `{ ${Array.from({ length: 25 }, (_, i) => `f${i}: farms(first: 100) { edges { node { plots { rentals(first: 100) { edges { node { id } } } } } } }`).join(' ')} }`,
      MAX_TOKENS: `{ ${Array.from({ length: 3000 }, () => 'crops { id }').join(' ')} }`,
    };
    for (const [limit, query] of Object.entries(attacks)) {
      const overHttp = await suite.gql(query);
      expect(overHttp.errors?.[0]?.extensions, limit).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit });
      const overWs = await wsOnce(client, query).then(
        () => null,
        (e: unknown) => (e as { extensions?: Record<string, unknown> }[])[0]?.extensions,
      );
      expect(overWs, limit).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit });
    }
  });

  it('answers a failing operation with its own error and keeps the socket and its other subscriptions alive', async () => {
    const { accessToken } = await suite.login(demo.users.customer.email);
    const client = suite.ws({ authorization: `Bearer ${accessToken}` });
    const live = record(client, 'subscription { notificationAdded { id title } }');
    // A query whose errors used to close the socket with 4500 ("e.toJSON is not a function").
    const failing = await wsOnce(client, '{ workers { id } me { id } }');
    expect(failing.errors?.length).toBeGreaterThan(0);
    for (const e of failing.errors ?? []) expect(JSON.stringify(e)).not.toMatch(/toJSON|stack/);
    // An invalid operation and an unknown field: `error` messages for those operations only.
    await expect(wsOnce(client, '{ nope }')).rejects.toSatisfy((e) => errorCode(e) === 'GRAPHQL_VALIDATION_FAILED');
    await expect(wsOnce(client, 'query {')).rejects.toSatisfy((e) => errorCode(e) === 'GRAPHQL_PARSE_FAILED');
    // The socket still works, and the subscription is still there.
    expect((await wsOnce(client, '{ me { id } }')).data).toEqual({ me: { id: demo.users.customer.id } });
    expect(live.ended).toBeNull();
  });

  it('masks unexpected failures over graphql-ws exactly as over HTTP', async () => {
    const client = suite.ws();
    const result = await wsOnce(client, '{ farms(first: 1) { edges { node { name } } } }');
    expect(result.errors).toBeUndefined();
    // A persisted-query hash the gateway does not know, over the socket: a coded answer, not a crash.
    await expect(
      new Promise((resolve, reject) =>
        client.subscribe(
          { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
          { next: resolve, error: reject, complete: () => undefined },
        ),
      ),
    ).rejects.toSatisfy((e) => errorCode(e) === 'PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('schema reload', () => {
  it('ends running subscriptions with SUBSCRIPTION_SCHEMA_RELOAD and accepts new ones on the new schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'security-reload-'));
    const file = join(dir, 'supergraph.graphql');
    copyFileSync(join(repoRoot, 'schema/supergraph.graphql'), file);
    const auth = suite.stack.subgraphs.get('auth');
    const gateway = await startGateway(
      loadGatewayConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        GATEWAY_SECRET,
        SUPERGRAPH_PATH: file,
        SUBGRAPH_URLS: [...suite.stack.subgraphs].map(([name, s]) => `${name}=${s.url}/graphql`).join(','),
        AUTH_JWKS_URL: `${auth?.url ?? ''}/.well-known/jwks.json`,
        AUTH_INTERNAL_URL: auth?.url ?? '',
      }),
      { logger: createLogger('gateway', 'silent'), events: suite.stack.events },
    );
    try {
      const { accessToken } = await suite.login(demo.users.customer.email);
      const client = suite.ws(
        { authorization: `Bearer ${accessToken}` },
        `${gateway.url.replace(/^http/, 'ws')}/graphql`,
      );
      const sub = record(client, 'subscription { notificationAdded { id } }');
      await new Promise((r) => setTimeout(r, 300));
      expect(sub.ended).toBeNull();
      // A new supergraph (same content plus a comment): the gateway reloads it.
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n# reloaded ${Date.now()}\n`);
      await timeUntil(async () => sub.ended !== null, 5000);
      expect(sub.ended).toBe('complete');
      expect(sub.results.at(-1)?.errors?.[0]?.extensions?.['code']).toBe('SUBSCRIPTION_SCHEMA_RELOAD');
      const again = record(client, 'subscription { notificationAdded { id } }');
      await new Promise((r) => setTimeout(r, 300));
      expect(again.ended).toBeNull();
      again.dispose();
    } finally {
      await gateway.stop(500);
    }
  });
});
