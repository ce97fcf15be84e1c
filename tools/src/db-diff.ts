// Writes a new migration for one subgraph from the change to its Prisma schema, offline:
//   npm run db:diff -- <subgraph> <migration_name>
// "From" is the schema as last committed (git HEAD), or empty for the first migration; Prisma's WebAssembly
// schema engine (prisma.config.ts, experimental adapter) produces the SQL without downloading anything.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, existsSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { readRoverConfig, repoRoot } from './workspace.ts';

const [name, label] = process.argv.slice(2);
const subgraph = readRoverConfig().subgraphs.find((s) => s.name === name);
if (!subgraph || !label || !/^[a-z0-9_]+$/.test(label)) {
  console.error('usage: npm run db:diff -- <subgraph> <migration_name (a-z0-9_)>');
  process.exit(2);
}
const schema = join(subgraph.dir, 'prisma/schema.prisma');
const migrations = join(subgraph.dir, 'prisma/migrations');
const hasMigrations = existsSync(migrations) && readdirSync(migrations).some((d) => /^\d+_/.test(d));
const from: string[] = ['--from-empty'];
if (hasMigrations) {
  const previous = execFileSync('git', ['show', `HEAD:${relative(repoRoot, schema)}`], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'vegshare-diff-')), 'schema.prisma');
  writeFileSync(file, previous);
  from.splice(0, 1, '--from-schema-datamodel', file);
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
  CHECKPOINT_DISABLE: '1',
};
const sql = execFileSync(
  join(repoRoot, 'node_modules/.bin/prisma'),
  ['migrate', 'diff', ...from, '--to-schema-datamodel', schema, '--script'],
  {
    cwd: subgraph.dir,
    env,
    encoding: 'utf8',
  },
)
  // The service's own Postgres schema is created by the migration runner and set as search_path.
  .replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log('no changes');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(migrations, `${stamp}_${label}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), sql);
if (!existsSync(join(migrations, 'migration_lock.toml')))
  writeFileSync(join(migrations, 'migration_lock.toml'), 'provider = "postgresql"\n');
console.log(`wrote ${relative(repoRoot, dir)}/migration.sql`);
