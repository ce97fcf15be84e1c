import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { loadService } from '@vegshare/tools/services';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cpuSeconds,
  machineCpuTicks,
  memoryMiB,
  resetPeakRss,
  sampleMemory,
  startProcess,
  type BenchProcess,
} from '../processes.ts';
import { countGraphqlRequests, drive, graphqlRequestCount } from '../load.ts';
import { withRoutingUrls } from '../supergraph.ts';
import { markdownTable, memoryTable, subgraphFreeChecks, targetChecks, type Cell } from '../report.ts';
import { postGraphQL } from '../data.ts';
import { operations, proxyRoutes, requestBody } from '../operations.ts';

const load = (rps: number, p99: number) => ({
  requests: rps * 5,
  sent: rps * 5 + 1,
  seconds: 5,
  rps,
  p50: p99 / 2,
  p99,
  failures: 0,
});

describe('report', () => {
  const cells: Cell[] = [
    {
      gateway: 'ours',
      operation: 'one-subgraph',
      load: load(3000, 10),
      callsPerRequest: 0.5,
      callsSingle: 1,
      cpuPercent: 95,
      peakRssMiB: 120,
    },
    {
      gateway: 'floor',
      operation: 'one-subgraph',
      load: load(5000, 8),
      callsPerRequest: 1,
      callsSingle: 1,
      cpuPercent: 99,
      peakRssMiB: 200,
    },
    {
      gateway: 'apollo',
      operation: 'one-subgraph',
      load: load(1000, 40),
      callsPerRequest: 1,
      callsSingle: 1,
      cpuPercent: 99,
      peakRssMiB: 150,
    },
    {
      gateway: 'hive',
      operation: 'one-subgraph',
      load: load(3500, 12),
      callsPerRequest: 0.9,
      callsSingle: 1,
      cpuPercent: 99,
      peakRssMiB: 400,
    },
    { gateway: 'hive', operation: 'nested', invalid: 'invalid: response | differs\nfrom ours' },
  ];

  it('puts ratios against the stock gateway and the floor of the same run in each row', () => {
    const table = markdownTable(cells);
    const ours = table.split('\n').find((l) => l.startsWith('| ours |'));
    expect(ours).toContain('| 3000 |');
    expect(ours).toContain('| 3.00× |'); // req/s vs stock
    expect(ours).toContain('| 0.25× |'); // p99 vs stock
    expect(ours).toContain('| 0.60× |'); // req/s vs floor
    expect(ours).toContain('0.50 · 1');
    // An invalid cell stays one table row whatever its reason contains.
    expect(table.split('\n').filter((l) => l.startsWith('| hive | nested |'))).toEqual([
      expect.stringContaining('response \\| differs from ours'),
    ]);
  });

  it('checks the issue targets, and says so when ours is behind', () => {
    const lines = targetChecks(cells, ['one-subgraph'], ['hive']).join('\n');
    expect(lines).toContain('ours ≥ 2× stock req/s on one-subgraph: yes (3.00×)');
    expect(lines).toContain('ours ≥ 50 % of the floor on one-subgraph: yes (0.60×)');
    expect(lines).toContain('ours ahead of hive on one-subgraph: NO (0.86×)');
    expect(lines).toContain('ours peak RSS ≤ stock: yes');
    expect(lines).not.toContain('ours-nodedup ahead');
  });

  it('compares the two gateways without deduplication when both ran', () => {
    const withNodedup: Cell[] = [
      ...cells,
      {
        gateway: 'ours-nodedup',
        operation: 'one-subgraph',
        load: load(1200, 30),
        callsPerRequest: 1,
        callsSingle: 1,
        cpuPercent: 99,
        peakRssMiB: 120,
      },
      {
        gateway: 'hive-nodedup',
        operation: 'one-subgraph',
        load: load(800, 50),
        callsPerRequest: 1,
        callsSingle: 1,
        cpuPercent: 99,
        peakRssMiB: 400,
      },
    ];
    expect(targetChecks(withNodedup, ['one-subgraph'], ['hive', 'hive-nodedup']).join('\n')).toContain(
      'ours-nodedup ahead of hive-nodedup on one-subgraph: yes (1.50×)',
    );
  });
});

describe('subgraph-free report', () => {
  const mem = (rss: number, heapTotal: number, external: number) => ({
    rss,
    heapTotal,
    heapUsed: heapTotal - 10,
    external,
    arrayBuffers: external / 2,
  });
  const cells: Cell[] = [
    { gateway: 'floor', operation: 'one-subgraph', load: load(10_000, 5), peakRssMiB: 100 },
    { gateway: 'floor', operation: 'one-subgraph-callers', load: load(10_000, 5), peakRssMiB: 100 },
    { gateway: 'apollo', operation: 'one-subgraph', load: load(2000, 30), peakRssMiB: 250, memory: mem(240, 150, 20) },
    { gateway: 'apollo', operation: 'one-subgraph-callers', load: load(2000, 30), peakRssMiB: 260 },
    { gateway: 'ours-nodedup', operation: 'one-subgraph', load: load(6500, 8), peakRssMiB: 240 },
    {
      gateway: 'ours-nodedup',
      operation: 'one-subgraph-callers',
      load: load(5000, 9),
      peakRssMiB: 300,
      memory: mem(290, 200, 30),
    },
    { gateway: 'ours', operation: 'one-subgraph-callers', load: load(5500, 9), peakRssMiB: 250 },
    { gateway: 'proxy', operation: 'one-subgraph', load: load(8000, 6), peakRssMiB: 80 },
  ];

  it('checks ours without sharing against 60 % of the floor, and peak RSS against stock cell by cell', () => {
    const lines = subgraphFreeChecks(cells, ['one-subgraph', 'one-subgraph-callers']).join('\n');
    expect(lines).toContain('ours-nodedup ≥ 60 % of the floor on one-subgraph: yes (0.65×)');
    expect(lines).toContain('ours-nodedup ≥ 60 % of the floor on one-subgraph-callers: NO (0.50×)');
    // Ours with sharing on is only held to the floor where sharing cannot help (distinct callers).
    expect(lines).toContain('ours ≥ 60 % of the floor on one-subgraph-callers: NO (0.55×)');
    expect(lines).not.toContain('ours ≥ 60 % of the floor on one-subgraph:');
    expect(lines).toContain(
      'ours-nodedup peak RSS ≤ stock in every cell: NO (worst one-subgraph-callers: 300 vs 260 MB)',
    );
    expect(lines).toContain('ours peak RSS ≤ stock in every cell: yes');
    // The pass-through relay is the reference: what no GraphQL work at all reaches, and ours against it.
    expect(lines).toContain(
      '- the pass-through relay (no GraphQL work) on one-subgraph: 0.80× the floor; ours-nodedup 0.81× the relay',
    );
    expect(lines).not.toContain('relay (no GraphQL work) on one-subgraph-callers');
  });

  it("breaks each gateway's highest sampled RSS into heap, external and the rest", () => {
    const table = memoryTable(cells);
    expect(table).toContain('| apollo | one-subgraph | 240 | 150 | 140 | 20 | 10 | 70 |');
    expect(table).toContain('| ours-nodedup | one-subgraph-callers | 290 | 200 | 190 | 30 | 15 | 60 |');
    expect(table).not.toContain('| floor |');
  });
});

describe('distinct callers under load', () => {
  let server: Server;
  const seen: string[] = [];
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => res.end(req.headers.authorization === 'Bearer c' ? 'other' : 'same'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends each request as the next caller in turn, across connections, and checks every body', async () => {
    const result = await drive({
      url,
      body: '{}',
      headers: { authorization: 'Bearer first' },
      rotatingHeaders: ['a', 'b', 'c'].map((t) => ({ authorization: `Bearer ${t}` })),
      connections: 2,
      seconds: 1,
      expectBody: 'same',
    });
    expect(result.requests).toBeGreaterThan(30);
    const counts = ['a', 'b', 'c'].map((t) => seen.filter((h) => h === `Bearer ${t}`).length);
    expect(seen).not.toContain('Bearer first');
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    // Caller c gets a different body: a third of the answers count as failures.
    expect(result.failures).toBeGreaterThanOrEqual((counts[2] ?? 0) - 2);
    expect(result.failures).toBeLessThanOrEqual(counts[2] ?? 0);
  }, 30_000);
});

describe('an in-memory subgraph process', () => {
  let farm: BenchProcess;
  beforeAll(async () => {
    farm = await startProcess({ label: 'memory farm', script: 'serve-memory-subgraph.ts', args: ['farm'], env: {} });
  }, 120_000);
  afterAll(() => farm?.stop());

  it('answers the bench operations with the real SDL from memory, counted like a real subgraph', async () => {
    const large = operations.find((o) => o.name === 'large-list');
    if (!large) throw new Error('operation missing');
    const before = await graphqlRequestCount(farm.metricsUrl);
    const reply = await postGraphQL(farm.endpoint, requestBody(large));
    expect(reply.json?.errors).toBeUndefined();
    const edges = (reply.json?.data as { farms: { edges: { node: { plots: unknown[]; location: unknown } }[] } }).farms
      .edges;
    expect(edges).toHaveLength(100);
    expect(edges.filter((e) => e.node.plots.length === 6)).toHaveLength(95);
    expect(edges[0]?.node.location).toEqual({ latitude: expect.any(Number), longitude: expect.any(Number) });
    // An entity fetch as a gateway sends it.
    const entities = await postGraphQL(
      farm.endpoint,
      JSON.stringify({
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Farm { name owner { id } } } }',
        variables: { r: [{ __typename: 'Farm', id: '00000000-0000-4000-8002-000000000001' }] },
      }),
    );
    expect(entities.json?.data).toEqual({
      _entities: [{ name: 'Green Acres', owner: { id: expect.any(String) } }],
    });
    expect((await graphqlRequestCount(farm.metricsUrl)) - before).toBe(2);
  });

  it('is answered the same through the pass-through relay, which routes by operation name and refuses the rest', async () => {
    expect(proxyRoutes(operations)).toBe('BenchFarms=farm,BenchLarge=farm,BenchUpdateProfile=user');
    const relay = await startProcess({
      label: 'relay',
      script: 'serve-proxy.ts',
      env: { GATEWAY_SECRET: 'bench', SUBGRAPH_URLS: `farm=${farm.endpoint}`, PROXY_ROUTES: 'BenchFarms=farm' },
    });
    try {
      const one = operations.find((o) => o.name === 'one-subgraph');
      if (!one) throw new Error('operation missing');
      const before = await graphqlRequestCount(farm.metricsUrl);
      const direct = await postGraphQL(farm.endpoint, requestBody(one));
      const relayed = await postGraphQL(relay.endpoint, requestBody(one));
      expect(relayed.status).toBe(200);
      expect(relayed.text).toBe(direct.text);
      expect((await graphqlRequestCount(farm.metricsUrl)) - before).toBe(2);
      const unrouted = await postGraphQL(
        relay.endpoint,
        JSON.stringify({ query: '{ farms(first: 1) { edges { node { id } } } }' }),
      );
      expect(unrouted.status).toBe(400);
    } finally {
      await relay.stop();
    }
  });

  it('tells where its memory is over IPC, and starts a new peak-RSS window on request', async () => {
    const memory = await farm.memory();
    expect(memory?.rss).toBeGreaterThan(20);
    expect(memory?.heapUsed).toBeLessThanOrEqual(memory?.heapTotal ?? 0);
    const sampler = sampleMemory(farm, 50);
    await new Promise((r) => setTimeout(r, 200));
    expect((await sampler.stop())?.rss).toBeGreaterThan(20);
    expect(resetPeakRss(farm.pid)).toBe(true);
    expect(memoryMiB(farm.pid).peak).toBeLessThanOrEqual(memoryMiB(farm.pid).current + 1);
  });
});

describe('supergraph', () => {
  it('rewrites every routing URL to the running subgraphs and leaves unknown ones alone', () => {
    const sdl = `enum join__Graph {\n  A @join__graph(name: "auth", url: "http://localhost:4001/graphql")\n  X @join__graph(name: "x", url: "http://x/graphql")\n}`;
    const out = withRoutingUrls(sdl, new Map([['auth', 'http://127.0.0.1:5555/graphql']]));
    expect(out).toContain('@join__graph(name: "auth", url: "http://127.0.0.1:5555/graphql")');
    expect(out).toContain('@join__graph(name: "x", url: "http://x/graphql")');
  });
});

describe('measuring a real subgraph process', () => {
  let db: TestDatabase;
  let farm: BenchProcess;
  const secret = 'bench-test-secret-0123456789';

  beforeAll(async () => {
    db = await createTestDatabase();
    await (await loadService('farm')).seed(db.url);
    farm = await startProcess({
      label: 'farm',
      script: 'serve-subgraph.ts',
      args: ['farm'],
      env: { DATABASE_URL: db.url, GATEWAY_SECRET: secret, LOG_LEVEL: 'warn' },
    });
  }, 180_000);
  afterAll(async () => {
    await farm?.stop();
    await db?.drop();
  });

  it('counts the /graphql requests a load run made, and reads the process CPU time and peak memory', async () => {
    const op = operations.find((o) => o.name === 'one-subgraph');
    if (!op) throw new Error('operation missing');
    const reply = await postGraphQL(farm.endpoint, requestBody(op), { 'x-gateway-secret': secret });
    expect(reply.json?.errors).toBeUndefined();
    const before = await graphqlRequestCount(farm.metricsUrl);
    const cpu = cpuSeconds(farm.pid);
    const result = await drive({
      url: farm.endpoint,
      body: requestBody(op),
      headers: { 'x-gateway-secret': secret },
      connections: 2,
      seconds: 1,
      expectBody: reply.text,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.failures).toBe(0);
    // autocannon may abandon the last in-flight request of each connection when time is up.
    const counted = (await graphqlRequestCount(farm.metricsUrl)) - before;
    expect(counted).toBeGreaterThanOrEqual(result.requests);
    expect(counted).toBeLessThanOrEqual(result.requests + 2);
    expect(cpuSeconds(farm.pid)).toBeGreaterThan(cpu);
    expect(memoryMiB(farm.pid).peak).toBeGreaterThan(20);
  }, 60_000);

  it('counts a wrong answer under load as a failure', async () => {
    const op = operations.find((o) => o.name === 'one-subgraph');
    if (!op) throw new Error('operation missing');
    const result = await drive({ url: farm.endpoint, body: requestBody(op), headers: {}, connections: 1, seconds: 1 });
    expect(result.failures).toBeGreaterThan(0); // no gateway secret: 403
  }, 30_000);
});

describe('machine CPU', () => {
  it('counts busy time spent on any core, apart from idle and stolen time', () => {
    const before = machineCpuTicks();
    const until = Date.now() + 300;
    let spins = 0;
    while (Date.now() < until) spins += 1;
    const after = machineCpuTicks();
    const total = after.total - before.total;
    const idle = after.idle - before.idle;
    const steal = after.steal - before.steal;
    expect(spins).toBeGreaterThan(0);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle + steal).toBeLessThanOrEqual(total);
    // 300 ms of this thread spinning is at least 0.2 s of busy time (ticks of 1/100 s), whatever the other core does.
    expect(total - idle - steal).toBeGreaterThanOrEqual(20);
  });
});

describe('metrics parsing', () => {
  it('adds up /graphql request counts across methods and statuses only', () => {
    const text = [
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.001",route="/graphql",method="POST",status="200",service="farm"} 3',
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="200",service="farm"} 40',
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="403",service="farm"} 2',
      'http_request_duration_seconds_count{route="/metrics",method="GET",status="200",service="farm"} 9',
    ].join('\n');
    expect(countGraphqlRequests(text)).toBe(42);
  });
});
