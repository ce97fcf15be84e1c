// Migration SQL between two Prisma datamodels, offline. The SQL comes from Prisma 6.19's WebAssembly schema engine
// (the `prisma6` alias of this package, config tools/prisma6/prisma.config.ts, experimental adapter), which downloads
// nothing; Prisma 7's `migrate diff` always starts the native schema engine, which cannot be downloaded here. Only
// this diff uses Prisma 6: generate and the runtime are Prisma 7.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './workspace.ts';

/** Prisma 7 schemas keep the URL in prisma.config.ts; Prisma 6's parser requires one in the datasource block. */
function forPrisma6(datamodel: string): string {
  if (/datasource\s+\w+\s*\{[^}]*\burl\s*=/.test(datamodel)) return datamodel;
  return datamodel.replace(/(datasource\s+\w+\s*\{[^}]*)\}/, '$1  url = env("DATABASE_URL")\n}');
}

/**
 * The SQL that turns `from` (a datamodel, or null for an empty database) into `to`; empty when nothing changes.
 * Without the `CREATE SCHEMA "public"` Prisma adds: each service's own Postgres schema is created by the migration
 * runner and set as search_path.
 */
export function migrationSql(from: string | null, to: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'vegshare-diff-'));
  try {
    const file = (name: string, datamodel: string) => {
      const path = join(scratch, name);
      writeFileSync(path, forPrisma6(datamodel));
      return path;
    };
    const fromArgs = from === null ? ['--from-empty'] : ['--from-schema-datamodel', file('from.prisma', from)];
    const sql = execFileSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/prisma6/build/index.js'),
        'migrate',
        'diff',
        '--config',
        join(repoRoot, 'tools/prisma6/prisma.config.ts'),
        ...fromArgs,
        '--to-schema-datamodel',
        file('to.prisma', to),
        '--script',
      ],
      {
        cwd: scratch,
        env: {
          ...process.env,
          // Any existing file: the CLI checks for engines it does not use in this mode, and downloads them otherwise.
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
    return !sql.trim() || /^-- This is an empty migration/.test(sql.trim()) ? '' : sql;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
