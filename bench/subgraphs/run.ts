/**
 * Subgraph CPU per request (issue 17): one subgraph alone (farm by default) on a fresh seeded database with the
 * large-list bulk farms, answering a fixed number of requests of each bench/gateway operation it answers alone, at
 * fixed concurrency, straight (no gateway). Reports requests/s and the subgraph process's CPU time (user + system,
 * /proc) per request: CPU per request barely depends on what else the machine runs, requests/s does — read it with
 * the load average printed next to it.
 *
 *   npm run bench:subgraphs
 *   BENCH_REPO=/path/to/other/checkout npm run bench:subgraphs   # that checkout's subgraph (its node_modules, its
 *                                                               # generated Prisma client), everything else from here
 *
 * Each operation's answer is reported as a digest (sha256 of the response text with every UUID replaced by its order of
 * first appearance, since a fresh database has fresh ids), so that two checkouts can be shown to answer alike.
 *
 * Environment: BENCH_SUBGRAPH (farm; user answers the mutation alone), BENCH_REQUESTS (measured, per operation, 400), BENCH_WARMUP_REQUESTS (100),
 * BENCH_CONNECTIONS (8), BENCH_ROUNDS (measured passes over the operations, 2), BENCH_REPO (this repository),
 * BENCH_OPERATIONS (comma-separated operation names, e.g. `large-list` when profiling one of them; default all),
 * BENCH_ANSWERS_DIR (writes each operation's first answer there as <operation>.json, to diff two checkouts' answers).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEV_KEY_ENCRYPTION_SECRET } from '@vegshare/auth/env';
import { loadService } from '@vegshare/tools/services';
import { createTestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { repoRoot } from '@vegshare/tools/workspace';
import { login, postGraphQL, seedBulkFarms } from '../gateway/data.ts';
import { operations, requestBody, type Operation } from '../gateway/operations.ts';
import { cpuSeconds, intSetting, startProcess, type BenchProcess } from '../gateway/processes.ts';

const settings = {
  subgraph: process.env['BENCH_SUBGRAPH'] ?? 'farm',
  requests: intSetting('BENCH_REQUESTS', 400),
  warmup: intSetting('BENCH_WARMUP_REQUESTS', 100),
  connections: intSetting('BENCH_CONNECTIONS', 8),
  rounds: intSetting('BENCH_ROUNDS', 2),
  repo: resolve(process.env['BENCH_REPO'] ?? repoRoot),
  operations: (process.env['BENCH_OPERATIONS'] ?? '').split(',').filter(Boolean),
  answersDir: process.env['BENCH_ANSWERS_DIR'],
};
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Sends `count` requests, `connections` at a time; any non-200 answer or GraphQL error stops the run. */
async function send(endpoint: string, body: string, headers: Record<string, string>, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const reply = await postGraphQL(endpoint, body, headers);
      if (reply.status !== 200 || reply.json?.errors?.length || !reply.json?.data)
        throw new Error(`${endpoint}: ${reply.status} ${reply.text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: settings.connections }, worker));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** sha256 (12 hex digits) of an answer with each UUID replaced by the order of its first appearance. */
function answerDigest(text: string): string {
  const seen = new Map<string, number>();
  const normalised = text.replace(UUID, (id) => {
    const key = id.toLowerCase();
    let n = seen.get(key);
    if (n === undefined) seen.set(key, (n = seen.size));
    return `#${n}`;
  });
  return createHash('sha256').update(normalised).digest('hex').slice(0, 12);
}

interface Row {
  readonly operation: string;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly cpuMsPerRequest: number;
  readonly loadavg: string;
}

async function measure(target: BenchProcess, op: Operation, headers: Record<string, string>, round: number) {
  const body = requestBody(op);
  const cpu0 = cpuSeconds(target.pid);
  const t0 = performance.now();
  await send(target.endpoint, body, headers, settings.requests);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(target.pid) - cpu0;
  return {
    operation: op.name,
    round,
    requestsPerSecond: settings.requests / wall,
    cpuMsPerRequest: (cpu * 1000) / settings.requests,
    loadavg: load(),
  } satisfies Row;
}

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(join(settings.repo, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;

async function main(): Promise<void> {
  // Operations signed in as the gateway bench's many distinct callers differ from their anonymous twin only at the
  // gateway (no response sharing); straight to the subgraph they are the same query, so they are left out.
  const ops = operations.filter(
    (o) =>
      o.floor === settings.subgraph &&
      o.as !== 'callers' &&
      (settings.operations.length === 0 || settings.operations.includes(o.name)),
  );
  if (ops.length === 0) throw new Error(`no bench/gateway operation is answered by ${settings.subgraph} alone`);
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    for (const name of ['auth', settings.subgraph]) await (await loadService(name)).seed(db.url);
    // The user subgraph (BENCH_SUBGRAPH=user, the mutation) needs an S3 API to start, as in bench/gateway.
    const s3 = await startLocalS3();
    cleanup.push(() => s3.stop());
    const secret = randomBytes(24).toString('hex');
    const base = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      GATEWAY_SECRET: secret,
      ...s3.env,
    };
    const auth = await startProcess({
      label: 'subgraph auth',
      script: 'serve-subgraph.ts',
      args: ['auth'],
      env: { ...base, AUTH_KEY_ENCRYPTION_SECRET: DEV_KEY_ENCRYPTION_SECRET },
    });
    cleanup.push(() => auth.stop());
    const target = await startProcess({
      label: `subgraph ${settings.subgraph}`,
      script: 'serve-subgraph.ts',
      args: [settings.subgraph],
      env: { ...base, AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json` },
      root: settings.repo,
    });
    cleanup.push(() => target.stop());
    const tokens = {
      customer: await login(auth.endpoint, secret, 'customer'),
      farmer: await login(auth.endpoint, secret, 'farmer'),
    };
    if (settings.subgraph === 'farm') await seedBulkFarms(target.endpoint, secret, tokens.farmer, 100, 6);
    const headersOf = (op: Operation): Record<string, string> => ({
      'x-gateway-secret': secret,
      ...(op.as && op.as !== 'callers' ? { authorization: `Bearer ${tokens[op.as]}` } : {}),
    });
    log(`${settings.subgraph} from ${settings.repo} (@prisma/client ${version('@prisma/client')}) at ${target.url}`);
    const answers = new Map<string, string>();
    for (const op of ops) {
      const reply = await postGraphQL(target.endpoint, requestBody(op), headersOf(op));
      answers.set(op.name, answerDigest(reply.text));
      if (settings.answersDir) writeFileSync(join(settings.answersDir, `${op.name}.json`), reply.text);
      await send(target.endpoint, requestBody(op), headersOf(op), settings.warmup);
    }
    const rows: Row[] = [];
    for (let round = 1; round <= settings.rounds; round += 1)
      for (const op of ops) rows.push(await measure(target, op, headersOf(op), round));
    const header = `| checkout | @prisma/client | operation | answer | round | requests | connections | req/s | CPU ms/request | loadavg after |`;
    const lines = rows.map(
      (r) =>
        `| ${settings.repo} | ${version('@prisma/client')} | ${r.operation} | ${answers.get(r.operation)} | ${r.round} | ${settings.requests} | ${settings.connections} | ${r.requestsPerSecond.toFixed(0)} | ${r.cpuMsPerRequest.toFixed(2)} | ${r.loadavg} |`,
    );
    process.stdout.write([header, `|${'---|'.repeat(10)}`, ...lines].join('\n') + '\n');
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

await main();
