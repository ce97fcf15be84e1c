import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { canonicalTimeZone } from './time-zones.ts';
import { updateProfileSchema } from './validation.ts';

/** What the check did before the cache: one formatter per call. */
function direct(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const aliases = ['UTC', 'GMT', 'Etc/UTC', 'Etc/GMT+5', 'Etc/GMT-14', 'US/Eastern', 'Asia/Calcutta', 'America/Montreal'];
const refused = ['Mars/Olympus', 'Europe/Paris/Extra', 'Factory', 'Etc/GMT+15', 'Europe/', 'Z', '+02:00', ''];
const spellings = (name: string) => [name, name.toLowerCase(), name.toUpperCase()];

describe('canonicalTimeZone', () => {
  afterEach(() => vi.restoreAllMocks());

  it('accepts and refuses exactly what Intl.DateTimeFormat does, with the same canonical spelling', () => {
    const names = [...Intl.supportedValuesOf('timeZone'), ...aliases, ...refused].flatMap(spellings);
    // Twice: the second pass answers from the cache.
    for (const pass of [1, 2])
      for (const name of names) expect(canonicalTimeZone(name), `${name} (pass ${pass})`).toBe(direct(name));
    expect(canonicalTimeZone('europe/PARIS')).toBe('Europe/Paris');
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
  });

  it('agrees with Intl.DateTimeFormat on arbitrary zone-shaped names, in any case', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z][A-Za-z_]{0,12}(\/[A-Za-z0-9_+-]{1,14}){0,2}$/),
          fc.constantFrom(...Intl.supportedValuesOf('timeZone'), ...aliases).chain((z) => fc.mixedCase(fc.constant(z))),
        ),
        (name) => canonicalTimeZone(name) === direct(name),
      ),
      { numRuns: 2000 },
    );
  });

  it('builds a formatter once per zone, not once per profile update', () => {
    canonicalTimeZone('Asia/Tokyo');
    const built = vi.spyOn(Intl, 'DateTimeFormat');
    for (const spelling of ['Asia/Tokyo', 'asia/tokyo', 'ASIA/TOKYO']) canonicalTimeZone(spelling);
    expect(updateProfileSchema.parse({ timeZone: ' Asia/Tokyo ' })).toEqual({ timeZone: 'Asia/Tokyo' });
    expect(built).not.toHaveBeenCalled();
  });
});
