import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { loadService } from '@vegshare/tools/services';
import { cpuSeconds, memoryMiB, startProcess, type BenchProcess } from '../processes.ts';
import { countGraphqlRequests, drive, graphqlRequestCount } from '../load.ts';
import { withRoutingUrls } from '../supergraph.ts';
import { markdownTable, targetChecks, type Cell } from '../report.ts';
import { postGraphQL } from '../data.ts';
import { operations, requestBody } from '../operations.ts';

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
