// The README's Configuration tables list exactly the variables each service's env.ts reads, with their real defaults
// (issue 21, item 2): a variable added to a schema without a row, a row left for a removed one, or a default that
// changed in code but not in the README fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { schema as startSchema } from '../src/start-config.ts';
import { servicePrefix } from '../src/service-env.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';

interface Row {
  readonly name: string;
  readonly defaultCell: string;
}

/** `### heading` → its table's rows, within the README's `## Configuration` section. */
function configurationTables(): Map<string, Row[]> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  const tables = new Map<string, Row[]>();
  let heading: string | null = null;
  for (const line of body.split('\n')) {
    if (line.startsWith('### ')) {
      heading = line.slice(4).trim();
      tables.set(heading, []);
      continue;
    }
    const cells = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|/.exec(line);
    if (heading && cells) tables.get(heading)?.push({ name: cells[1]!, defaultCell: cells[2]!.trim() });
  }
  return tables;
}

function shapeOf(schema: z.ZodType): Record<string, unknown> {
  const s = schema as unknown as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> } };
  const shape = s.shape ?? s.in?.shape;
  if (!shape) throw new Error('expected a z.object schema (optionally refined or transformed)');
  return shape;
}

/** Placeholders for the variables without a default, so the rest parse to their defaults. */
const REQUIRED = {
  DATABASE_URL: 'postgresql://db/vegshare',
  S3_ENDPOINT: 'http://s3.example',
  S3_ACCESS_KEY: 'key',
  S3_SECRET_KEY: 'secret',
  S3_BUCKET: 'vegshare',
};

function defaultsOf(schema: z.ZodType): Record<string, unknown> {
  return schema.parse(REQUIRED) as Record<string, unknown>;
}

/** A cell that is one backticked value states the exact default; `—` states there is none; anything else is prose. */
function checkDefaults(service: string, rows: readonly Row[], defaults: Record<string, unknown>): void {
  for (const row of rows) {
    if (row.name in REQUIRED && row.defaultCell === 'required') continue;
    const exact = /^`([^`]*)`$/.exec(row.defaultCell);
    if (exact) expect(String(defaults[row.name]), `${service} ${row.name}`).toBe(exact[1]);
    else if (row.defaultCell === '—')
      expect(defaults[row.name], `${service} ${row.name} has no default`).toBeUndefined();
    else expect(row.defaultCell, `${service} ${row.name}`).not.toBe('');
  }
}

const tables = configurationTables();
const table = (heading: string): Row[] => {
  const rows = tables.get(heading);
  if (!rows) throw new Error(`README: no "### ${heading}" under ## Configuration`);
  return rows;
};
const names = (rows: readonly Row[]) => rows.map((r) => r.name).sort();

describe('README configuration tables', () => {
  it('the embedded start', () => {
    const rows = table('The embedded start (`npm start`)');
    expect(names(rows)).toEqual(Object.keys(shapeOf(startSchema)).sort());
    checkDefaults('start', rows, startSchema.parse({}) as Record<string, unknown>);
  });

  it('the gateway', async () => {
    const { schema } = (await import('@vegshare/gateway/env')) as { schema: z.ZodType };
    const rows = table('Gateway (`GATEWAY_`)');
    expect(names(rows)).toEqual(Object.keys(shapeOf(schema)).sort());
    checkDefaults('gateway', rows, defaultsOf(schema));
  });

  for (const { name } of readRoverConfig().subgraphs) {
    it(`the ${name} subgraph`, async () => {
      const { schema } = (await import(`@vegshare/${name}/env`)) as { schema: z.ZodType };
      const keys = Object.keys(shapeOf(schema));
      const heading = [...tables.keys()].find((h) => h.split(/,\s*/).some((part) => part.startsWith(`${name} (`)));
      expect(heading, `README: a "### ${name} (\`${servicePrefix(name)}\`)" heading`).toBeDefined();
      expect(heading).toContain(`${name} (\`${servicePrefix(name)}\`)`);
      // A heading naming several services without a table: they read only the shared variables.
      const own = heading && heading.includes(',') ? [] : table(heading ?? '');
      const shared = [
        ...table('Every subgraph'),
        ...(keys.includes('S3_ENDPOINT') ? table('Object storage (user, streaming, transcoding)') : []),
      ];
      const documented = [...shared, ...own];
      expect(names(documented)).toEqual([...keys].sort());
      checkDefaults(
        name,
        documented.filter((r) => !(r.name === 'PORT')),
        defaultsOf(schema),
      );
    });
  }
});
