import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as gatewaySurface from '../src/gateway-surface.ts';
import * as kit from '../src/index.ts';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Runtime imports of a kit module (`import type` and `export type` left out): relative paths resolved, packages as named. */
function runtimeImports(file: string): { modules: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const modules: string[] = [];
  const packages: string[] = [];
  for (const [, clause, specifier] of text.matchAll(
    /^(?:import|export)\s+([^'";]*?)\s*(?:from\s+)?['"]([^'"]+)['"]/gms,
  )) {
    if (!specifier || /^(?:import|export)?\s*type\b/.test(clause ?? '')) continue;
    if (specifier.startsWith('.')) modules.push(resolve(dirname(file), specifier));
    else if (!specifier.startsWith('node:')) packages.push(specifier);
  }
  return { modules, packages };
}

/** Every kit module and package loaded when `entry` is imported. */
function loadedBy(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    const found = runtimeImports(file);
    for (const p of found.packages) packages.add(p);
    for (const m of found.modules) visit(m);
  };
  visit(resolve(src, entry));
  return { modules, packages };
}

describe('the gateway entry point (@vegshare/kit/gateway)', () => {
  it('loads none of what only subgraphs use: storage, media, Prisma/pg, NATS, the outbox', () => {
    const { modules, packages } = loadedBy('gateway-surface.ts');
    const kitModules = [...modules].map((m) => m.slice(src.length));
    expect(
      kitModules.filter((m) =>
        /^(storage|media)\/|^db\/(pg-adapter|migrations)|^events\/(outbox|jetstream|service-events)|^loaders/.test(m),
      ),
    ).toEqual([]);
    expect([...packages].filter((p) => /^(minio|@nats-io\/|pg$|@prisma\/|dataloader$)/.test(p))).toEqual([]);
    // The check above must see the graph: the main entry point does load them.
    const all = loadedBy('index.ts');
    expect([...all.packages]).toEqual(expect.arrayContaining(['minio', '@nats-io/jetstream', 'pg']));
  });

  it('exports the same things as the main entry point under the same names', () => {
    for (const [name, value] of Object.entries(gatewaySurface))
      expect((kit as Record<string, unknown>)[name], name).toBe(value);
  });
});
