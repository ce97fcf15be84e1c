import federation from '@apollo/federation-internals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { createLogger, GATEWAY_SECRET_HEADER } from '@vegshare/kit';
import { ApiKeyExchanger } from '../src/api-keys.ts';
import { subgraphUrls } from '../src/subgraph-urls.ts';
import { readFileSync } from 'node:fs';

/**
 * The exchange's caching against an HTTP endpoint shaped like auth's /internal/api-key-token: one request per key
 * however many callers ask at once, answers remembered, refusals remembered briefly, failures not at all.
 */
const GOOD = 'vsk_good_key_0123456789';
const REFUSED = 'vsk_refused_key_0123456';
const BROKEN = 'vsk_broken_key_01234567';

let server: Server;
let authUrl: string;
const requests: string[] = [];
let brokenStatus = 500;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { apiKey } = JSON.parse(body) as { apiKey: string };
      requests.push(`${req.headers[GATEWAY_SECRET_HEADER] ?? '-'} ${apiKey}`);
      // Answered after a moment, so concurrent callers overlap.
      setTimeout(() => {
        if (apiKey === GOOD) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accessToken: `token-${requests.length}`, expiresIn: 900 }));
        } else if (apiKey === BROKEN) {
          res.writeHead(brokenStatus, { 'content-type': 'application/json' });
          res.end(brokenStatus === 200 ? JSON.stringify({ accessToken: 'late-token', expiresIn: 900 }) : '{}');
        } else {
          res.writeHead(401).end();
        }
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const exchanger = () =>
  new ApiKeyExchanger({ authUrl, gatewaySecret: 'secret-0123', logger: createLogger('gateway', 'silent') });
const code = (error: unknown) => (error instanceof GraphQLError ? error.extensions['code'] : String(error));

describe('API key exchange', () => {
  it('exchanges a key once for concurrent callers, then answers from the cache', async () => {
    requests.length = 0;
    const keys = exchanger();
    const answers = await Promise.all(Array.from({ length: 8 }, () => keys.authorizationFor(GOOD)));
    expect(new Set(answers)).toEqual(new Set(['Bearer token-1']));
    expect(await keys.authorizationFor(GOOD)).toBe('Bearer token-1');
    expect(requests).toEqual([`secret-0123 ${GOOD}`]);
    // Forgotten (its token was refused downstream): the next call asks auth again.
    keys.forget(GOOD);
    expect(await keys.authorizationFor(GOOD)).toBe('Bearer token-2');
    expect(requests).toHaveLength(2);
  });

  it('remembers a refused key, refuses malformed ones without asking, and does not cache failures', async () => {
    requests.length = 0;
    const keys = exchanger();
    for (let i = 0; i < 3; i += 1)
      await expect(keys.authorizationFor(REFUSED).catch(code)).resolves.toBe('UNAUTHENTICATED');
    expect(requests).toHaveLength(1);
    await expect(keys.authorizationFor('short').catch(code)).resolves.toBe('UNAUTHENTICATED');
    expect(requests).toHaveLength(1);

    brokenStatus = 500;
    await expect(keys.authorizationFor(BROKEN).catch(code)).resolves.toBe('SERVICE_UNAVAILABLE');
    brokenStatus = 200;
    expect(await keys.authorizationFor(BROKEN)).toBe('Bearer late-token');
    expect(requests).toHaveLength(3);
  });

  it('answers SERVICE_UNAVAILABLE when auth cannot be reached', async () => {
    const keys = new ApiKeyExchanger({
      authUrl: 'http://127.0.0.1:9',
      gatewaySecret: undefined,
      logger: createLogger('gateway', 'silent'),
    });
    await expect(keys.authorizationFor(GOOD).catch(code)).resolves.toBe('SERVICE_UNAVAILABLE');
  });
});

describe('subgraph URLs of a supergraph', () => {
  it('reads every @join__graph with Federation, overrides applied', () => {
    const sdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
    const urls = subgraphUrls(federation.Supergraph.build(sdl), { farm: 'http://farm.internal:4000/graphql' });
    expect(Object.fromEntries(urls)).toEqual({
      auth: 'http://localhost:4001/graphql',
      farm: 'http://farm.internal:4000/graphql',
      payment: 'http://localhost:4006/graphql',
      streaming: 'http://localhost:4004/graphql',
      transcoding: 'http://localhost:4005/graphql',
      user: 'http://localhost:4002/graphql',
    });
  });
});
