/**
 * Auth benchmark (issue 17): sign-ins per second through the gateway against the argon2id bound measured in the same
 * run. One run measures, in this order:
 *   1. the bound: argon2id verifications per second of a stored hash (the service's parameters) through the service's
 *      own hasher on all cores, in a process of its own, with nothing else of ours busy (before the storm);
 *   2. a login storm through the gateway on a fresh database — by default auth and the gateway each in a process of
 *      its own with REDIS_URL, as production (k8s) runs them (BENCH_TOPOLOGY=split): auth's rate limits in Redis, about
 *      four round trips per login, under a key prefix of this run; or the embedded stack (BENCH_TOPOLOGY=embedded:
 *      every subgraph and the gateway in one process, as `npm start` runs them, without Redis): N connections, each
 *      signing in distinct registered users in turn; logins/s, p50/p99, and the ratio to the bound;
 *   3. the event-loop delay of auth's process during the storm at 1 ms resolution (loop-probe.ts);
 *   4. refresh-token rotations per second through the gateway (N chains), and access-token verifications per second
 *      with the kit's JWT verifier on the JWKS the gateway serves (signature checked every time, then the kit's cache);
 *   5. split only: auth and the gateway stopped and started again without REDIS_URL (rate limits in auth's memory, not
 *      how production runs), warmed up, and a second login storm: the second row, what Redis costs a login;
 *   6. the bound again (after the storms: the machine is shared, its load moves — the ratios use the mean of both).
 *
 *   npm run bench:auth
 *   BENCH_SECONDS=5 BENCH_BOUND_SECONDS=3 npm run bench:auth
 *
 * Environment: BENCH_CONNECTIONS (concurrent logins, default 16), BENCH_USERS (distinct accounts, default 4 per
 * connection), BENCH_SECONDS (measured login storm, 20), BENCH_WARMUP (s of logins before it, 5), BENCH_BOUND_SECONDS
 * (each bound measurement, 10), BENCH_REFRESH_SECONDS (10), BENCH_VERIFY_SECONDS (5), BENCH_OUT (results file;
 * "-" = do not write), BENCH_TOPOLOGY (`split`, the default: auth and the gateway in processes of their own, like
 * production; `embedded`: the one-process stack), BENCH_NODE_ARGS (node flags of the benchmarked processes, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`), PASSWORD_HASH_CONCURRENCY (auth's hashes at once and the bound's verifications
 * in flight; default one per core, as auth's own default), UV_THREADPOOL_SIZE (passed on to them: the thread pool argon2 hashes on),
 * BENCH_REDIS_URL (the Redis of the split topology, default redis://127.0.0.1:6379).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createJwtVerifier } from '@vegshare/kit';
import { freePort } from '@vegshare/tools/ports';
import { writeBenchResults } from '@vegshare/tools/bench-results';
import { createTestDatabase } from '@vegshare/tools/testing/database';
import { repoRoot } from '@vegshare/tools/workspace';
import {
  cpuSeconds,
  intSetting,
  machineMeter,
  metricSum,
  startProcess,
  type BenchProcess,
  type MachineShare,
} from '../gateway/processes.ts';
import type { BoundResult } from './bound.ts';
import { jsonClient, type JsonClient } from './client.ts';
import { LOOP_PROBE_RESOLUTION_MS, readLoopDelay, type LoopDelay } from './loop-probe.ts';

const env = process.env;
const topologies = ['split', 'embedded'] as const;
type Topology = (typeof topologies)[number];
const topology = (env['BENCH_TOPOLOGY'] || 'split') as Topology;
if (!topologies.includes(topology)) throw new Error(`BENCH_TOPOLOGY must be split or embedded, got "${topology}"`);
const connections = intSetting('BENCH_CONNECTIONS', 16);
const settings = {
  connections,
  users: Math.max(intSetting('BENCH_USERS', connections * 4), connections),
  seconds: intSetting('BENCH_SECONDS', 20),
  warmup: intSetting('BENCH_WARMUP', 5),
  boundSeconds: intSetting('BENCH_BOUND_SECONDS', 10),
  refreshSeconds: intSetting('BENCH_REFRESH_SECONDS', 10),
  /** Each paced-refresh window (refreshes at the login storm's rate, without and with argon2 load); 0 skips them. */
  pacedSeconds: env['BENCH_PACED_SECONDS'] === '0' ? 0 : intSetting('BENCH_PACED_SECONDS', 10),
  verifySeconds: intSetting('BENCH_VERIFY_SECONDS', 5),
  /** The stack's libuv pool (argon2 runs there): Node's default of 4 unless set for the run. */
  threadPool: intSetting('UV_THREADPOOL_SIZE', 4),
  /** Auth's password hashes at once (its PASSWORD_HASH_CONCURRENCY, set for it here) and the bound's verifications in flight. */
  hashConcurrency: intSetting('PASSWORD_HASH_CONCURRENCY', availableParallelism()),
  topology,
  redisUrl: env['BENCH_REDIS_URL'] || 'redis://127.0.0.1:6379',
  out: env['BENCH_OUT'] ?? fileURLToPath(new URL('results.md', import.meta.url)),
};
const PASSWORD = 'correct horse battery staple';
/** Goals of issue 17. */
const GOAL_RATIO = 0.85;
const GOAL_LOOP_DELAY_MS = 20;
const log = (message: string) => process.stderr.write(`[bench:auth] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

async function gql<T>(endpoint: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: T | null; errors?: unknown[] };
  if (!json.data || json.errors) throw new Error(`${query.slice(0, 40)}…: ${JSON.stringify(json.errors)}`);
  return json.data;
}

const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }';
const REFRESH = 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }';
const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }';

/** Distinct accounts registered through the gateway (argon2id hashes made by the service), a few at a time. */
async function registerUsers(endpoint: string, n: number): Promise<string[]> {
  const run = Date.now().toString(36);
  const emails = Array.from({ length: n }, (_, i) => `signer-${run}-${i}@bench.test`);
  for (let i = 0; i < n; i += 4)
    await Promise.all(
      emails
        .slice(i, i + 4)
        .map((email, j) =>
          gql(endpoint, REGISTER, { i: { email, password: PASSWORD, displayName: `Signer ${i + j}` } }),
        ),
    );
  return emails;
}

interface Phase {
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * `connections` closed loops for `seconds`: each calls `step(loop, n)` again as soon as the previous one answered.
 * Latency and outcome of every call; calls still in flight at the end are waited for but not counted.
 */
async function closedLoops(
  seconds: number,
  loops: number,
  step: (loop: number, n: number) => Promise<boolean>,
): Promise<Phase> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t = performance.now();
        const ok = await step(loop, n).catch(() => false);
        if (performance.now() > deadline) break;
        if (ok) latencies.push(performance.now() - t);
        else failed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Wraps a closed-loop step so that each loop starts one call per `periodSeconds` (when calls are faster than that). */
function atPeriod(
  step: (loop: number, n: number) => Promise<boolean>,
  loops: number,
  periodSeconds: number,
): (loop: number, n: number) => Promise<boolean> {
  return async (loop, n) => {
    // Loops spread over the period, not all at once: bursts would share event-loop wake-ups that a storm's do not.
    if (n === 0) await sleep((loop / loops) * periodSeconds * 1000);
    const started = performance.now();
    const ok = await step(loop, n);
    await sleep(Math.max(0, periodSeconds * 1000 - (performance.now() - started)));
    return ok;
  };
}

/** Refreshes at the login storm's rate: alone, and while another process keeps argon2 verifications going. */
interface Paced {
  readonly alone: { readonly phase: Phase; readonly cpu: CpuSplit };
  readonly loaded: { readonly phase: Phase; readonly cpu: CpuSplit };
  readonly hashesPerSecond: number;
}

/** One keep-alive client per endpoint for the storms (client.ts: cheaper per request than fetch). */
const clients = new Map<string, JsonClient>();

function postJson(endpoint: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  let client = clients.get(endpoint);
  if (!client) clients.set(endpoint, (client = jsonClient(endpoint, settings.connections)));
  return client.post({ query, variables });
}

/** The login storm: loop `l` signs in users l, l + N, l + 2N … in turn; the last tokens of each user are kept. */
function loginStorm(endpoint: string, emails: readonly string[], seconds: number, kept: Map<string, Tokens>) {
  return closedLoops(seconds, settings.connections, async (loop, n) => {
    const mine = emails.filter((_, i) => i % settings.connections === loop);
    const email = mine[n % mine.length] as string;
    const reply = (await postJson(endpoint, LOGIN, { i: { email, password: PASSWORD } })) as {
      data?: { login?: Tokens } | null;
    };
    const tokens = reply.data?.login;
    if (!tokens?.accessToken) return false;
    kept.set(email, tokens);
    return true;
  });
}

interface Bound {
  readonly perSecond: number;
  /** CPU time (all threads) per verification. */
  readonly cpuMs: number;
}

/**
 * Forks bound.ts: argon2id verifications/s of `hash` on all cores, as many in flight as auth hashes at once (one per
 * core by default). More in flight than cores gain nothing here: on the 2-core bench machine 4–5 in flight cost each
 * verification about 10 % more CPU (the threads take turns and evict each other's 19 MiB from the caches) for no more
 * verifications per second — the best the hash alone does is one per core.
 */
function measureBound(
  hash: string,
  concurrency = settings.hashConcurrency,
  seconds = settings.boundSeconds,
): Promise<Bound> {
  const child = fork(fileURLToPath(new URL('bound.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      UV_THREADPOOL_SIZE: String(concurrency),
      BENCH_HASH: hash,
      BENCH_PASSWORD: PASSWORD,
      BENCH_BOUND_SECONDS: String(seconds),
      BENCH_BOUND_CONCURRENCY: String(concurrency),
    },
    stdio: ['ignore', process.stderr, process.stderr, 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: BoundResult) =>
      resolve({ perSecond: m.verifies / m.seconds, cpuMs: m.cpuMs / m.verifies }),
    );
    child.once('exit', (code) => reject(new Error(`argon2id bound exited with ${code} before answering`)));
  });
}

async function storedHash(databaseUrl: string, email: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ password_hash: string }>(
      'SELECT password_hash FROM auth."user" WHERE email = $1',
      [email],
    );
    const hash = rows[0]?.password_hash;
    if (!hash) throw new Error(`no stored hash for ${email}`);
    return hash;
  } finally {
    await client.end();
  }
}

/** Access-token verifications per second with the kit's verifier (keys from the JWKS), `loops` in flight. */
async function verifications(jwksUrl: string, tokens: readonly string[], cacheMs: number): Promise<Phase> {
  const claims = JSON.parse(Buffer.from(tokens[0]!.split('.')[1]!, 'base64url').toString('utf8')) as {
    iss: string;
    aud: string;
  };
  const verifier = createJwtVerifier({ keys: new URL(jwksUrl), issuer: claims.iss, audience: claims.aud, cacheMs });
  await verifier.verify(tokens[0]!); // the JWKS is fetched once, outside the measurement
  return closedLoops(settings.verifySeconds, settings.connections, async (loop, n) => {
    const token = tokens[(loop + n * settings.connections) % tokens.length] as string;
    return (await verifier.verify(token)).userId.length > 0;
  });
}

/** The second login storm of the split topology: auth and the gateway without REDIS_URL. */
interface InMemoryStorm {
  readonly logins: Phase;
  readonly cpu: CpuSplit;
  readonly loop: LoopDelay;
}

interface Report {
  readonly boundBefore: Bound;
  readonly boundAfter: Bound;
  readonly logins: Phase;
  readonly loop: LoopDelay;
  readonly idleLoop: LoopDelay;
  readonly refreshLoop: LoopDelay;
  readonly loginCpu: CpuSplit;
  /** CPU ms per login of this process (the bench's HTTP client), which shares the machine with the stack. */
  readonly clientMs: number;
  /** The whole machine during the login storm (/proc/stat). */
  readonly machine: MachineShare;
  /** CPU ms per second of the idle processes before the storm. */
  readonly idleCpu: CpuSplit;
  readonly refreshCpu: CpuSplit;
  readonly refresh: Phase;
  readonly paced: Paced | null;
  readonly verifyUncached: Phase;
  readonly verifyCached: Phase;
  readonly inMemory: InMemoryStorm | null;
  readonly hashParams: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

const TOPOLOGY_TEXT: Record<Topology, string> = {
  split:
    'auth and the gateway each in a process of its own with REDIS_URL, as in production (BENCH_TOPOLOGY=split): auth’s rate limits in Redis',
  embedded:
    'embedded stack: the gateway and every subgraph in one process, without Redis as `npm start` runs by default (BENCH_TOPOLOGY=embedded): rate limits in process memory',
};

function markdown(r: Report): string {
  const bound = (r.boundBefore.perSecond + r.boundAfter.perSecond) / 2;
  const hashCpuMs = (r.boundBefore.cpuMs + r.boundAfter.cpuMs) / 2;
  const ratio = r.logins.perSecond / bound;
  const ms = (n: number) => n.toFixed(1);
  const loopOk = r.loop.p99 < GOAL_LOOP_DELAY_MS;
  const cores = cpus().length;
  const auth = settings.topology === 'split' ? "auth's process" : 'the stack process';
  const c = r.loginCpu;
  // In-run ceiling: auth's threads other than its event loop are argon2's pool (and V8's GC helpers), measured under
  // the same load as the rest of the login; the bound's CPU per verification is the other view of the hash.
  const poolMs = c.auth - c.authLoop;
  const cpuWhere = settings.topology === 'split' ? 'auth + gateway processes' : 'the stack process';
  return [
    `Auth, ${new Date().toISOString()} — ${cores} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, load (1/5/15 min) ${r.loadBefore} at the start and ${r.loadAfter} at the end. The machine is shared with other sessions' builds and tests: absolute figures move with their load, the ratios are against the bound measured in this run.`,
    `argon2id ${r.hashParams} (the service's stored hash); ${TOPOLOGY_TEXT[settings.topology]}, UV_THREADPOOL_SIZE=${settings.threadPool}, PASSWORD_HASH_CONCURRENCY=${settings.hashConcurrency}; ${settings.connections} connections, ${settings.users} distinct accounts; login storm ${settings.seconds} s after ${settings.warmup} s of warm-up.`,
    '',
    '| measure | per second | p50 ms | p99 ms | vs argon2id bound | goal |',
    '|---|--:|--:|--:|--:|---|',
    `| argon2id bound: verifications of the hash alone, all cores (before · after the ${r.inMemory ? 'storms' : 'storm'}) | ${bound.toFixed(1)} (${r.boundBefore.perSecond.toFixed(1)} · ${r.boundAfter.perSecond.toFixed(1)}) | | | 1.00 | |`,
    `| logins through the gateway, ${settings.topology === 'split' ? 'rate limits in Redis as in production (no fallback to memory)' : 'rate limits in process memory'} (${r.logins.failed} failed) | ${r.logins.perSecond.toFixed(1)} | ${ms(r.logins.p50)} | ${ms(r.logins.p99)} | ${(ratio * 100).toFixed(0)} % | ≥ ${GOAL_RATIO * 100} %: ${ratio >= GOAL_RATIO ? 'met' : 'not met'}; CPU-time ceiling ${((hashCpuMs / c.total) * 100).toFixed(0)} % (in-run ${((poolMs / c.total) * 100).toFixed(0)} %) |`,
    `| event-loop delay of ${auth} during the storm, ${LOOP_PROBE_RESOLUTION_MS} ms resolution (max ${ms(r.loop.max)} ms) | | ${ms(r.loop.p50)} | ${ms(r.loop.p99)} | | < ${GOAL_LOOP_DELAY_MS} ms: ${loopOk ? 'met' : 'not met'} |`,
    `| event-loop delay of the same process idle, before the storm (the machine's load alone; max ${ms(r.idleLoop.max)} ms) | | ${ms(r.idleLoop.p50)} | ${ms(r.idleLoop.p99)} | | |`,
    `| CPU time per login in ${cpuWhere}, all threads · per verification in the bound | | ${ms(c.total)} · ${ms(hashCpuMs)} ms | | ${(hashCpuMs / c.total).toFixed(2)} (hash ÷ login) | |`,
    `| CPU time per login: auth's other threads (argon2's pool, GC helpers) · auth's event loop · ${settings.topology === 'split' ? 'the gateway process' : 'the rest'} | | ${ms(poolMs)} · ${ms(c.authLoop)} · ${ms(c.total - c.auth)} ms | | ${(poolMs / c.total).toFixed(2)} (pool ÷ login) | |`,
    `| CPU time per login of the bench's own client (its process: ${settings.connections} closed loops on node:http keep-alive sockets), on the same cores · what the ceiling would be with it counted | | ${ms(r.clientMs)} ms | | ${(hashCpuMs / (c.total + r.clientMs)).toFixed(2)} (hash ÷ login + client) | |`,
    `| CPU time per login on the whole machine (/proc/stat, every core): all of it · outside ${cpuWhere} and the bench's process (Postgres, Redis, the kernel's loopback network, anything else running) — the machine's idle · stolen share during the storm | | ${ms(r.machine.busyMs)} · ${ms(r.machine.busyMs - c.total - r.clientMs)} ms — ${r.machine.idlePercent.toFixed(0)} % · ${r.machine.stealPercent.toFixed(0)} % | | ${(hashCpuMs / r.machine.busyMs).toFixed(2)} (hash ÷ machine per login) | |`,
    `| idle CPU before the storm, ms per second: auth's event loop (its 1 ms loop probe included) · ${settings.topology === 'split' ? 'the gateway process' : 'the rest'} — per login at the storm's rate | | ${ms(r.idleCpu.authLoop)} · ${ms(r.idleCpu.total - r.idleCpu.auth)} — ${(r.idleCpu.authLoop / r.logins.perSecond).toFixed(2)} · ${((r.idleCpu.total - r.idleCpu.auth) / r.logins.perSecond).toFixed(2)} ms | | | |`,
    `| CPU time per refresh: ${cpuWhere} · auth · auth's event loop | | ${ms(r.refreshCpu.total)} · ${ms(r.refreshCpu.auth)} · ${ms(r.refreshCpu.authLoop)} ms | | | |`,
    `| refresh-token rotations through the gateway (${r.refresh.failed} failed; event-loop p99 ${ms(r.refreshLoop.p99)} ms) | ${r.refresh.perSecond.toFixed(1)} | ${ms(r.refresh.p50)} | ${ms(r.refresh.p99)} | ${(r.refresh.perSecond / bound).toFixed(1)}× | |`,
    ...(r.paced
      ? [r.paced.alone, r.paced.loaded].map(
          ({ phase, cpu }, i) =>
            `| refreshes paced at the login storm's rate${i === 0 ? ', nothing else running' : `, while another process verifies argon2id hashes (${settings.hashConcurrency} in flight, ${r.paced!.hashesPerSecond.toFixed(1)}/s)`} (${phase.failed} failed): CPU per refresh in ${cpuWhere} · auth · auth's event loop · ${settings.topology === 'split' ? 'the gateway' : 'the rest'} | ${phase.perSecond.toFixed(1)} | ${ms(cpu.total)} · ${ms(cpu.auth)} · ${ms(cpu.authLoop)} · ${ms(cpu.total - cpu.auth)} ms | | | |`,
        )
      : []),
    `| access-token verifications, kit verifier on the JWKS, signature checked every time (bench process) | ${r.verifyUncached.perSecond.toFixed(0)} | ${ms(r.verifyUncached.p50)} | ${ms(r.verifyUncached.p99)} | | |`,
    `| access-token verifications, kit verifier with its default 60 s cache | ${r.verifyCached.perSecond.toFixed(0)} | ${ms(r.verifyCached.p50)} | ${ms(r.verifyCached.p99)} | | |`,
    ...(r.inMemory
      ? [
          `| logins, auth and the gateway started again without REDIS_URL: rate limits in auth's memory, not how production runs (${r.inMemory.logins.failed} failed; event-loop p99 ${ms(r.inMemory.loop.p99)} ms) | ${r.inMemory.logins.perSecond.toFixed(1)} | ${ms(r.inMemory.logins.p50)} | ${ms(r.inMemory.logins.p99)} | ${((r.inMemory.logins.perSecond / bound) * 100).toFixed(0)} % | CPU per login ${ms(r.inMemory.cpu.total)} ms (with Redis ${ms(c.total)}): auth's event loop ${ms(r.inMemory.cpu.authLoop)} (${ms(c.authLoop)}) · the gateway ${ms(r.inMemory.cpu.total - r.inMemory.cpu.auth)} (${ms(c.total - c.auth)}) ms |`,
        ]
      : []),
    '',
    `${r.inMemory ? `Production (k8s) gives auth and the gateway REDIS_URL: auth's per-IP and per-account limits are then in Redis, one Redis round trip before the hash (the per-IP count and the account's back-off, sent together with the account's lookup in Postgres) and, only for an account with recorded failures, one after it to clear them, under a key prefix of this run (${REDIS_PREFIX}:*; the counters expire within the hour), and auth's /metrics showed no fallback to memory; the last row is the same storm on auth and the gateway started again without it, after the refresh and verification rows. ` : ''}The bound runs in a process of its own with as many verifications in flight as auth computes hashes at once (PASSWORD_HASH_CONCURRENCY, one per core by default), the most the hash alone does per second on this machine; the ratios divide logins/s by the mean of the bound before and after the storms. The CPU-time ceiling (CPU per verification ÷ CPU per login, all threads of every benchmarked process) is what the ratio can reach when the CPU is the limit: below it the rest of the login (HTTP, GraphQL in the gateway and in auth, the database, the token) costs what the hash does not. On a loaded machine argon2id's CPU time per verification itself grows with the contention (its 19 MiB do not stay in cache), so the bound's process and the storm's do not see the same hash cost; the in-run ceiling takes the hash's share from auth's own threads during the storm instead (every thread but the event loop: argon2's pool, plus V8's few GC helper threads). The whole-machine row counts every core's busy time during the storm (/proc/stat, steal excluded): when the machine has no idle share left, the hash's CPU ÷ that per login is the most the ratio can reach with the login's other work where it is — including what runs outside our processes because a login needs it (Postgres, Redis, the kernel's loopback network) and, on a shared machine, other tenants' work. The event-loop delay is a perf_hooks \`monitorEventLoopDelay\` histogram at ${LOOP_PROBE_RESOLUTION_MS} ms resolution (which its values include) in ${auth}, restarted right before each window (prom-client's \`nodejs_eventloop_lag_*\` on /metrics sample at 10 ms)${settings.topology === 'embedded' ? '; in the embedded start auth shares that event loop with the gateway and the other subgraphs' : ''}.`,
  ].join('\n');
}

/** Where auth keeps its rate limits: in Redis (REDIS_URL, as production sets it) or in its process's memory. */
type Limits = 'redis' | 'memory';

/** The processes a login goes through, started on `databaseUrl`: the gateway's endpoint, auth's loop probe, their pids. */
interface Topo {
  readonly endpoint: string;
  readonly gatewayUrl: string;
  readonly probeUrl: string;
  readonly authPid: number;
  readonly pids: readonly number[];
  readonly limits: Limits;
  /** Auth's /metrics (split topology): whether its limits fell back to memory while Redis was used. */
  readonly authMetricsUrl: string | null;
  /** Stops these processes (the next topology does not share the machine with them). */
  stop(): Promise<void>;
}

/** Redis keys of this run: its rate-limit counters (and APQ entries) never meet another run's, and expire with it. */
const REDIS_PREFIX = `bench:auth:${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

async function startTopology(databaseUrl: string, processes: BenchProcess[], limits: Limits): Promise<Topo> {
  // Every login comes from the bench's one address: the per-IP limits must not be what is measured.
  if (settings.topology === 'embedded') {
    log('starting the embedded stack…');
    const stack = await startProcess({
      label: 'stack',
      script: '../auth/serve-stack.ts',
      env: { BENCH_DATABASE_URL: databaseUrl, PASSWORD_HASH_CONCURRENCY: String(settings.hashConcurrency) },
      startTimeoutMs: 600_000,
    });
    processes.push(stack);
    return {
      endpoint: stack.endpoint,
      gatewayUrl: stack.url,
      probeUrl: stack.metricsUrl,
      authPid: stack.pid,
      pids: [stack.pid],
      limits,
      authMetricsUrl: null,
      stop: () => stack.stop(),
    };
  }
  const secret = randomBytes(32).toString('base64url');
  const authMetricsPort = await freePort();
  // As production (k8s) configures both: REDIS_URL for auth (rate limits, events) and the gateway (events, APQ).
  const redis = (prefix: Record<string, string>) =>
    limits === 'redis' ? { REDIS_URL: settings.redisUrl, ...prefix } : {};
  log(`starting auth (rate limits in ${limits === 'redis' ? `Redis, keys ${REDIS_PREFIX}:*` : 'its memory'})…`);
  const auth = await startProcess({
    label: 'auth',
    script: '../auth/serve-auth.ts',
    env: {
      DATABASE_URL: databaseUrl,
      GATEWAY_SECRET: secret,
      LOGIN_IP_LIMIT: '100000000',
      REGISTER_IP_LIMIT: '100000000',
      PASSWORD_HASH_CONCURRENCY: String(settings.hashConcurrency),
      METRICS_PORT: String(authMetricsPort),
      LOG_LEVEL: 'warn',
      ...redis({ RATE_LIMIT_PREFIX: `${REDIS_PREFIX}:rl` }),
    },
    startTimeoutMs: 300_000,
  });
  processes.push(auth);
  log('starting the gateway…');
  const gateway = await startProcess({
    label: 'gateway',
    script: '../gateway/serve-ours.ts',
    env: {
      GATEWAY_SECRET: secret,
      SUPERGRAPH_PATH: join(repoRoot, 'schema/supergraph.graphql'),
      // Only auth is running: a login touches no other subgraph.
      SUBGRAPH_URLS: `auth=${auth.endpoint}`,
      AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
      AUTH_INTERNAL_URL: auth.url,
      LOG_LEVEL: 'warn',
      ...redis({ APQ_REDIS_PREFIX: `${REDIS_PREFIX}:gw:` }),
    },
    startTimeoutMs: 300_000,
  });
  processes.push(gateway);
  return {
    endpoint: gateway.endpoint,
    gatewayUrl: gateway.url,
    probeUrl: auth.metricsUrl,
    authPid: auth.pid,
    pids: [auth.pid, gateway.pid],
    limits,
    authMetricsUrl: `http://127.0.0.1:${authMetricsPort}`,
    stop: async () => {
      await gateway.stop();
      await auth.stop();
    },
  };
}

/**
 * Refuses to report a Redis row whose limits were not in Redis: auth exports `rate_limit_degraded` only when it has a
 * Redis for them, and counts every operation that fell back to its memory (Redis unreachable at start or later).
 */
async function assertLimitsInRedis(topo: Topo): Promise<void> {
  if (topo.limits !== 'redis' || !topo.authMetricsUrl) return;
  const degraded = await metricSum(topo.authMetricsUrl, 'rate_limit_degraded');
  const fallbacks = (await metricSum(topo.authMetricsUrl, 'rate_limit_fallback_total')) ?? 0;
  if (degraded === null || degraded > 0 || fallbacks > 0)
    throw new Error(
      `auth's rate limits were not in Redis (degraded ${degraded}, ${fallbacks} fallbacks to memory): is Redis at ${settings.redisUrl}?`,
    );
}

const cpuOf = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/** Where a phase's CPU went, per operation (ms): every process, auth's, and auth's event loop (main thread). */
interface CpuSplit {
  readonly total: number;
  readonly auth: number;
  readonly authLoop: number;
}

function cpuMeter(topo: Topo): (operations: number) => CpuSplit {
  const start = {
    total: cpuOf(topo.pids),
    auth: cpuSeconds(topo.authPid),
    loop: cpuSeconds(topo.authPid, topo.authPid),
  };
  return (operations) => {
    const per = (seconds: number) => (seconds * 1000) / Math.max(1, operations);
    return {
      total: per(cpuOf(topo.pids) - start.total),
      auth: per(cpuSeconds(topo.authPid) - start.auth),
      authLoop: per(cpuSeconds(topo.authPid, topo.authPid) - start.loop),
    };
  };
}

async function main(): Promise<void> {
  const loadBefore = load();
  const database = await createTestDatabase();
  const processes: BenchProcess[] = [];
  try {
    const topo = await startTopology(database.url, processes, settings.topology === 'split' ? 'redis' : 'memory');
    log(`registering ${settings.users} accounts…`);
    const emails = await registerUsers(topo.endpoint, settings.users);
    const hash = await storedHash(database.url, emails[0]!);
    const hashParams = /\$(argon2id)\$v=\d+\$([^$]+)\$/.exec(hash)?.slice(1).join(' ') ?? hash.slice(0, 30);

    log('argon2id bound (before)…');
    const boundBefore = await measureBound(hash);
    log(`bound ${JSON.stringify(boundBefore)}; idle event loop…`);
    // The same process idle, for as long as the storm: what the machine's load alone does to its event loop.
    await readLoopDelay(topo.probeUrl);
    const idleMeter = cpuMeter(topo);
    const idleStart = performance.now();
    await sleep(Math.min(settings.seconds, 10) * 1000);
    // CPU per second of the idle processes: timers, metrics and the loop probe's own 1 ms timer, which the storm's
    // per-login figures include too (at the storm's rate of logins).
    const idleCpu = idleMeter((performance.now() - idleStart) / 1000);
    const idleLoop = await readLoopDelay(topo.probeUrl);
    log('warm-up…');
    const kept = new Map<string, Tokens>();
    await loginStorm(topo.endpoint, emails, settings.warmup, kept);

    await readLoopDelay(topo.probeUrl); // restarts the histogram
    const loginMeter = cpuMeter(topo);
    const wholeMachine = machineMeter();
    const clientBefore = process.cpuUsage();
    log('login storm…');
    const logins = await loginStorm(topo.endpoint, emails, settings.seconds, kept);
    const loginCpu = loginMeter(logins.ok);
    const machine = wholeMachine(logins.ok);
    const clientUsage = process.cpuUsage(clientBefore);
    const clientMs = (clientUsage.user + clientUsage.system) / 1000 / Math.max(1, logins.ok);
    const loop = await readLoopDelay(topo.probeUrl);
    log(
      `logins ${JSON.stringify(logins)}, event loop ${JSON.stringify(loop)}, CPU per login ${JSON.stringify(loginCpu)}`,
    );

    log('refresh rotations…');
    const chains = [...kept.values()].slice(0, settings.connections).map((t) => t.refreshToken);
    const accessTokens = [...kept.values()].map((t) => t.accessToken);
    await sleep(500);
    await readLoopDelay(topo.probeUrl);
    const refreshMeter = cpuMeter(topo);
    const rotate = async (loop: number): Promise<boolean> => {
      const reply = (await postJson(topo.endpoint, REFRESH, { t: chains[loop] })) as {
        data?: { refreshSession?: Tokens } | null;
      };
      const next = reply.data?.refreshSession;
      if (!next?.refreshToken) return false;
      chains[loop] = next.refreshToken;
      return true;
    };
    const refresh = await closedLoops(settings.refreshSeconds, chains.length, rotate);
    const refreshLoop = await readLoopDelay(topo.probeUrl);
    const refreshCpu = refreshMeter(refresh.ok);
    log(`refreshes ${JSON.stringify(refresh)}, CPU per refresh ${JSON.stringify(refreshCpu)}`);

    // The same refreshes at the login storm's rate, first alone, then while argon2 verifications (another process,
    // as many in flight as auth hashes at once) load the cores: what the rate alone and the hashing threads alone
    // do to the CPU per request of the path a login shares with a refresh.
    let paced: Paced | null = null;
    if (settings.pacedSeconds > 0) {
      const pacedWindow = async (): Promise<{ phase: Phase; cpu: CpuSplit }> => {
        const meter = cpuMeter(topo);
        const phase = await closedLoops(
          settings.pacedSeconds,
          chains.length,
          atPeriod(rotate, chains.length, chains.length / logins.perSecond),
        );
        return { phase, cpu: meter(phase.ok) };
      };
      log('paced refreshes (at the login rate)…');
      const alone = await pacedWindow();
      log(`paced ${JSON.stringify(alone)}; paced refreshes with argon2 load…`);
      const hashing = measureBound(hash, settings.hashConcurrency, settings.pacedSeconds + 2);
      await sleep(1000); // the hashing process started and busy
      const loaded = await pacedWindow();
      const hashLoad = await hashing;
      paced = { alone, loaded, hashesPerSecond: hashLoad.perSecond };
      log(`paced with argon2 load ${JSON.stringify(loaded)}, hashes/s ${hashLoad.perSecond.toFixed(1)}`);
    }

    log('access-token verifications…');
    const jwks = `${topo.gatewayUrl}/.well-known/jwks.json`;
    const verifyUncached = await verifications(jwks, accessTokens, 0);
    const verifyCached = await verifications(jwks, accessTokens, 60_000);
    await assertLimitsInRedis(topo);

    // The second row (split): the same processes started again without REDIS_URL, auth's limits in its memory.
    let inMemory: InMemoryStorm | null = null;
    if (topo.limits === 'redis') {
      await topo.stop();
      const memoryTopo = await startTopology(database.url, processes, 'memory');
      log('warm-up (rate limits in memory)…');
      await loginStorm(memoryTopo.endpoint, emails, settings.warmup, kept);
      await readLoopDelay(memoryTopo.probeUrl);
      const meter = cpuMeter(memoryTopo);
      log('login storm (rate limits in memory)…');
      const memoryLogins = await loginStorm(memoryTopo.endpoint, emails, settings.seconds, kept);
      inMemory = { logins: memoryLogins, cpu: meter(memoryLogins.ok), loop: await readLoopDelay(memoryTopo.probeUrl) };
      log(`logins (rate limits in memory) ${JSON.stringify(inMemory)}`);
      await memoryTopo.stop();
    }

    log('argon2id bound (after)…');
    const boundAfter = await measureBound(hash);

    const report = markdown({
      boundBefore,
      boundAfter,
      logins,
      loop,
      idleLoop,
      refreshLoop,
      loginCpu,
      clientMs,
      machine,
      idleCpu,
      refreshCpu,
      refresh,
      paced,
      verifyUncached,
      verifyCached,
      inMemory,
      hashParams,
      loadBefore,
      loadAfter: load(),
    });
    process.stdout.write(`${report}\n`);
    if (settings.out !== '-') await writeBenchResults(settings.out, report);
  } finally {
    for (const client of clients.values()) client.close();
    for (const p of processes.reverse()) await p.stop();
    await database.drop();
  }
}

await main();
