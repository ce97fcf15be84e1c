import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, type RunningGateway } from '../src/index.ts';
import { FIXTURE_SECRET, startFixtureStack, type FixtureStack } from './fixtures.ts';

let stack: FixtureStack;
let gateway: RunningGateway;

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The bytes on the wire, not decompressed (Node's fetch would decompress them). */
  readonly raw: Buffer;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The JSON text of a response, decoded per its Content-Encoding. */
function decoded(res: RawResponse): string {
  const coding = res.headers['content-encoding'];
  const bytes = coding === 'br' ? brotliDecompressSync(res.raw) : coding === 'gzip' ? gunzipSync(res.raw) : res.raw;
  return bytes.toString('utf8');
}

/** A read whose answer is well over 1 kB: the fixture catalog echoes the camera id in `id` and `name`. */
const largeRead = (tag: string) => ({ query: `{ camera(id: "${tag}-${'v'.repeat(1500)}") { id name } }` });

beforeAll(async () => {
  stack = await startFixtureStack();
  gateway = await stack.gateway();
});
afterAll(async () => {
  await stack?.stop();
});

describe('gateway response compression', () => {
  it('compresses a large answer per Accept-Encoding, decompressing to exactly the identity answer', async () => {
    const identity = await post(gateway.url, largeRead('large'));
    expect(identity.status).toBe(200);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers['vary']).toBe('Accept-Encoding');
    expect(identity.raw.length).toBeGreaterThan(3000);
    expect(Number(identity.headers['content-length'])).toBe(identity.raw.length);
    const text = identity.raw.toString('utf8');
    expect(JSON.parse(text)).toMatchObject({ data: { camera: { id: `large-${'v'.repeat(1500)}` } } });

    for (const [acceptEncoding, coding] of [
      ['gzip, deflate, br', 'br'],
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
    ] as const) {
      const res = await post(gateway.url, largeRead('large'), { 'accept-encoding': acceptEncoding });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers['vary']).toBe('Accept-Encoding');
      expect(Number(res.headers['content-length'])).toBe(res.raw.length);
      expect(res.raw.length).toBeLessThan(identity.raw.length);
      expect(decoded(res)).toBe(text);
    }
  });

  it('sends small answers and refused codings as they are, still with Vary', async () => {
    const small = await post(gateway.url, { query: '{ ping }' }, { 'accept-encoding': 'gzip, br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['vary']).toBe('Accept-Encoding');
    expect(JSON.parse(small.raw.toString('utf8'))).toEqual({ data: { ping: 'pong' } });

    const refused = await post(gateway.url, largeRead('refused'), { 'accept-encoding': 'gzip;q=0, br;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.headers['vary']).toBe('Accept-Encoding');
    expect(JSON.parse(refused.raw.toString('utf8'))).toMatchObject({
      data: { camera: { id: `refused-${'v'.repeat(1500)}` } },
    });
  });

  it('gives every request joined to a shared execution its own correctly encoded body', async () => {
    const count = async () =>
      Number(
        /gateway_requests_shared_total\{[^}]*\} (\d+)/.exec(
          await (await fetch(`${gateway.metricsUrl}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const before = await count();
    const codings = ['br', 'gzip', 'identity', 'gzip, br'] as const;
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        post(gateway.url, largeRead('shared'), { 'accept-encoding': codings[i % codings.length] ?? 'identity' }),
      ),
    );
    // Apollo Server ends its JSON with a newline.
    const expected = `${JSON.stringify({ data: { camera: { id: `shared-${'v'.repeat(1500)}`, name: `Camera shared-${'v'.repeat(1500)}` } } })}\n`;
    results.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(
        { br: 'br', gzip: 'gzip', identity: undefined, 'gzip, br': 'br' }[codings[i % codings.length] ?? 'identity'],
      );
      expect(Number(res.headers['content-length'])).toBe(res.raw.length);
      expect(decoded(res)).toBe(expected);
    });
    expect(await count()).toBeGreaterThan(before);
  });

  it('subgraphs answer the gateway uncompressed, whatever it accepts', async () => {
    const res = await post(stack.catalog.url, largeRead('subgraph'), {
      'accept-encoding': 'gzip, br',
      'x-gateway-secret': FIXTURE_SECRET,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBeUndefined();
    expect(JSON.parse(res.raw.toString('utf8'))).toMatchObject({
      data: { camera: { id: `subgraph-${'v'.repeat(1500)}` } },
    });
  });

  it('reads COMPRESSION_ENABLED and COMPRESSION_MIN_BYTES from the environment', () => {
    expect(loadGatewayConfig({})).toMatchObject({ COMPRESSION_ENABLED: true, COMPRESSION_MIN_BYTES: 1024 });
    expect(loadGatewayConfig({ COMPRESSION_ENABLED: 'false', COMPRESSION_MIN_BYTES: '0' })).toMatchObject({
      COMPRESSION_ENABLED: false,
      COMPRESSION_MIN_BYTES: 0,
    });
    expect(() => loadGatewayConfig({ COMPRESSION_MIN_BYTES: '-1' })).toThrow(/COMPRESSION_MIN_BYTES/);
  });
});
