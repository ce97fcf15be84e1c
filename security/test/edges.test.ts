// Findings 2 and 3: subgraphs answer only the gateway (HTTP, `_service`, `_entities`, graphql-ws), a production start
// needs a gateway secret, client addresses come from X-Forwarded-For only through trusted proxies (gateway) and never
// from a subgraph's caller, the dev mailbox exists only in development and only on loopback.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ConfigError, createLogger, MemoryEventBus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { loadService } from '@vegshare/tools/services';
import { readRoverConfig } from '@vegshare/tools/workspace';
import { loadGatewayConfig } from '@vegshare/gateway';
import { devMailboxRoute } from '@vegshare/auth/adapters/http/routes';
import { createAuthDb } from '@vegshare/auth/db';
import { GATEWAY_SECRET, bearer, codeOf, post, startSuite, type Suite } from './harness.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { LOGIN_IP_LIMIT: '5' } });
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

const names = readRoverConfig().subgraphs.map((s) => s.name);
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';

/** Opens graphql-ws to a subgraph with `params` and reports how the server answered connection_init. */
function connectWs(url: string, params: Record<string, unknown>): Promise<'acknowledged' | number> {
  return new Promise((resolve) => {
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: params,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          resolve('acknowledged');
          void client.dispose();
        },
        closed: (event) => resolve((event as { code: number }).code),
      },
    });
  });
}

describe('subgraphs answer only the gateway', () => {
  it.each(names)('%s refuses _service, _entities and plain queries without the gateway secret', async (name) => {
    const url = `${suite.subgraph(name)}/graphql`;
    for (const headers of [
      {},
      { 'x-gateway-secret': 'wrong-secret-of-the-right-length' },
      { 'x-gateway-secret': '' },
    ]) {
      expect((await post(url, { query: '{ _service { sdl } }' }, headers)).status).toBe(403);
      expect(
        (
          await post(
            url,
            { query: ENTITIES, variables: { r: [{ __typename: 'User', id: demo.users.customer.id }] } },
            headers,
          )
        ).status,
      ).toBe(403);
    }
    // The gateway itself gets through.
    const withSecret = await post<{ _service: { sdl: string } }>(
      url,
      { query: '{ _service { sdl } }' },
      { 'x-gateway-secret': GATEWAY_SECRET },
    );
    expect(withSecret.data?._service.sdl.length).toBeGreaterThan(0);
  });

  it.each(['farm', 'user', 'streaming', 'transcoding'])(
    '%s refuses graphql-ws connections without the gateway secret',
    async (name) => {
      const url = suite.subgraph(name);
      expect(await connectWs(url, {})).toBe(4403);
      expect(await connectWs(url, { 'x-gateway-secret': 'wrong-secret-of-the-right-length' })).toBe(4403);
      expect(await connectWs(url, { 'x-gateway-secret': GATEWAY_SECRET })).toBe('acknowledged');
    },
  );

  it.each(names)('%s refuses to start in production without GATEWAY_SECRET', async (name) => {
    const service = await loadService(name);
    const env = {
      DATABASE_URL: suite.database.url,
      NODE_ENV: 'production',
      AUTH_KEY_ENCRYPTION_SECRET: 'a-long-production-secret-value',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      S3_ACCESS_KEY: 'key',
      S3_SECRET_KEY: 'secret',
      S3_BUCKET: 'vegshare',
    };
    expect(() => service.loadConfig(env)).toThrow(/GATEWAY_SECRET: required with NODE_ENV=production/);
    expect(() => service.loadConfig({ ...env, GATEWAY_SECRET })).not.toThrow();
  });

  it('the kit refuses to launch a production subgraph whose config skipped that check', async () => {
    const service = await loadService('farm');
    const unchecked = {
      ...(service.loadConfig({ DATABASE_URL: suite.database.url, PORT: '0' }) as Record<string, unknown>),
      NODE_ENV: 'production',
    };
    await expect(
      service.start(unchecked, { logger: createLogger('farm', 'silent'), events: new MemoryEventBus() }),
    ).rejects.toThrow(ConfigError);
  });

  it('the gateway too refuses a production start without GATEWAY_SECRET', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(
      /GATEWAY_SECRET: required with NODE_ENV=production/,
    );
  });
});

describe('client addresses', () => {
  const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }';
  const SESSIONS = '{ mySessions { ip current } }';
  const sessionIp = async (token: string, url = suite.gatewayUrl) =>
    (
      (
        await post<{ mySessions: { ip: string; current: boolean }[] }>(
          `${url}/graphql`,
          { query: SESSIONS },
          bearer(token),
        )
      ).data?.mySessions ?? []
    ).find((s) => s.current)?.ip;

  it('the gateway ignores a client’s X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const spoofed = await post<{ login: { accessToken: string } }>(
      `${suite.gatewayUrl}/graphql`,
      { query: LOGIN, variables: { i: { email: demo.users.farmer2.email, password: demo.password } } },
      { 'x-forwarded-for': '198.51.100.23' },
    );
    expect(await sessionIp(spoofed.data?.login.accessToken as string)).toBe('127.0.0.1');

    // Behind an ingress (TRUSTED_PROXIES covers our loopback peer), the client the proxy saw is used, and only it:
    // entries a client put further left are ignored.
    const behindIngress = await suite.gateway({ TRUSTED_PROXIES: '127.0.0.0/8' });
    const proxied = await post<{ login: { accessToken: string } }>(
      `${behindIngress.url}/graphql`,
      { query: LOGIN, variables: { i: { email: demo.users.farmer2.email, password: demo.password } } },
      { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' },
    );
    expect(await sessionIp(proxied.data?.login.accessToken as string, behindIngress.url)).toBe('203.0.113.9');
  });

  it('behind a trusted proxy each client has its own sign-in budget: one attacker does not lock everyone out', async () => {
    const behindIngress = await suite.gateway({ TRUSTED_PROXIES: '127.0.0.1/32' });
    const attempt = (ip: string) =>
      post(
        `${behindIngress.url}/graphql`,
        { query: LOGIN, variables: { i: { email: 'nobody@example.test', password: 'wrong password here' } } },
        { 'x-forwarded-for': ip },
      );
    for (let i = 0; i < 5; i += 1) expect(codeOf(await attempt('203.0.113.50'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await attempt('203.0.113.50'))).toBe('RATE_LIMITED');
    // Another client behind the same ingress still signs in.
    const other = await post(
      `${behindIngress.url}/graphql`,
      { query: LOGIN, variables: { i: { email: demo.users.customer.email, password: demo.password } } },
      { 'x-forwarded-for': '203.0.113.51' },
    );
    expect(other.errors).toBeUndefined();
  });

  it('a subgraph never takes its caller’s X-Forwarded-For without the gateway secret', async () => {
    // auth in development without a gateway secret, called directly with a forged address each time: one budget.
    const service = await loadService('auth');
    const auth = await service.start(
      service.loadConfig({
        DATABASE_URL: suite.database.url,
        PORT: '0',
        LOG_LEVEL: 'silent',
        LOGIN_IP_LIMIT: '3',
        RATE_LIMIT_PREFIX: `sec-${Date.now()}`,
      }),
      { logger: createLogger('auth', 'silent'), events: new MemoryEventBus() },
    );
    try {
      const attempt = (i: number) =>
        post(
          `${auth.url}/graphql`,
          { query: LOGIN, variables: { i: { email: 'nobody@example.test', password: 'wrong password here' } } },
          { 'x-forwarded-for': `198.51.100.${i}` },
        );
      const codes = [];
      for (let i = 0; i < 5; i += 1) codes.push(codeOf(await attempt(i)));
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      await auth.stop(500);
    }
  });
});

describe('dev mailbox', () => {
  it('answers on loopback in development, never to a proxied or remote caller, and does not exist elsewhere', async () => {
    const auth = suite.subgraph('auth');
    expect((await fetch(`${auth}/dev/mailbox?email=${encodeURIComponent(demo.users.customer.email)}`)).status).toBe(
      200,
    );
    expect(
      (await fetch(`${auth}/dev/mailbox?email=a@b.c`, { headers: { 'x-forwarded-for': '127.0.0.1' } })).status,
    ).toBe(403);
    // A remote peer (as the kernel reports it), through the route itself.
    const db = createAuthDb(suite.database.url);
    try {
      let status = 0;
      const res = { writeHead: (s: number) => ((status = s), res), end: () => res } as unknown as ServerResponse;
      await devMailboxRoute(db)(
        { method: 'GET', headers: {}, socket: { remoteAddress: '203.0.113.7' } } as unknown as IncomingMessage,
        res,
        '?email=a@b.c',
      );
      expect(status).toBe(403);
    } finally {
      await db.$disconnect();
    }
    // NODE_ENV=test or production: no mailbox at all, and it cannot be switched on.
    const service = await loadService('auth');
    expect(() =>
      service.loadConfig({ DATABASE_URL: suite.database.url, NODE_ENV: 'test', DEV_MAILBOX: 'true' }),
    ).toThrow(/DEV_MAILBOX/);
    const testAuth = await service.start(
      service.loadConfig({ DATABASE_URL: suite.database.url, PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
      { logger: createLogger('auth', 'silent'), events: new MemoryEventBus() },
    );
    try {
      expect((await fetch(`${testAuth.url}/dev/mailbox?email=a@b.c`)).status).toBe(404);
    } finally {
      await testAuth.stop(500);
    }
  });
});
