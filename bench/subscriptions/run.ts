/**
 * Subscription fan-out benchmark (issue 17): N graphql-ws clients subscribed to a public camera's
 * `streamStatusChanged { status updatedAt camera { name farm { name } } }` while the farmer toggles the stream;
 * latency = arrival − updatedAt. Measured in one run: a plain single-schema graphql-ws server (the floor, same
 * clients, same query answered from memory), then ours — the embedded stack in one process — with anonymous clients
 * and with signed-in viewers holding several connections each. Clients run in their own processes. Every mix runs in
 * a fresh server process: the floor's, and one stack process per mix of ours on a database migrated and seeded
 * beforehand (by this process), which before its clients connect has only started, signed the farmer in and read the
 * camera. The viewers register in the anonymous mix's process after its measurement (or in a throwaway stack process),
 * so neither their argon2id hashes nor the memory an earlier mix freed are reused by the connections measured.
 *
 *   npm run bench:subscriptions
 *   BENCH_CLIENTS=500 BENCH_VIEWERS=50 BENCH_CONNECTIONS_PER_VIEWER=10 npm run bench:subscriptions
 *
 * Environment: BENCH_CLIENTS (anonymous and floor clients, default 10000), BENCH_VIEWERS (signed-in identities, 500),
 * BENCH_CONNECTIONS_PER_VIEWER (20), BENCH_TOGGLES (measured status changes, 10), BENCH_TOGGLE_MS (between them,
 * 1000), BENCH_CLIENT_PROCESSES (2), BENCH_MIXES (comma list of floor, anonymous, signed-in; default all),
 * BENCH_GATEWAY_ENV ("K=V,K=V" for the stack, e.g. SUBSCRIPTION_SHARING=false to measure per-identity sharing),
 * BENCH_OUT (results file; "-" = do not write), BENCH_HEAP_SNAPSHOTS (a folder: V8 heap snapshots of the server after
 * the GC before and after each mix's clients subscribed, to compare retained objects by constructor).
 *
 * Memory per connection, two ways: the server's RSS growth from before the clients connect to after the warm-up,
 * without a GC (what a deployment pays, allocator slack and garbage included; comparable between rows because every
 * mix has a fresh process), and its JS heap growth between two forced full GCs at the same points (what the heap
 * retains per connection). Servers run with --expose-gc; the GCs happen after each RSS reading and outside the measured
 * toggles.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeBenchResults } from '@vegshare/tools/bench-results';
import { demo } from '@vegshare/demo';
import { loadService } from '@vegshare/tools/services';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { readRoverConfig } from '@vegshare/tools/workspace';
import { memoryMiB, intSetting, metricSum, startProcess, type BenchProcess } from '../gateway/processes.ts';
import type { ClientsCommand, ClientsMessage } from './clients.ts';

const env = process.env;
const settings = {
  clients: intSetting('BENCH_CLIENTS', 10_000),
  viewers: intSetting('BENCH_VIEWERS', 500),
  perViewer: intSetting('BENCH_CONNECTIONS_PER_VIEWER', 20),
  toggles: intSetting('BENCH_TOGGLES', 10),
  toggleMs: intSetting('BENCH_TOGGLE_MS', 1000),
  processes: intSetting('BENCH_CLIENT_PROCESSES', 2),
  mixes: (env['BENCH_MIXES'] ?? 'floor,anonymous,signed-in').split(',').map((m) => m.trim()),
  out: env['BENCH_OUT'] ?? fileURLToPath(new URL('results.md', import.meta.url)),
  heapSnapshots: env['BENCH_HEAP_SNAPSHOTS'] || null,
};
/** Servers can be asked for a full GC before their heap is read (see the header). */
const SERVER_NODE_ARGS = ['--expose-gc'];
const QUERY =
  'subscription Watch($s: ID!) { streamStatusChanged(streamId: $s) { status updatedAt camera { name farm { name } } } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stderr.write(`[bench:subscriptions] ${message}\n`);

async function gql<T>(
  endpoint: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!json.data || json.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(json.errors)}`);
  return json.data;
}

/** The viewers' tokens: accounts registered through the gateway (argon2id, as in production), two at a time. */
async function registerViewers(endpoint: string, n: number): Promise<string[]> {
  log(`registering ${n} viewers…`);
  const tokens: string[] = [];
  const run = Date.now().toString(36);
  const register = async (i: number, attempt = 1): Promise<string> => {
    try {
      const data = await gql<{ register: { accessToken: string } }>(
        endpoint,
        'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
        {
          i: {
            email: `viewer-${run}-${i}@bench.test`,
            password: 'correct horse battery staple',
            displayName: `Viewer ${i}`,
          },
        },
      );
      return data.register.accessToken;
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(1000);
      return register(i, attempt + 1);
    }
  };
  for (let i = 0; i < n; i += 2)
    tokens.push(...(await Promise.all([register(i), ...(i + 1 < n ? [register(i + 1)] : [])])));
  return tokens;
}

interface ClientProcess {
  readonly child: ChildProcess;
  request(command: ClientsCommand, reply: ClientsMessage['type'] | null): Promise<ClientsMessage | null>;
}

function clientProcess(): ClientProcess {
  const child = fork(fileURLToPath(new URL('clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    child,
    request(command, reply) {
      if (!reply) {
        child.send(command);
        return Promise.resolve(null);
      }
      return new Promise((resolve) => {
        const onMessage = (message: ClientsMessage) => {
          if (message.type !== reply) return;
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send(command);
      });
    },
  };
}

interface Row {
  readonly label: string;
  readonly connections: number;
  readonly identities: number;
  readonly p50: number;
  readonly p99: number;
  readonly kbPerConnection: number;
  /** JS heap growth after a full GC ÷ connections (null when the server could not be asked). */
  readonly heapKbPerConnection: number | null;
  /** The server before its clients: RSS, and JS heap committed but free after the GC (MiB; null as above). */
  readonly rssBeforeMiB: number;
  readonly heapFreeBeforeMiB: number | null;
  readonly deliveriesPerSecond: number;
  readonly minEventsPerClient: number;
  readonly wrong: number;
  readonly errors: number;
  readonly upstreams: number | null;
  readonly sharedResults: number | null;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** One mix: clients connect and subscribe, events warm up the path, then `toggles` measured status changes. */
async function measure(options: {
  label: string;
  server: BenchProcess;
  endpoint: string;
  variables: Record<string, unknown>;
  tokens: readonly (string | null)[];
  identities: number;
  expectedFarm: string;
  toggle: () => Promise<void>;
  metricsUrl: string | null;
}): Promise<Row> {
  const rssBefore = memoryMiB(options.server.pid).current;
  const snapshot = (when: string) =>
    settings.heapSnapshots
      ? {
          heapSnapshot: join(
            settings.heapSnapshots,
            `${options.label.replace(/[^a-z0-9]+/gi, '-')}-${when}.heapsnapshot`,
          ),
        }
      : {};
  const heapBefore = await options.server.memory({ gc: true, ...snapshot('before') });
  const workers = Array.from({ length: Math.min(settings.processes, options.tokens.length) }, clientProcess);
  const subscribed = await Promise.all(
    workers.map((w, i) =>
      w.request(
        {
          type: 'start',
          endpoint: options.endpoint,
          query: QUERY,
          variables: options.variables,
          tokens: options.tokens.filter((_, j) => j % workers.length === i),
          expectedFarm: options.expectedFarm,
        },
        'subscribed',
      ),
    ),
  );
  const acknowledged = subscribed.reduce((n, m) => n + (m?.type === 'subscribed' ? m.connections : 0), 0);
  log(`${options.label}: ${acknowledged} of ${options.tokens.length} connections open and subscribed`);
  const reports = async () =>
    (await Promise.all(workers.map((w) => w.request({ type: 'report' }, 'report')))) as Extract<
      ClientsMessage,
      { type: 'report' }
    >[];
  // Warm-up: toggle until every client has received an event (its subscription is live end to end).
  const warmStart = Date.now();
  for (;;) {
    await options.toggle();
    await sleep(settings.toggleMs);
    const received = (await reports()).flatMap((r) => r.events);
    if (received.every((n) => n > 0)) break;
    if (Date.now() - warmStart > 60_000) {
      log(
        `${options.label}: ${received.filter((n) => n === 0).length} clients received no event during the warm-up (shown as "events per client (min)")`,
      );
      break;
    }
  }
  const baseline = (await reports()).flatMap((r) => r.events);
  const kbPerConnection = ((memoryMiB(options.server.pid).current - rssBefore) * 1024) / options.tokens.length;
  const heapAfter = await options.server.memory({ gc: true, ...snapshot('after') });
  const heapKbPerConnection =
    heapBefore?.collected && heapAfter?.collected
      ? ((heapAfter.heapUsed - heapBefore.heapUsed) * 1024) / options.tokens.length
      : null;
  log(
    `${options.label}: memory after GC (MiB) before ${JSON.stringify(heapBefore)}, after ${JSON.stringify(heapAfter)}`,
  );
  const upstreams = options.metricsUrl ? await metricSum(options.metricsUrl, 'gateway_subscription_upstreams') : null;
  const sharedResults = options.metricsUrl ? await metricSum(options.metricsUrl, 'gateway_subscription_results') : null;
  const started = Date.now();
  for (let i = 0; i < settings.toggles; i += 1) {
    await options.toggle();
    await sleep(settings.toggleMs);
  }
  await sleep(1000); // the last event's stragglers
  const elapsed = (Date.now() - started) / 1000;
  const final = await reports();
  const latencies = final.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const events = final.flatMap((r) => r.events).map((n, i) => n - (baseline[i] ?? 0));
  await Promise.all(workers.map((w) => w.request({ type: 'stop' }, null)));
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))),
  );
  await sleep(2000); // the server lets go of the connections
  const row: Row = {
    label: options.label,
    connections: options.tokens.length,
    identities: options.identities,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    kbPerConnection,
    heapKbPerConnection,
    rssBeforeMiB: rssBefore,
    heapFreeBeforeMiB: heapBefore?.collected ? heapBefore.heapTotal - heapBefore.heapUsed : null,
    deliveriesPerSecond: latencies.length / elapsed,
    minEventsPerClient: Math.min(...events),
    wrong: final.reduce((n, r) => n + r.wrong, 0),
    errors: final.reduce((n, r) => n + r.errors, 0),
    upstreams,
    sharedResults,
  };
  log(`${options.label}: ${JSON.stringify(row)}`);
  return row;
}

function table(rows: readonly Row[]): string {
  const floor = rows.find((r) => r.label.startsWith('floor'));
  const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(2)}×` : '–');
  const lines = [
    '| server / mix | connections | identities | p50 ms | p99 ms | p99 vs floor | server before: RSS · free JS heap after GC (MiB) | KB per connection (RSS) | KB per connection (JS heap after GC) | deliveries/s | events per client (min) | wrong farm / errors | upstream subscriptions (shared) | per-identity design | results computed per event |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows
      .map((r) =>
        [
          r.label,
          r.connections,
          r.identities,
          r.p50,
          r.p99,
          ratio(r.p99, floor?.p99),
          `${Math.round(r.rssBeforeMiB)} · ${r.heapFreeBeforeMiB?.toFixed(0) ?? '–'}`,
          r.kbPerConnection.toFixed(1),
          r.heapKbPerConnection?.toFixed(1) ?? '–',
          Math.round(r.deliveriesPerSecond),
          r.minEventsPerClient,
          `${r.wrong} / ${r.errors}`,
          r.upstreams ?? '–',
          r.upstreams === null ? '–' : r.identities,
          r.sharedResults ?? '–',
        ].join(' | '),
      )
      .map((l) => `| ${l} |`),
  ];
  return lines.join('\n');
}

/** The bench's database: migrated, then every subgraph of rover.yaml seeded into it (auth first), once for every mix. */
async function seed(databaseUrl: string): Promise<void> {
  const names = readRoverConfig().subgraphs.map((s) => s.name);
  for (const name of ['auth', ...names.filter((n) => n !== 'auth')]) await (await loadService(name)).seed(databaseUrl);
}

type MixSettings = Omit<Parameters<typeof measure>[0], 'label' | 'tokens' | 'identities'>;

/**
 * A fresh process of the embedded stack on the seeded database, as each mix of ours is measured in: before its
 * clients connect it has only started, signed the farmer in (one argon2id verification) and read the camera. The
 * floor too starts fresh, so the RSS column compares like with like.
 */
async function openStack(databaseUrl: string, started: BenchProcess[]): Promise<MixSettings> {
  log('starting the embedded stack (a fresh process on the seeded database)…');
  const stack = await startProcess({
    label: 'stack',
    script: '../subscriptions/serve-stack.ts',
    env: { BENCH_DATABASE_URL: databaseUrl },
    nodeArgs: SERVER_NODE_ARGS,
    startTimeoutMs: 600_000,
  });
  started.push(stack);
  const farmer = await gql<{ login: { accessToken: string } }>(
    stack.endpoint,
    'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
    { i: { email: demo.users.farmer.email, password: demo.password } },
  );
  const token = farmer.login.accessToken;
  const camera = await gql<{ camera: { stream: { id: string }; farm: { name: string } } }>(
    stack.endpoint,
    'query($c: ID!) { camera(id: $c) { stream { id } farm { name } } }',
    { c: demo.cameras.greenOverview },
  );
  let live = false;
  const toggle = async () => {
    live = !live;
    const field = live ? 'startStream' : 'stopStream';
    await fetch(stack.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($c: ID!) { ${field}(cameraId: $c) { status } }`,
        variables: { c: demo.cameras.greenOverview },
      }),
    });
  };
  return {
    server: stack,
    endpoint: stack.endpoint,
    variables: { s: camera.camera.stream.id },
    expectedFarm: camera.camera.farm.name,
    toggle,
    metricsUrl: stack.metricsUrl,
  };
}

async function main(): Promise<void> {
  if (settings.heapSnapshots) mkdirSync(settings.heapSnapshots, { recursive: true });
  const rows: Row[] = [];
  const started: BenchProcess[] = [];
  let database: TestDatabase | null = null;
  try {
    if (settings.mixes.includes('floor')) {
      const floor = await startProcess({
        label: 'floor',
        script: '../subscriptions/serve-floor.ts',
        env: {},
        nodeArgs: SERVER_NODE_ARGS,
      });
      started.push(floor);
      rows.push(
        await measure({
          label: 'floor: plain graphql-ws, one schema',
          server: floor,
          endpoint: floor.endpoint,
          variables: { s: 'stream-1' },
          tokens: Array.from({ length: settings.clients }, () => null),
          identities: 0,
          expectedFarm: 'Green Acres',
          toggle: async () => void (await fetch(`${floor.url}/toggle`, { method: 'POST' })),
          metricsUrl: null,
        }),
      );
      await floor.stop();
    }
    const ours = settings.mixes.filter((m) => m !== 'floor');
    if (ours.length) {
      database = await createTestDatabase();
      await seed(database.url);
      let viewers: string[] | null = null;
      if (ours.includes('anonymous')) {
        const stack = await openStack(database.url, started);
        rows.push(
          await measure({
            ...stack,
            label: 'ours: anonymous',
            tokens: Array.from({ length: settings.clients }, () => null),
            identities: 1,
          }),
        );
        // The viewers register in this process, once its mix is measured: their argon2id hashes and the anonymous
        // mix's freed memory stay out of the process that measures them.
        if (ours.includes('signed-in')) viewers = await registerViewers(stack.endpoint, settings.viewers);
        await stack.server.stop();
      }
      if (ours.includes('signed-in')) {
        if (!viewers) {
          const registrar = await openStack(database.url, started);
          viewers = await registerViewers(registrar.endpoint, settings.viewers);
          await registrar.server.stop();
        }
        const stack = await openStack(database.url, started);
        const tokens = viewers.flatMap((t) => Array.from({ length: settings.perViewer }, () => t));
        rows.push(
          await measure({
            ...stack,
            label: `ours: ${settings.viewers} signed-in viewers × ${settings.perViewer}`,
            tokens,
            identities: settings.viewers,
          }),
        );
        await stack.server.stop();
      }
    }
  } finally {
    for (const p of started.reverse()) await p.stop();
    await database?.drop();
  }
  const report = [
    `Subscription fan-out, ${new Date().toISOString()} — ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()[0]?.toFixed(1)} before the run ended.`,
    `${settings.toggles} measured status changes, ${settings.toggleMs} ms apart; clients in ${settings.processes} processes; gateway env: ${env['BENCH_GATEWAY_ENV'] || 'default'}.`,
    '',
    table(rows),
    '',
    'Latency = arrival at the client − the event’s `updatedAt`. Every row is a fresh server process: ours, one embedded stack per mix on the same seeded database, which before its clients connected had only started, signed the farmer in and read the camera (the viewers registered in an earlier process). KB per connection (RSS) = server RSS growth from before the clients connected to after the warm-up (every client received an event), no GC, ÷ connections: what a deployment pays; a larger process starts with more free space in its JS heap (the “server before” column), which connections fill before the heap has to grow, so that column’s RSS growth still favours the larger process. KB per connection (JS heap after GC) = growth of the server’s used JS heap between a forced full GC at the same two points ÷ connections: what stays retained per connection; the rest of the RSS growth is garbage not yet collected, allocator slack and memory outside the JS heap (socket buffers). The per-identity design held one upstream subscription (and one completion per event) per identity.',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (settings.out !== '-') await writeBenchResults(settings.out, report);
}

await main();
