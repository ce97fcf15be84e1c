/**
 * Gateway benchmark (issue 9): the real subgraphs, seeded, on a fresh database, each in its own process; then each
 * gateway in turn on the same subgraphs, driven by autocannon at fixed concurrency with the same operations, plus
 * the subgraph alone as the floor. Prints a markdown table and writes it to bench/gateway/results.md.
 *
 *   npm run bench:gateway                      # defaults below
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=64 npm run bench:gateway
 *
 * Environment: BENCH_SECONDS (measured, per cell, default 5), BENCH_WARMUP (s, default 2), BENCH_SUBGRAPH_WARMUP
 * (s per operation through a throwaway stock gateway before any cell, default 5), BENCH_CONNECTIONS (32),
 * BENCH_GATEWAYS (comma list of ours, floor, apollo, hive, hive-nodedup, hive-dedup; default all), BENCH_OPERATIONS (comma list),
 * BENCH_FARMS (bulk farms for the large list, 100), BENCH_PIN (0 = no CPU pinning), BENCH_OUT (results file;
 * "-" = do not write), BENCH_OURS_NODEDUP_ENV ("K=V,K=V": adds an "ours-nodedup" row with that gateway environment),
 * BENCH_SUPERGRAPH (a supergraph file instead of composing rover.yaml), BENCH_MAX_STEAL (% of CPU stolen by the
 * hypervisor above which a cell is measured again, 10), BENCH_RETRIES (at most that many times, 3; 0 = never).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { loadService } from '@vegshare/tools/services';
import { DEV_KEY_ENCRYPTION_SECRET } from '@vegshare/auth/env';
import { readRoverConfig, repoRoot } from '@vegshare/tools/workspace';
import { cpuSeconds, machineCpuTicks, memoryMiB, pinSelf, startProcess, type BenchProcess } from './processes.ts';
import { operations as allOperations, requestBody, type Operation } from './operations.ts';
import { login, postGraphQL, seedBulkFarms, type GraphQLReply } from './data.ts';
import { drive, totalGraphqlRequests, type LoadOptions, type LoadResult } from './load.ts';
import { benchSupergraph, withRoutingUrls } from './supergraph.ts';
import { FLOOR, markdownTable, STOCK, targetChecks, type Cell } from './report.ts';

const env = process.env;
const int = (name: string, fallback: number) => {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};
const settings = {
  seconds: int('BENCH_SECONDS', 5),
  warmup: int('BENCH_WARMUP', 2),
  subgraphWarmup: int('BENCH_SUBGRAPH_WARMUP', 5),
  /** A cell measured while more than this % of the machine's CPU was stolen by the hypervisor is measured again. */
  maxSteal: int('BENCH_MAX_STEAL', 10),
  retries: env['BENCH_RETRIES'] === '0' ? 0 : int('BENCH_RETRIES', 3),
  connections: int('BENCH_CONNECTIONS', 32),
  farms: Math.min(int('BENCH_FARMS', 100), 100),
  plotsPerFarm: 6,
  pin: env['BENCH_PIN'] !== '0' && cpus().length >= 2,
  out: env['BENCH_OUT'] ?? fileURLToPath(new URL('results.md', import.meta.url)),
};

interface GatewaySpec {
  readonly name: string;
  readonly description: string;
  /** Runner script; absent for the floor. */
  readonly script?: string;
  readonly env?: Readonly<Record<string, string>>;
}

const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
const parsePairs = (raw: string) =>
  Object.fromEntries(
    raw
      .split(',')
      .filter(Boolean)
      .map((p) => p.split('=', 2) as [string, string]),
  );

const specs: GatewaySpec[] = [
  {
    name: 'ours',
    script: 'serve-ours.ts',
    description: 'our gateway (gateway/src, startGateway) as configured by default',
  },
  ...(env['BENCH_OURS_NODEDUP_ENV']
    ? [
        {
          name: 'ours-nodedup',
          script: 'serve-ours.ts',
          env: parsePairs(env['BENCH_OURS_NODEDUP_ENV']),
          description: `ours with ${env['BENCH_OURS_NODEDUP_ENV']}`,
        },
      ]
    : []),
  { name: FLOOR, description: 'no gateway: the operation sent straight to the one subgraph that answers it' },
  {
    name: STOCK,
    script: 'serve-apollo.ts',
    description: `stock @apollo/gateway ${version('@apollo/gateway')} on @apollo/server ${version('@apollo/server')} startStandaloneServer, default settings`,
  },
  {
    name: 'hive',
    script: 'serve-hive.ts',
    env: { HIVE_DEDUP: 'default' },
    description: `Hive Gateway ${version('@graphql-hive/gateway')} runtime, defaults (identical in-flight subgraph queries deduplicated)`,
  },
  {
    name: 'hive-nodedup',
    script: 'serve-hive.ts',
    env: { HIVE_DEDUP: 'none' },
    description: 'Hive Gateway with deduplicateInflightRequests off for every subgraph: no deduplication at all',
  },
  {
    name: 'hive-dedup',
    script: 'serve-hive.ts',
    env: { HIVE_DEDUP: 'inbound' },
    description:
      'Hive Gateway, defaults plus inboundInflightRequestDeduplication (identical client requests share one execution)',
  },
];
const wanted = env['BENCH_GATEWAYS']
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const gateways = wanted ? specs.filter((s) => wanted.includes(s.name)) : specs;
const wantedOps = env['BENCH_OPERATIONS']
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const operations = wantedOps ? allOperations.filter((o) => wantedOps.includes(o.name)) : allOperations;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until no subgraph request is in flight (requests queued by the previous cell have drained), 20 s at most. */
async function settle(subgraphUrls: readonly string[]): Promise<void> {
  let last = await totalGraphqlRequests(subgraphUrls);
  for (let i = 0; i < 100; i += 1) {
    await sleep(200);
    const now = await totalGraphqlRequests(subgraphUrls);
    if (now === last) return;
    last = now;
  }
}

/** What every response of a cell must be: status 200, no errors, the same data as ours. */
function verdict(reply: GraphQLReply, reference: GraphQLReply | undefined): string | undefined {
  if (reply.status !== 200) return `HTTP ${reply.status}: ${reply.text.slice(0, 160)}`;
  if (reply.json?.errors?.length)
    return `errors: ${reply.json.errors
      .map((e) => e.message)
      .join('; ')
      .slice(0, 160)}`;
  if (!reply.json?.data) return 'no data';
  if (reference && !isDeepStrictEqual(reply.json.data, reference.json?.data)) return 'response differs from ours';
  return undefined;
}

type Tokens = Readonly<Record<NonNullable<Operation['as']>, string>>;

/** Fresh access tokens of the demo accounts operations run as. */
const demoTokens = async (authEndpoint: string, secret: string): Promise<Tokens> => ({
  customer: await login(authEndpoint, secret, 'customer'),
  farmer: await login(authEndpoint, secret, 'farmer'),
});

/** The Authorization header of the account an operation runs as, if any. */
const callerHeaders = (op: Operation, tokens: Tokens): Record<string, string> =>
  op.as ? { authorization: `Bearer ${tokens[op.as]}` } : {};

/** Runs every operation through a stock gateway started for the purpose, then stops it. */
async function warmSubgraphs(gatewayEnv: Record<string, string>, tokens: Tokens): Promise<void> {
  const warmer = await startProcess({
    label: 'warm-up gateway',
    script: 'serve-apollo.ts',
    env: gatewayEnv,
    cpus: settings.pin ? '1' : undefined,
  });
  try {
    for (const op of operations) {
      await drive({
        url: warmer.endpoint,
        body: requestBody(op),
        headers: callerHeaders(op, tokens),
        connections: settings.connections,
        seconds: settings.subgraphWarmup,
      });
    }
  } finally {
    await warmer.stop();
  }
}

type Cleanup = Array<() => Promise<void>>;

/** A fresh migrated database and a local S3, every subgraph of rover.yaml seeded into it (auth first). */
async function seededStorage(cleanup: Cleanup): Promise<{
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  s3: Awaited<ReturnType<typeof startLocalS3>>;
  ordered: string[];
}> {
  const db = await createTestDatabase();
  cleanup.push(() => db.drop());
  const s3 = await startLocalS3();
  cleanup.push(() => s3.stop());
  const names = readRoverConfig().subgraphs.map((s) => s.name);
  const ordered = ['auth', ...names.filter((n) => n !== 'auth')].filter((n) => names.includes(n));
  for (const name of ordered) await (await loadService(name)).seed(db.url);
  log(`database ${db.name} migrated and seeded`);
  return { db, s3, ordered };
}

interface Subgraphs {
  readonly processes: ReadonlyMap<string, BenchProcess>;
  readonly auth: BenchProcess;
  readonly jwks: string;
  /** Metrics endpoints of every subgraph (subgraph calls are counted there). */
  readonly metricsUrls: readonly string[];
  readonly pids: readonly number[];
  endpointOf(name: string): string;
}

/** Every subgraph in its own process, auth first (the others verify tokens with its JWKS). */
async function startSubgraphs(
  ordered: readonly string[],
  base: Record<string, string>,
  cleanup: Cleanup,
): Promise<Subgraphs> {
  const subgraphCpus = settings.pin ? '0,1' : undefined;
  const processes = new Map<string, BenchProcess>();
  const spawnSubgraph = async (name: string, extra: Record<string, string>) => {
    const p = await startProcess({
      label: `subgraph ${name}`,
      script: 'serve-subgraph.ts',
      args: [name],
      env: { ...base, ...extra },
      cpus: subgraphCpus,
    });
    processes.set(name, p);
    cleanup.push(() => p.stop());
  };
  await spawnSubgraph('auth', { AUTH_KEY_ENCRYPTION_SECRET: DEV_KEY_ENCRYPTION_SECRET });
  const auth = processes.get('auth');
  if (!auth) throw new Error('auth did not start');
  const jwks = `${auth.url}/.well-known/jwks.json`;
  await Promise.all(ordered.filter((n) => n !== 'auth').map((n) => spawnSubgraph(n, { AUTH_JWKS_URL: jwks })));
  log(`subgraphs up: ${[...processes].map(([n, p]) => `${n}=${p.url}`).join(' ')}`);
  return {
    processes,
    auth,
    jwks,
    metricsUrls: [...processes.values()].map((p) => p.metricsUrl),
    pids: [...processes.values()].map((p) => p.pid),
    endpointOf: (name) => {
      const p = processes.get(name);
      if (!p) throw new Error(`subgraph ${name} is not running`);
      return p.endpoint;
    },
  };
}

/** The supergraph with routing URLs of the running subgraphs, written to a temporary file; the gateways' environment. */
function gatewayEnvironment(
  supergraphSdl: string,
  subgraphs: Subgraphs,
  secret: string,
  cleanup: Cleanup,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'vegshare-bench-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    withRoutingUrls(supergraphSdl, new Map([...subgraphs.processes].map(([n, p]) => [n, p.endpoint]))),
  );
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
    GATEWAY_SECRET: secret,
    SUPERGRAPH_PATH: supergraphPath,
    SUBGRAPH_URLS: [...subgraphs.processes].map(([n, p]) => `${n}=${p.endpoint}`).join(','),
    AUTH_JWKS_URL: subgraphs.jwks,
    AUTH_INTERNAL_URL: subgraphs.auth.url,
  };
}

/** What one cell is measured against: the process answering (a gateway, or for the floor the one subgraph) and how. */
interface Target {
  readonly endpoint: string;
  readonly pid: number;
  readonly headers: Record<string, string>;
  /** Measured through a gateway (subgraph calls per request and subgraph CPU are then columns of their own). */
  readonly viaGateway: boolean;
}

/** One measured run of a cell, drained before and after so the subgraph calls counted are exactly those of its requests. */
async function measureOnce(
  spec: GatewaySpec,
  op: Operation,
  target: Target,
  subgraphs: Subgraphs,
  load: Omit<LoadOptions, 'seconds'>,
  callsSingle: number,
): Promise<(Cell & { load: LoadResult }) | null> {
  await settle(subgraphs.metricsUrls);
  const calls0 = await totalGraphqlRequests(subgraphs.metricsUrls);
  const cpu0 = cpuSeconds(target.pid);
  const subCpu0 = subgraphs.pids.reduce((a, p) => a + cpuSeconds(p), 0);
  const machine0 = machineCpuTicks();
  const t0 = performance.now();
  const result = await drive({ ...load, seconds: settings.seconds });
  const machine1 = machineCpuTicks();
  const stealPercent = ((machine1.steal - machine0.steal) / Math.max(1, machine1.total - machine0.total)) * 100;
  const wall = (performance.now() - t0) / 1000;
  const cpuPercent = ((cpuSeconds(target.pid) - cpu0) / wall) * 100;
  const subgraphCpuPercent = ((subgraphs.pids.reduce((a, p) => a + cpuSeconds(p), 0) - subCpu0) / wall) * 100;
  await settle(subgraphs.metricsUrls);
  const calls = (await totalGraphqlRequests(subgraphs.metricsUrls)) - calls0;
  if (result.requests === 0) return null;
  return {
    gateway: spec.name,
    operation: op.name,
    load: result,
    // Straight to a subgraph, requests autocannon abandons at the end are never counted by it: 1 by definition.
    ...(target.viaGateway ? { callsPerRequest: calls / result.sent } : {}),
    callsSingle,
    cpuPercent,
    ...(target.viaGateway ? { subgraphCpuPercent } : {}),
    peakRssMiB: memoryMiB(target.pid).peak,
    stealPercent,
  };
}

/**
 * This is a VM: when the hypervisor hands much of the CPU to other guests during a cell, that cell measures the
 * neighbour, not the gateway. Such a cell is measured again (BENCH_RETRIES times at most) and the attempt the machine
 * was least disturbed in is kept; its steal % is in the table either way.
 */
async function leastDisturbed(
  spec: GatewaySpec,
  op: Operation,
  measure: () => ReturnType<typeof measureOnce>,
): ReturnType<typeof measureOnce> {
  let cell = await measure();
  for (
    let attempt = 1;
    cell && (cell.stealPercent ?? 0) > settings.maxSteal && attempt <= settings.retries;
    attempt += 1
  ) {
    log(
      `${spec.name} ${op.name}: ${cell.stealPercent?.toFixed(0)} % CPU steal during the run, measuring again (${attempt}/${settings.retries})`,
    );
    const again = await measure();
    if (again && (again.stealPercent ?? 0) < (cell.stealPercent ?? 0)) cell = again;
  }
  return cell;
}

/** One cell: one request alone, checked against ours and counted in subgraph calls; then warm-up and the measured run. */
async function measureCell(
  spec: GatewaySpec,
  op: Operation,
  target: Target,
  subgraphs: Subgraphs,
  references: Map<string, GraphQLReply>,
): Promise<Cell> {
  const body = requestBody(op);
  // Correctness first, alone: the same data as ours, and the subgraph calls one request makes.
  await settle(subgraphs.metricsUrls);
  const before = await totalGraphqlRequests(subgraphs.metricsUrls);
  const sent = performance.now();
  const reply = await postGraphQL(target.endpoint, body, target.headers);
  const singleMs = performance.now() - sent;
  const callsSingle = (await totalGraphqlRequests(subgraphs.metricsUrls)) - before;
  log(
    `${spec.name} ${op.name}: one request alone took ${singleMs.toFixed(1)} ms, ${callsSingle} subgraph calls, ${reply.text.length} bytes`,
  );
  const wrong = verdict(reply, references.get(op.name));
  if (wrong) {
    log(`${spec.name} ${op.name}: invalid, ${wrong}`);
    return { gateway: spec.name, operation: op.name, invalid: `invalid: ${wrong}` };
  }
  if (spec.name === 'ours') references.set(op.name, reply);
  const load = {
    url: target.endpoint,
    body,
    headers: target.headers,
    connections: settings.connections,
    expectBody: reply.text,
  };
  await drive({ ...load, seconds: settings.warmup });
  const cell = await leastDisturbed(spec, op, () => measureOnce(spec, op, target, subgraphs, load, callsSingle));
  if (!cell) {
    log(`${spec.name} ${op.name}: no response within the measured ${settings.seconds} s`);
    return {
      gateway: spec.name,
      operation: op.name,
      invalid: `no response completed within the measured ${settings.seconds} s`,
    };
  }
  const result = cell.load;
  log(
    `${spec.name} ${op.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${cell.callsPerRequest?.toFixed(2)} calls/req, failures ${result.failures}`,
  );
  return cell;
}

/** Every operation through one gateway (started in its own process, stopped after), or straight to a subgraph for the floor. */
async function measureGateway(
  spec: GatewaySpec,
  subgraphs: Subgraphs,
  gatewayEnv: Record<string, string>,
  secret: string,
  references: Map<string, GraphQLReply>,
): Promise<Cell[]> {
  const bad = (op: Operation, invalid: string): Cell => ({ gateway: spec.name, operation: op.name, invalid });
  let gateway: BenchProcess | undefined;
  if (spec.script) {
    try {
      gateway = await startProcess({
        label: `gateway ${spec.name}`,
        script: spec.script,
        env: { ...gatewayEnv, ...spec.env },
        cpus: settings.pin ? '1' : undefined,
      });
    } catch (error) {
      const reason = `did not start: ${error instanceof Error ? error.message : String(error)}`;
      log(`${spec.name} ${reason}`);
      return operations.map((op) => bad(op, reason));
    }
  }
  const cells: Cell[] = [];
  try {
    const tokens = await demoTokens(subgraphs.endpointOf('auth'), secret);
    for (const op of operations) {
      const headers = callerHeaders(op, tokens);
      let target: Target;
      if (gateway) target = { endpoint: gateway.endpoint, pid: gateway.pid, headers, viaGateway: true };
      else {
        if (!op.floor) {
          cells.push(bad(op, 'n/a (needs several subgraphs)'));
          continue;
        }
        const sub = subgraphs.processes.get(op.floor);
        if (!sub) throw new Error(`floor subgraph ${op.floor} missing`);
        target = {
          endpoint: sub.endpoint,
          pid: sub.pid,
          headers: { ...headers, 'x-gateway-secret': secret },
          viaGateway: false,
        };
      }
      cells.push(await measureCell(spec, op, target, subgraphs, references));
    }
  } finally {
    await gateway?.stop();
  }
  return cells;
}

/** The results as markdown: the table, what was measured and how, and the issue's targets. */
function resultsMarkdown(
  cells: readonly Cell[],
  run: { started: number; loadBefore: number; supergraphSource: string },
): string {
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.versions.node}`;
  const queries = operations.filter((o) => !o.query.trimStart().startsWith('mutation')).map((o) => o.name);
  const hiveVariants = gateways.filter((g) => g.name.startsWith('hive')).map((g) => g.name);
  return [
    '# Gateway benchmark',
    '',
    ...(run.loadBefore > 1
      ? [
          '**Measured on a busy machine (see the load average below): rerun on an idle one before drawing conclusions.**',
          '',
        ]
      : []),
    `Run ${new Date().toISOString()} on ${machine}, in ${((Date.now() - run.started) / 1000).toFixed(0)} s, with \`npm run bench:gateway\``,
    `(${settings.connections} connections, ${settings.warmup} s warm-up then ${settings.seconds} s measured per cell;`,
    settings.pin
      ? 'load generator pinned to CPU 0, the gateway under test to CPU 1, subgraphs and Postgres on both).'
      : 'no CPU pinning).',
    `Load average (1 min) before the run ${run.loadBefore.toFixed(2)}, after ${(loadavg()[0] ?? 0).toFixed(2)} (anything well above 0 before means other work shared the machine).`,
    `Supergraph: ${run.supergraphSource}. Data: demo seed plus ${settings.farms} farms × ${settings.plotsPerFarm} plots.`,
    '',
    markdownTable(cells),
    '',
    'Gateways:',
    ...gateways.map((g) => `- **${g.name}**: ${g.description}`),
    '',
    'Operations:',
    ...operations.map((o) => `- **${o.name}**: ${o.description}`),
    '',
    'Columns: req/s = answered requests / measured seconds; p50/p99 from autocannon; subgraph calls / req = subgraph',
    "`/graphql` requests (from each subgraph's `http_request_duration_seconds_count`, counted until the subgraphs are",
    'idle again) per client request sent in the measured run, and for one request sent alone; CPU % = CPU time of the',
    'measured process (gateway, or the subgraph for the floor) over wall time, 100 = one core; peak RSS = VmHWM of that process; ratios are against the stock gateway (apollo) and the',
    'floor of this run. Each response is checked against ours (same data, no errors) before measuring, and every',
    'response under load must be byte-identical to the checked one (else it counts in failed reqs). steal % = CPU time',
    'the hypervisor gave other guests during the measured run (/proc/stat): a cell with high steal was measured on a',
    'machine that was not all ours.',
    '',
    'Targets (issue 9):',
    ...targetChecks(cells, queries, hiveVariants),
    '',
  ].join('\n');
}

/** The whole run: storage, subgraphs, bulk data, warm-up, every gateway in turn, then the report. */
async function benchmark(cleanup: Cleanup): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  if (loadBefore > 0.5)
    log(`load average is ${loadBefore.toFixed(1)} before starting: other work on this machine skews the numbers`);
  const { db, s3, ordered } = await seededStorage(cleanup);

  const secret = randomBytes(24).toString('hex');
  // Subgraphs run as in production (NODE_ENV=production: graphql-js drops its development-only checks); auth opens
  // the signing keys the seed sealed with the development secret.
  const base: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
    GATEWAY_SECRET: secret,
    ...s3.env,
  };
  const subgraphs = await startSubgraphs(ordered, base, cleanup);

  const farmerToken = await login(subgraphs.endpointOf('auth'), secret, 'farmer');
  await seedBulkFarms(subgraphs.endpointOf('farm'), secret, farmerToken, settings.farms, settings.plotsPerFarm);
  log(`bulk data: ${settings.farms} farms × ${settings.plotsPerFarm} plots`);

  const supergraph = benchSupergraph(env);
  const gatewayEnv = gatewayEnvironment(supergraph.sdl, subgraphs, secret, cleanup);

  // The subgraphs' JIT is cold after start. Whichever gateway went first would pay for it (and a deduplicating one
  // sends so few subgraph calls that its own warm-up barely helps), so every operation is first run through a
  // throwaway stock gateway: each gateway then meets equally warm subgraphs.
  await warmSubgraphs(gatewayEnv, await demoTokens(subgraphs.endpointOf('auth'), secret));
  log(`subgraphs warmed: ${settings.subgraphWarmup} s per operation through a throwaway stock gateway`);

  const cells: Cell[] = [];
  const references = new Map<string, GraphQLReply>();
  for (const spec of gateways) cells.push(...(await measureGateway(spec, subgraphs, gatewayEnv, secret, references)));

  const md = resultsMarkdown(cells, { started, loadBefore, supergraphSource: supergraph.source });
  process.stdout.write(`${md}\n`);
  if (settings.out !== '-') {
    writeFileSync(settings.out, md);
    log(`written to ${settings.out}`);
  }
}

async function main(): Promise<void> {
  if (settings.pin && !(await pinSelf('0'))) {
    settings.pin = false;
    log('taskset unavailable: no CPU pinning');
  }
  const cleanup: Cleanup = [];
  const runCleanup = async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  process.once('SIGINT', () => void runCleanup().then(() => process.exit(130)));
  try {
    await benchmark(cleanup);
  } finally {
    await runCleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
