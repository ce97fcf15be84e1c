import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { SubgraphDataSource } from '../src/subgraph-data-source.ts';
import { createSubgraphFetcher } from '../src/subgraph-fetcher.ts';
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
    const source = new SubgraphDataSource(
      url,
      'secret',
      'farm',
      { sent: () => (counts.sent += 1), deduplicated: () => (counts.deduplicated += 1) },
      true,
      subgraphFetcher.fetcher,
    );
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
    const source = new SubgraphDataSource(
      'http://127.0.0.1:9/graphql',
      'secret',
      'farm',
      undefined,
      true,
      subgraphFetcher.fetcher,
    );
    const outcomes = await Promise.allSettled([source.process(read()), source.process(read())]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('subgraph fetcher', () => {
  it('hands the body over once, as fetch does, so the response Apollo keeps does not hold the answer too', async () => {
    const response = await subgraphFetcher.fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ farm { id } }' }),
    });
    expect(response.ok).toBe(true);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ data: { farm: { id: 'f1', plots: [{ id: 'p1' }] } } });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(/already been read/);
  });
});
