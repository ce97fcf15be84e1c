// Every failure of `npm start` is one line naming the cause and the fix — never a stack trace (issue 21, item 1).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../src/ports.ts';
import { runNpmStart } from '../src/testing/start-process.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';

const subgraphNames = readRoverConfig().subgraphs.map((s) => s.name);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vegshare-start-fail-'));
  // As root, Postgres runs as `postgres`, who must reach the data directories made here.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every port the start would take, free, and its data in `dataDir`. */
async function isolatedEnv(dataDir: string): Promise<Record<string, string>> {
  const free = await freePorts(5 + subgraphNames.length);
  const env: Record<string, string> = {
    PORT: String(free[0]),
    EMBEDDED_PG_PORT: String(free[1]),
    EMBEDDED_S3_PORT: String(free[2]),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  // The payment sandbox too: its default ports are another npm start's on a shared machine.
  env['SANDBOX_STRIPE_PORT'] = String(free[3]);
  env['SANDBOX_YOOKASSA_PORT'] = String(free[4]);
  subgraphNames.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(free[5 + i])));
  return env;
}

/** Runs the start to its end; returns what it printed itself (npm's own `npm error …` epilogue left out). */
async function failingStart(
  env: Record<string, string>,
): Promise<{ code: number | null; lines: string[]; stdout: string }> {
  const start = runNpmStart(repoRoot, env);
  // A start that does not fail is stopped, and fails the test below.
  const timer = setTimeout(() => void start.stop(5000), 45_000);
  const code = await start.exited;
  clearTimeout(timer);
  const lines = start
    .stderr()
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('npm '));
  return { code, lines, stdout: start.stdout() };
}

function expectOneLine(result: { code: number | null; lines: string[]; stdout: string }, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.lines).toHaveLength(1);
  expect(result.lines[0]).toMatch(pattern);
  expect(`${result.lines.join('\n')}\n${result.stdout}`).not.toMatch(/\n\s+at |Error: .*\n\s+at /);
}

describe('npm start failures', () => {
  it('a bad variable of one service: named with its service, before anything starts', async () => {
    const env = await isolatedEnv(join(dir, 'bad-variable'));
    const result = await failingStart({ ...env, AUTH_LOGIN_IP_LIMIT: 'lots' });
    expectOneLine(result, /^start: auth: Invalid configuration: LOGIN_IP_LIMIT: .*prefix AUTH_/);
  }, 60_000);

  it('a port in use: which one, what needs it and the variable that moves it', async () => {
    const env = await isolatedEnv(join(dir, 'port-in-use'));
    const port = Number(env['FARM_PORT']);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const result = await failingStart(env);
      expectOneLine(
        result,
        new RegExp(`^start: port ${port} \\(farm subgraph\\) is already in use: .* set FARM_PORT to a free port$`),
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it('a Postgres data directory of another version', async () => {
    const dataDir = join(dir, 'old-version');
    await mkdir(join(dataDir, 'postgres'), { recursive: true });
    // What a Postgres 9.6 data directory starts with.
    await writeFile(join(dataDir, 'postgres', 'PG_VERSION'), '9.6\n');
    await writeFile(join(dataDir, 'postgres', 'postgresql.conf'), '');
    const result = await failingStart(await isolatedEnv(dataDir));
    expectOneLine(result, /^start: .*postgres holds data of another Postgres version .*: move that directory away/);
  }, 90_000);

  it('a REDIS_URL nothing answers at', async () => {
    const [closed] = await freePorts(1);
    const env = await isolatedEnv(join(dir, 'no-redis'));
    const result = await failingStart({ ...env, REDIS_URL: `redis://127.0.0.1:${closed}` });
    expectOneLine(
      result,
      new RegExp(
        `^start: nothing answers at 127\\.0\\.0\\.1:${closed} \\(REDIS_URL; ECONNREFUSED\\): start Redis there, or unset REDIS_URL`,
      ),
    );
  }, 60_000);

  it('a DATABASE_URL nothing answers at', async () => {
    const [closed] = await freePorts(1);
    const env = await isolatedEnv(join(dir, 'no-database'));
    const result = await failingStart({ ...env, DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/vegshare` });
    expectOneLine(
      result,
      new RegExp(`^start: nothing answers at 127\\.0\\.0\\.1:${closed} .*: start that service, or unset`),
    );
  }, 60_000);
});
