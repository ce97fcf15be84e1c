// The await-migrations initContainer against the real Postgres: pending before the Job ran, done after it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@vegshare/kit';
import { awaitMigrations, pendingMigrations } from '../src/await-migrations.ts';
import { testServerUrl } from '../src/testing/database.ts';

const dbName = `vegshare_k8s_${process.pid}_${randomBytes(4).toString('hex')}`;
let url: string;
let dir: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServerUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${dbName}"`);
  const u = new URL(testServerUrl);
  u.pathname = `/${dbName}`;
  url = u.toString();
  dir = mkdtempSync(join(tmpdir(), 'k8s-migrations-'));
  const files: [string, string][] = [
    ['20260101000000_init', 'CREATE TABLE "thing" (id int PRIMARY KEY);'],
    ['20260102000000_more', 'ALTER TABLE "thing" ADD COLUMN label text;'],
  ];
  for (const [name, sql] of files) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
});

describe('await-migrations', () => {
  it('reports every shipped migration as pending on a fresh database, and times out naming them', async () => {
    expect(await pendingMigrations(url, 'k8sfarm', dir)).toEqual(['20260101000000_init', '20260102000000_more']);
    await expect(
      awaitMigrations({ databaseUrl: url, schema: 'k8sfarm', dir, timeoutMs: 300, intervalMs: 100 }),
    ).rejects.toThrow(/pending in schema k8sfarm: 20260101000000_init, 20260102000000_more/);
  });

  it('returns once the migrations Job has applied them', async () => {
    const waiting = awaitMigrations({ databaseUrl: url, schema: 'k8sfarm', dir, timeoutMs: 10_000, intervalMs: 100 });
    await applyMigrations({ databaseUrl: url, schema: 'k8sfarm', dir });
    await expect(waiting).resolves.toBeUndefined();
    expect(await pendingMigrations(url, 'k8sfarm', dir)).toEqual([]);
  });

  it('treats an unreachable database as not ready, with the reason', async () => {
    await expect(
      awaitMigrations({
        databaseUrl: 'postgres://postgres@127.0.0.1:1/nothing',
        schema: 'k8sfarm',
        dir,
        timeoutMs: 200,
        intervalMs: 100,
      }),
    ).rejects.toThrow(/database not reachable/);
  });
});
