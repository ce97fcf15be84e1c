import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureStack, type FixtureStack } from './fixtures.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/** A minimal OTLP/HTTP JSON collector: records every span it is sent. */
let collector: Server;
const spans: OtlpSpan[] = [];
let stack: FixtureStack;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  stack = await startFixtureStack();
});
afterAll(async () => {
  await stack?.stop(200);
  collector?.close();
});

describe('tracing', () => {
  it('exports one trace from the gateway through every subgraph call when an OTLP endpoint is configured', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const gateway = await stack.gateway({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ping camera(id: "c1") { name } }' }),
    });
    expect(res.status).toBe(200);
    await gateway.stop(200); // flushes the batch processor
    // In this one process the test's own fetch is traced too: it is the root; the gateway's server span continues it,
    // and the subgraphs' server spans continue the gateway's outgoing fetch spans — all one trace.
    const servers = spans.filter((s) => s.name === 'POST /graphql');
    expect(servers.length).toBeGreaterThanOrEqual(3);
    const traceId = servers[0]?.traceId;
    expect(new Set(servers.map((s) => s.traceId))).toEqual(new Set([traceId]));
    for (const s of servers) expect(spans.some((p) => p.spanId === s.parentSpanId && p.traceId === traceId)).toBe(true);
  });
});
