// The offline migration diff (npm run db:diff) on the Prisma 7 schemas: Prisma 6.19's WebAssembly schema engine reads
// every subgraph's schema (no datasource url: Prisma 7 keeps it in prisma.config.ts) and writes the SQL of a change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationSql } from '../src/migration-diff.ts';
import { readRoverConfig } from '../src/workspace.ts';

const schemaOf = (dir: string) => readFileSync(join(dir, 'prisma/schema.prisma'), 'utf8');
const farm = schemaOf(readRoverConfig().subgraphs.find((s) => s.name === 'farm')?.dir ?? '');

describe('migrationSql (Prisma 6.19 schema engine, offline)', () => {
  it.each(readRoverConfig().subgraphs.map((s) => [s.name, s.dir] as const))(
    '%s: reads the committed schema, which has no datasource url, and finds nothing to change against itself',
    (_name, dir) => {
      const schema = schemaOf(dir);
      expect(schema).not.toMatch(/^\s*url\s*=/m);
      expect(migrationSql(schema, schema)).toBe('');
    },
    60_000,
  );

  it('writes the SQL of a change: a new nullable column on farm', () => {
    const changed = farm.replace(/(model Farm \{\n)/, '$1  probeNote String? @map("probe_note")\n');
    expect(changed).not.toBe(farm);
    expect(migrationSql(farm, changed).trim()).toBe(
      '-- AlterTable\nALTER TABLE "farm" ADD COLUMN     "probe_note" TEXT;',
    );
  }, 60_000);

  it('creates every table from empty, without the "public" schema the migration runner replaces', () => {
    const sql = migrationSql(null, farm);
    expect(sql).toContain('CREATE TABLE "farm" (');
    expect(sql).toContain('CREATE TABLE "plot" (');
    expect(sql).not.toContain('CREATE SCHEMA');
  }, 60_000);
});
