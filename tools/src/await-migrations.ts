// The production `await-migrations` initContainer of every Deployment that uses the database (k8s/components/subgraph,
// k8s/base/transcoding-worker.yaml), run from the migrate image: `tsx tools/src/await-migrations.ts --wait <subgraph>`
// waits until every migration the image ships for that subgraph is applied (by the db-migrate Job) to its Postgres
// schema, so a new release's pods never start against an older schema. Read-only: it never applies anything.
// Exit 0 when up to date, 1 after MIGRATIONS_WAIT_SECONDS (default 600) or on a bad argument.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { readRoverConfig } from './workspace.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/** Migration folder names (`<timestamp>_<name>`) shipped in `dir`, in order. */
export function shippedMigrations(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Shipped migrations not (successfully) applied to `schema` yet; all of them when the schema has no history. */
export async function pendingMigrations(databaseUrl: string, schema: string, dir: string): Promise<string[]> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name: ${schema}`);
  const shipped = shippedMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
      `"${schema}"."_prisma_migrations"`,
    ]);
    if (!exists.rows[0]?.present) return shipped;
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "${schema}"."_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return shipped.filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

export interface AwaitOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly dir: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
}

/** Polls until nothing is pending; throws after timeoutMs naming what is still missing. Connection errors are retried. */
export async function awaitMigrations(options: AwaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 3_000;
  let last = 'not checked yet';
  for (;;) {
    try {
      const pending = await pendingMigrations(options.databaseUrl, options.schema, options.dir);
      if (pending.length === 0) return;
      last = `pending in schema ${options.schema}: ${pending.join(', ')}`;
    } catch (error) {
      last = `database not reachable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() + interval > deadline) throw new Error(`migrations not applied in time (${last})`);
    options.log?.(`waiting for migrations (${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

async function main(argv: string[]): Promise<number> {
  const [flag, subgraph] = argv;
  const entry = readRoverConfig().subgraphs.find((s) => s.name === subgraph);
  const databaseUrl = process.env['DATABASE_URL'];
  if (flag !== '--wait' || !entry || !databaseUrl) {
    console.error('usage: DATABASE_URL=postgres://… tsx tools/src/await-migrations.ts --wait <subgraph in rover.yaml>');
    return 1;
  }
  const seconds = Number(process.env['MIGRATIONS_WAIT_SECONDS'] ?? 600);
  try {
    await awaitMigrations({
      databaseUrl,
      schema: entry.name,
      dir: join(entry.dir, 'prisma/migrations'),
      timeoutMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 600) * 1000,
      log: (line) => console.log(line),
    });
    console.log(`migrations of ${entry.name} are applied`);
    return 0;
  } catch (error) {
    console.error(`await-migrations: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
