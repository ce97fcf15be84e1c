import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { createErrorFormatter, createLogger, ErrorCode, isExposedErrorCode } from '../src/index.ts';

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

describe('error formatter', () => {
  const format = createErrorFormatter(createLogger('test', 'silent'));

  it("keeps a subgraph's 401/403 code but not its internal URL and body", () => {
    const error = new GraphQLError('403: ', {
      extensions: {
        code: 'FORBIDDEN',
        response: { url: 'http://farm.internal:4002/graphql', status: 403, statusText: '', body: 'secret mismatch' },
      },
    });
    expect(format({ message: error.message, extensions: { ...error.extensions } }, error)).toEqual({
      message: '403: ',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('masks an error without a registered code, and keeps what a registered one carries', () => {
    const hidden = new Error('connect ECONNREFUSED 10.0.0.7:5432');
    expect(format({ message: hidden.message }, hidden)).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const mine = new GraphQLError('Plot p1 not found', { extensions: { code: 'NOT_FOUND', id: 'p1' } });
    expect(format({ message: mine.message, extensions: { ...mine.extensions, stacktrace: ['x'] } }, mine)).toEqual({
      message: 'Plot p1 not found',
      extensions: { code: 'NOT_FOUND', id: 'p1' },
    });
  });
});
