import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';

export interface MigrateOptions {
  readonly databaseUrl: string;
  /** Postgres schema owned by the service; created if missing, used as search_path. */
  readonly schema: string;
  /** Prisma's folder: `<dir>/<timestamp>_<name>/migration.sql`. */
  readonly dir: string;
  readonly logger?: Logger;
}

export interface MigrationResult {
  readonly applied: string[];
  readonly skipped: string[];
}

class MigrationError extends Error {}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Applies pending SQL migrations in order, each in its own transaction, recording them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (same table, columns and sha256 checksum), so Prisma's own command
 * can take over the same folder. A Postgres advisory lock keeps concurrent runners (replicas) from racing.
 * An applied migration whose file changed is an error, never silently re-run.
 */
export async function applyMigrations(options: MigrateOptions): Promise<MigrationResult> {
  if (!SCHEMA_NAME.test(options.schema)) throw new MigrationError(`Invalid schema name: ${options.schema}`);
  const names = (await readdir(options.dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const applied: string[] = [];
  const skipped: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`vegshare-migrate:${options.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await client.query(`SET search_path TO "${options.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const name of names) {
      const sql = await readFile(join(options.dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(name);
      if (previous) {
        if (!previous.finished_at)
          throw new MigrationError(
            `Migration ${name} in schema ${options.schema} failed earlier; resolve it before continuing`,
          );
        if (previous.checksum !== checksum)
          throw new MigrationError(`Migration ${name} was modified after it was applied to schema ${options.schema}`);
        skipped.push(name);
        continue;
      }
      const id = randomUUID();
      try {
        await client.query('BEGIN');
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
          [id, checksum, name],
        );
        await client.query(sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`Migration ${name} failed in schema ${options.schema}: ${(error as Error).message}`);
      }
      applied.push(name);
      options.logger?.info({ schema: options.schema, migration: name }, 'migration applied');
    }
    return { applied, skipped };
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await client.end();
  }
}
