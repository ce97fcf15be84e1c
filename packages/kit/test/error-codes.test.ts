import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isExposedErrorCode } from '../src/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'generated' || entry.name === '__generated__'
        ? []
        : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('error-code registry', () => {
  it('exposes every registered code but INTERNAL_SERVER_ERROR', () => {
    expect(isExposedErrorCode(ErrorCode.CONFLICT)).toBe(true);
    expect(isExposedErrorCode(ErrorCode.SUBSCRIPTION_SCHEMA_RELOAD)).toBe(true);
    expect(isExposedErrorCode(ErrorCode.INTERNAL)).toBe(false);
    expect(isExposedErrorCode('SOMETHING_ELSE')).toBe(false);
    expect(isExposedErrorCode(undefined)).toBe(false);
  });

  it('holds every code the services write as a literal (so masking never hides a deliberate error)', () => {
    const dirs = [
      'packages/kit/src',
      'gateway/src',
      ...readdirSync(join(root, 'subgraphs')).map((s) => `subgraphs/${s}/src`),
    ];
    const unregistered: string[] = [];
    const registered = new Set<string>(Object.values(ErrorCode));
    for (const file of dirs.flatMap((d) => sources(join(root, d)))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/extensions: \{ code: '([A-Z_]+)'/g)) {
        if (!registered.has(match[1]!)) unregistered.push(`${relative(root, file)}: ${match[1]}`);
      }
    }
    expect(unregistered).toEqual([]);
  });
});
