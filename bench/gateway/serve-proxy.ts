/**
 * The pass-through floor: what a Node process spends just to relay a request to the subgraph that answers it and the
 * answer back — node:http in, the body parsed once to find the operation, the same undici pool our gateway uses out,
 * the subgraph's bytes returned as they are. No GraphQL work at all: no validation, no plan, no auth, no limits, no
 * result shaping. It is not a gateway (it cannot serve an operation that needs two subgraphs, and it checks nothing);
 * it is the least CPU per request any Node gateway can reach on this machine, so a gateway's row can be read against
 * it. Routes by operation name: PROXY_ROUTES is `OperationName=subgraph,...`, SUBGRAPH_URLS `subgraph=url,...`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { announce, fail, keyValuePairs, required } from './child.ts';
import { operationNameOf } from './operations.ts';

const secret = required('GATEWAY_SECRET');
const urls = new Map(keyValuePairs(required('SUBGRAPH_URLS')));
const routes = new Map(keyValuePairs(required('PROXY_ROUTES')).map(([op, subgraph]) => [op, urls.get(subgraph) ?? '']));
// The gateway's own pool settings (gateway/src/subgraph-fetcher.ts).
const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000, pipelining: 1 });

const send = (res: ServerResponse, status: number, body: string | Buffer) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const { query } = JSON.parse(body.toString('utf8')) as { query?: string };
  const url = routes.get(operationNameOf(query ?? '') ?? '');
  if (!url) return send(res, 400, '{"errors":[{"message":"no route for this operation"}]}');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gateway-secret': secret };
  if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
  const answer = await request(url, { method: 'POST', headers, body, dispatcher: agent });
  send(res, answer.statusCode, Buffer.from(await answer.body.arrayBuffer()));
}

try {
  const server = createServer((req, res) => {
    if (req.method !== 'POST') return send(res, 405, '{"errors":[{"message":"POST only"}]}');
    relay(req, res).catch(() => send(res, 502, '{"errors":[{"message":"upstream failed"}]}'));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  announce(base, `${base}/graphql`, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
  });
} catch (error) {
  fail('gateway proxy', error);
}
