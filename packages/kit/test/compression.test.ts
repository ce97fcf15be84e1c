import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apolloHandler, type ApolloHandlerOptions } from '../src/http/apollo-handler.ts';
import { compress, isCompressible, negotiateEncoding, varyWith, type ContentCoding } from '../src/http/compression.ts';

describe('Accept-Encoding negotiation', () => {
  const table: readonly (readonly [string | undefined, ContentCoding])[] = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', 'br'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    [' gzip ; q=0.5 ,br;q=0.4', 'gzip'],
    ['gzip;q=0.5', 'gzip'],
    ['gzip;q=0.5, identity', 'identity'],
    ['gzip;q=0.5, identity;q=0.5', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0.2', 'gzip'],
    ['*;q=0', 'identity'],
    ['*;q=0, identity;q=0', 'identity'],
    ['*;q=0, gzip', 'gzip'],
    ['identity;q=0, gzip;q=0.1', 'gzip'],
    ['br;q=abc, gzip', 'gzip'],
    // An out-of-range q-value is read as written (negotiator): the client did list br.
    ['br;q=2, gzip', 'br'],
    ['br;q=0.001', 'br'],
    ['gzip, gzip;q=0', 'gzip'],
  ];
  it.each(table)('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compression helpers', () => {
  const body = Buffer.from(
    JSON.stringify({
      data: { items: Array.from({ length: 200 }, (_, i) => ({ id: `item-${i}`, name: `Item ${i}` })) },
    }),
  );

  it('brotli and gzip round-trip to the same bytes, smaller', async () => {
    const br = await compress(body, 'br');
    const gz = await compress(body, 'gzip');
    expect(brotliDecompressSync(br).equals(body)).toBe(true);
    expect(gunzipSync(gz).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length);
    expect(gz.length).toBeLessThan(body.length);
  });

  it('compresses only large enough bodies that allow a body and carry no coding yet', () => {
    expect(isCompressible(200, undefined, 1024, 1024)).toBe(true);
    expect(isCompressible(200, undefined, 1023, 1024)).toBe(false);
    expect(isCompressible(400, 'identity', 5000, 1024)).toBe(true);
    expect(isCompressible(200, 'gzip', 5000, 1024)).toBe(false);
    expect(isCompressible(204, undefined, 5000, 0)).toBe(false);
    expect(isCompressible(304, undefined, 5000, 0)).toBe(false);
  });

  it('adds Accept-Encoding to Vary once', () => {
    expect(varyWith(undefined, 'Accept-Encoding')).toBe('Accept-Encoding');
    expect(varyWith('accept', 'Accept-Encoding')).toBe('accept, Accept-Encoding');
    expect(varyWith('Origin, accept-encoding', 'Accept-Encoding')).toBe('Origin, accept-encoding');
    expect(varyWith('*', 'Accept-Encoding')).toBe('*');
  });
});

describe('apolloHandler compression over HTTP', () => {
  const big = 'x'.repeat(4000);
  let apollo: ApolloServer;
  const servers: Server[] = [];

  async function serve(compression: ApolloHandlerOptions<object>['compression']): Promise<string> {
    const handler = apolloHandler({
      server: apollo,
      context: async () => ({}),
      ...(compression === undefined ? {} : { compression }),
    });
    const server = createServer((req, res) => void handler(req, res, ''));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }

  function post(url: string, query: string, acceptEncoding?: string) {
    return new Promise<{ headers: Record<string, string | string[] | undefined>; raw: Buffer }>((resolve, reject) => {
      const body = JSON.stringify({ query });
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  beforeAll(async () => {
    apollo = new ApolloServer({
      typeDefs: 'type Query { big: String! small: String! }',
      resolvers: { Query: { big: () => big, small: () => 'ok' } },
    });
    await apollo.start();
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await apollo.stop();
  });

  it('compresses per the default threshold, with a correct Content-Length and Vary', async () => {
    const url = await serve(undefined);
    const large = await post(url, '{ big }', 'gzip, br');
    expect(large.headers['content-encoding']).toBe('br');
    expect(large.headers['vary']).toBe('Accept-Encoding');
    expect(Number(large.headers['content-length'])).toBe(large.raw.length);
    expect(JSON.parse(brotliDecompressSync(large.raw).toString('utf8'))).toEqual({ data: { big } });
    const small = await post(url, '{ small }', 'gzip, br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['vary']).toBe('Accept-Encoding');
    expect(Number(small.headers['content-length'])).toBe(small.raw.length);
    expect(JSON.parse(small.raw.toString('utf8'))).toEqual({ data: { small: 'ok' } });
  });

  it('honours a configured threshold, and compression: false sends bodies as they are without Vary', async () => {
    const higher = await serve({ minBytes: 8192 });
    expect((await post(higher, '{ big }', 'gzip')).headers['content-encoding']).toBeUndefined();
    const lower = await serve({ minBytes: 100 });
    const gzipped = await post(lower, '{ big }', 'gzip');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzipped.raw).toString('utf8'))).toEqual({ data: { big } });
    const off = await serve(false);
    const plain = await post(off, '{ big }', 'gzip, br');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.raw.length);
    expect(JSON.parse(plain.raw.toString('utf8'))).toEqual({ data: { big } });
  });
});
