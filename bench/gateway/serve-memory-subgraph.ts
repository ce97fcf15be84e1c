/**
 * One subgraph answering from memory: `serve-memory-subgraph.ts <name>`. The real subgraph's SDL (so the supergraph
 * and query plans are the real ones) built with @apollo/subgraph, resolvers over generated data (memory-resolvers.ts),
 * on bare node:http with parsed and validated documents cached: as little cost as a subgraph can have, so that a
 * gateway's own cost shows. Serves POST /graphql, GET /health and GET /metrics (the /graphql request count, in the
 * real subgraphs' metric name, for the bench's subgraph-call column). BENCH_FARMS sets the bulk farms (100).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, specifiedRules, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { repoRoot } from '@vegshare/tools/workspace';
import { announce, fail } from './child.ts';
import { memoryData } from './memory-data.ts';
import { memoryResolvers } from './memory-resolvers.ts';

const name = process.argv[2];
if (!name) fail('serve-memory-subgraph', new Error('usage: serve-memory-subgraph.ts <name>'));

const typeDefs = parse(readFileSync(join(repoRoot, 'subgraphs', name, 'schema.graphql'), 'utf8'));
const schema = buildSubgraphSchema({
  typeDefs,
  resolvers: memoryResolvers(name, memoryData(Math.min(Number(process.env['BENCH_FARMS'] ?? 100), 100))),
});

type Prepared = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[] };
const documents = new Map<string, Prepared>();
function prepare(query: string): Prepared {
  let prepared = documents.get(query);
  if (!prepared) {
    try {
      const document = parse(query);
      const errors = validate(schema, document, specifiedRules);
      prepared = errors.length ? { errors } : { document };
    } catch (error) {
      prepared = { errors: [error as GraphQLError] };
    }
    if (documents.size < 1000) documents.set(query, prepared);
  }
  return prepared;
}

let graphqlRequests = 0;
const send = (res: ServerResponse, status: number, body: string, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  graphqlRequests += 1;
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    query?: string;
    variables?: Record<string, unknown>;
    operationName?: string;
  };
  const prepared = prepare(body.query ?? '');
  if ('errors' in prepared) return send(res, 400, JSON.stringify({ errors: prepared.errors }));
  const result = await execute({
    schema,
    document: prepared.document,
    variableValues: body.variables ?? null,
    operationName: body.operationName ?? null,
    contextValue: {},
  });
  send(res, 200, JSON.stringify(result));
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url?.startsWith('/graphql')) {
    answer(req, res).catch((error: unknown) =>
      send(res, 500, JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] })),
    );
  } else if (req.url === '/health') send(res, 200, '{"status":"ok"}');
  else if (req.url === '/metrics')
    send(
      res,
      200,
      `http_request_duration_seconds_count{method="POST",route="/graphql",status_code="200"} ${graphqlRequests}\n`,
      'text/plain',
    );
  else send(res, 404, '{}');
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  announce(
    base,
    `${base}/graphql`,
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
});
