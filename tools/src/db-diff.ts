// Writes a new migration for one subgraph from the change to its Prisma schema, offline:
//   npm run db:diff -- <subgraph> <migration_name>
// "From" is the schema as last committed (git HEAD), or empty for the first migration; the SQL comes from
// migration-diff.ts (Prisma 6.19's WebAssembly schema engine, which downloads nothing).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { migrationSql } from './migration-diff.ts';
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
const previous = hasMigrations
  ? execFileSync('git', ['show', `HEAD:${relative(repoRoot, schema)}`], { cwd: repoRoot, encoding: 'utf8' })
  : null;
const sql = migrationSql(previous, readFileSync(schema, 'utf8'));
if (!sql) {
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
