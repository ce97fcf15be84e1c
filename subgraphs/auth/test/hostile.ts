// What auth's hostile-input tests share: the strings they send, the one check every answer must pass, and a property
// test over one operation.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import type { GqlResponse } from './harness.ts';

/** Every failure must carry one of these codes: no INTERNAL_SERVER_ERROR, no leaked internals. */
const STABLE = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED']);

/** What an answer must never contain: a database name, a stack trace. */
export const LEAKED_INTERNALS = /prisma|postgres|stack|at \w+ \(/i;

/** Values that break careless code anywhere: empty, NUL, SQL, markup, very long, token-shaped, a UUID, a prototype key. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  'A'.repeat(43),
  '00000000-0000-4000-8000-000000000004',
  '__proto__',
];

/** Arbitrary text of every kind, the nasty values, and what the operations under test add (`also`, `constants`). */
export function hostileStrings(
  options: { readonly constants?: readonly string[]; readonly also?: readonly fc.Arbitrary<string>[] } = {},
): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    ...(options.also ?? []),
    fc.constantFrom(...NASTY, ...(options.constants ?? [])),
  );
}

/** Below 500, every error with a stable code, nothing internal in it. */
export function assertStable(res: GqlResponse<unknown>): void {
  expect(res.status).toBeLessThan(500);
  for (const error of res.body.errors ?? []) {
    const code = error.extensions?.code ?? '';
    expect(STABLE.has(code), `unexpected ${code}: ${error.message}`).toBe(true);
    expect(JSON.stringify(error)).not.toMatch(LEAKED_INTERNALS);
  }
}

/** A test that `run` answers `numRuns` inputs drawn from `arb` stably. */
export const property = (
  name: string,
  arb: fc.Arbitrary<Record<string, unknown>>,
  run: (input: Record<string, unknown>) => Promise<GqlResponse<unknown>>,
  numRuns = 30,
) =>
  it(
    name,
    async () => {
      await fc.assert(
        fc.asyncProperty(arb, async (input) => assertStable(await run(input))),
        { numRuns },
      );
    },
    60_000,
  );
