import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { SubgraphDataSource } from '../src/subgraph-data-source.ts';
import { createSubgraphFetcher, subgraphTarget } from '../src/subgraph-fetcher.ts';
import type { GatewayContext } from '../src/context.ts';

// A subgraph that answers every read after 100 ms (so identical fetches overlap), counting what reaches it.
let server: Server;
let url = '';
let received = 0;
const subgraphFetcher = createSubgraphFetcher();

beforeAll(async () => {
  server = createServer((req, res) => {
    received += 1;
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { farm: { id: 'f1', plots: [{ id: 'p1' }] } } }));
      }, 100),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await subgraphFetcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const read = (): GraphQLDataSourceProcessOptions<GatewayContext> =>
  ({
    // GraphQLDataSourceRequestKind.HEALTH_CHECK (the enum is not exported at run time): no incoming request needed.
    kind: 'health check',
    request: { query: 'query Farm { farm { id plots { id } } }', variables: {} },
    context: {},
  }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

type FarmData = { farm: { id: string; plots: { id: string }[] } };

describe('subgraph fetch sharing', () => {
  it('sends identical reads in flight once and gives each a separate answer it may merge into', async () => {
    const counts = { sent: 0, deduplicated: 0 };
    const source = new SubgraphDataSource(url, 'secret', 'farm', subgraphFetcher, {
      sent: () => (counts.sent += 1),
      deduplicated: () => (counts.deduplicated += 1),
    });
    const before = received;
    const answers = await Promise.all([source.process(read()), source.process(read()), source.process(read())]);
    expect(received - before).toBe(1);
    expect(counts).toEqual({ sent: 1, deduplicated: 2 });
    const [first, second, third] = answers.map((a) => a.data as FarmData);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    // What the executor does to one answer (merging entity fields into it) reaches no other.
    first?.farm.plots.push({ id: 'merged' });
    if (second) second.farm.id = 'changed';
    expect(third).toEqual({ farm: { id: 'f1', plots: [{ id: 'p1' }] } });

    // Once answered, the same read is sent again.
    const again = await source.process(read());
    expect(again.data).toEqual({ farm: { id: 'f1', plots: [{ id: 'p1' }] } });
    expect(received - before).toBe(2);
  });

  it('passes a failed fetch on to every read that joined it', async () => {
    const source = new SubgraphDataSource('http://127.0.0.1:9/graphql', 'secret', 'farm', subgraphFetcher);
    const outcomes = await Promise.allSettled([source.process(read()), source.process(read())]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});

// A subgraph whose answer each test picks by path; it records the headers and body of every request it gets.
interface Seen {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}
interface Canned {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}
const json = { 'content-type': 'application/json' };
const canned: Record<string, Canned> = {
  '/ok': { status: 200, headers: json, body: '{"data":{"me":{"id":"u1"}}}' },
  '/errors': { status: 200, headers: json, body: '{"data":null,"errors":[{"message":"boom","path":["me"]}]}' },
  '/graphql-response': {
    status: 200,
    headers: { 'content-type': 'application/graphql-response+json; charset=utf-8' },
    body: '{"data":{"me":null}}',
  },
  '/unauthenticated': { status: 401, headers: json, body: '{"errors":[{"message":"no token"}]}' },
  '/forbidden': { status: 403, headers: { 'content-type': 'text/plain' }, body: 'not from here' },
  '/broken': { status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' },
  '/html': { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>hello</html>' },
  '/array': { status: 200, headers: json, body: '[1,2]' },
  '/bad-json': { status: 200, headers: json, body: '{"data":' },
  '/cacheable': {
    status: 200,
    headers: { ...json, 'cache-control': 'max-age=60, public' },
    body: '{"data":{"me":{"id":"u1"}}}',
  },
};
const seen: Seen[] = [];
let canningServer: Server;
let base = '';

beforeAll(async () => {
  canningServer = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      const answer = canned[req.url ?? ''] ?? { status: 404, body: 'no such path' };
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => canningServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(canningServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => canningServer.close(() => resolve()));
});

const caller: GatewayContext = {
  viewer: null,
  authorization: 'Bearer token-1',
  viaApiKey: false,
  clientIp: '203.0.113.7',
  userAgent: 'VegShare/1.0',
};

/** An operation as Apollo's executor hands it over, with the client request's cache policy. */
function incoming(
  context: Partial<GatewayContext> = caller,
  restrict: (hint: unknown) => void = () => undefined,
): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    kind: 'incoming operation',
    request: { query: 'mutation Me($id: ID!) { me(id: $id) { id } }', variables: { id: 'u1' }, operationName: 'Me' },
    incomingRequestContext: { overallCachePolicy: { restrict } },
    context,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

/** The same fetch through Apollo's own RemoteGraphQLDataSource, as the gateway configured it before: the reference. */
class ApolloReference extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set('x-gateway-secret', 'secret');
    if (!('clientIp' in context)) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.clientIp) headers.set('x-forwarded-for', context.clientIp);
    if (context.userAgent) headers.set('user-agent', context.userAgent);
  }
}
/** Node's fetch: it reports the server's reason phrase (Node's server sends the standard one), as node-fetch did. */
const fetchWithStatusText = fetch as unknown as Fetcher;

const outcome = async (run: Promise<unknown>): Promise<unknown> => {
  try {
    return { answer: await run };
  } catch (error) {
    const { name, message } = error as Error;
    const extensions = error instanceof GraphQLError ? error.extensions : undefined;
    return { error: { name, message, isGraphQLError: error instanceof GraphQLError, extensions } };
  }
};

describe('subgraph data source', () => {
  it('sends the body and the headers Apollo sent: JSON, the gateway secret and who the caller is', async () => {
    const source = new SubgraphDataSource(`${base}/ok`, 'secret', 'user', subgraphFetcher);
    seen.length = 0;
    const answer = await source.process(incoming());
    expect(answer).toEqual({ data: { me: { id: 'u1' } } });
    // Nothing of the HTTP exchange (no raw body) stays with the answer the executor keeps until the request ends.
    expect(Object.keys(answer)).toEqual(['data']);
    const [request] = seen;
    expect(request?.body).toBe(
      '{"query":"mutation Me($id: ID!) { me(id: $id) { id } }","variables":{"id":"u1"},"operationName":"Me"}',
    );
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-gateway-secret': 'secret',
      authorization: 'Bearer token-1',
      'x-forwarded-for': '203.0.113.7',
      'user-agent': 'VegShare/1.0',
    });
  });

  it('sends only the secret for fetches without a caller, and nothing of a caller that has none', async () => {
    const source = new SubgraphDataSource(`${base}/ok`, 'secret', 'user', subgraphFetcher);
    seen.length = 0;
    await source.process(read());
    await source.process(incoming({ ...caller, authorization: null, clientIp: '', userAgent: null }));
    for (const request of seen) {
      expect(request.headers['x-gateway-secret']).toBe('secret');
      expect(request.headers).not.toHaveProperty('authorization');
      expect(request.headers).not.toHaveProperty('x-forwarded-for');
      expect(request.headers).not.toHaveProperty('user-agent');
    }
    expect(seen).toHaveLength(2);
  });

  it('restricts the client response cache policy by the subgraph Cache-Control, to no caching when absent', async () => {
    const hints: unknown[] = [];
    await new SubgraphDataSource(`${base}/cacheable`, 'secret', 'user', subgraphFetcher).process(
      incoming(caller, (hint) => hints.push(hint)),
    );
    await new SubgraphDataSource(`${base}/ok`, 'secret', 'user', subgraphFetcher).process(
      incoming(caller, (hint) => hints.push(hint)),
    );
    expect(hints).toEqual([{ maxAge: 60, scope: 'PUBLIC' }, { maxAge: 0 }]);
  });

  it('refuses an operation without text before sending anything', async () => {
    const source = new SubgraphDataSource(`${base}/ok`, 'secret', 'user', subgraphFetcher);
    seen.length = 0;
    const options = incoming();
    (options.request as { query?: string }).query = '';
    await expect(source.process(options)).rejects.toThrow('Missing query');
    expect(seen).toHaveLength(0);
  });

  it.each(Object.keys(canned))('answers or fails on %s exactly as Apollo RemoteGraphQLDataSource did', async (path) => {
    const hints: unknown[] = [];
    const reference = new ApolloReference({ url: `${base}${path}`, fetcher: fetchWithStatusText });
    const source = new SubgraphDataSource(`${base}${path}`, 'secret', 'user', subgraphFetcher);
    const expected = await outcome(reference.process(incoming(caller, (hint) => hints.push(hint))));
    const actual = await outcome(source.process(incoming(caller, (hint) => hints.push(hint))));
    // Apollo's answer carries its fetch response as `http`; the executor never reads it.
    if (typeof expected === 'object' && expected !== null && 'answer' in expected)
      delete (expected.answer as { http?: unknown }).http;
    expect(actual).toEqual(expected);
    expect(hints.length % 2).toBe(0);
    expect(hints.slice(hints.length / 2)).toEqual(hints.slice(0, hints.length / 2));
  });

  it('gives the failures clients see their messages and codes', async () => {
    const fail = (path: string) =>
      outcome(new SubgraphDataSource(`${base}${path}`, 'secret', 'user', subgraphFetcher).process(incoming()));
    expect(await fail('/unauthenticated')).toEqual({
      error: {
        name: 'GraphQLError',
        message: '401: Unauthorized',
        isGraphQLError: true,
        extensions: {
          code: 'UNAUTHENTICATED',
          response: {
            url: `${base}/unauthenticated`,
            status: 401,
            statusText: 'Unauthorized',
            body: { errors: [{ message: 'no token' }] },
          },
        },
      },
    });
    expect(await fail('/forbidden')).toMatchObject({
      error: {
        message: '403: Forbidden',
        extensions: { code: 'FORBIDDEN', response: { status: 403, body: 'not from here' } },
      },
    });
    const broken = (await fail('/broken')) as { error: { extensions: Record<string, unknown> } };
    expect(broken.error.extensions).not.toHaveProperty('code');
    expect(await fail('/html')).toMatchObject({
      error: { name: 'Error', message: 'Expected JSON response body, but received: <html>hello</html>' },
    });
    expect(await fail('/array')).toMatchObject({
      error: { name: 'Error', message: 'Expected JSON response body, but received: 1,2' },
    });
    expect(await fail('/bad-json')).toMatchObject({ error: { name: 'SyntaxError' } });
  });

  it('fails with the network error when the subgraph cannot be reached', async () => {
    const source = new SubgraphDataSource('http://127.0.0.1:9/graphql', 'secret', 'user', subgraphFetcher);
    await expect(source.process(incoming())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('subgraph fetcher', () => {
  it('reads a body sent in pieces as one UTF-8 text without its byte order mark, headers as undici parses them', async () => {
    const text = Buffer.from('\uFEFF{"data":{"name":"Ферма «Ромашка»"}}', 'utf8');
    const pieces = [text.subarray(0, 2), text.subarray(2, 31), text.subarray(31)];
    const chunky = createServer((req, res) => {
      req.resume();
      res.writeHead(200, [
        ['content-type', 'application/json'],
        ['Set-Cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      let i = 0;
      const next = (): void => {
        const piece = pieces[i++];
        if (piece) res.write(piece, () => setTimeout(next, 5));
        else res.end();
      };
      next();
    });
    await new Promise<void>((resolve) => chunky.listen(0, '127.0.0.1', resolve));
    try {
      const port = (chunky.address() as AddressInfo).port;
      const reply = await subgraphFetcher.post(subgraphTarget(`http://127.0.0.1:${port}/graphql?x=1`), {}, '{}');
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('{"data":{"name":"Ферма «Ромашка»"}}');
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    } finally {
      await new Promise<void>((resolve) => chunky.close(() => resolve()));
    }
  });
});
