/**
 * Zones the runtime's Intl accepted, by lower-cased name, with the canonical spelling it resolved them to. Intl
 * matches zone names ASCII-case-insensitively and resolves every spelling of a zone to the same canonical name, so
 * the map holds at most one entry per zone (or alias) the runtime knows, a few hundred, whatever callers send; a
 * refused name is never stored.
 */
const accepted = new Map<string, string>();

/**
 * The runtime's canonical spelling of an IANA time zone name ('europe/paris' → 'Europe/Paris', 'US/Eastern' →
 * 'America/New_York'), or null when Intl does not know it: exactly what `Intl.DateTimeFormat` accepts and resolves,
 * with one formatter built per zone instead of one per call.
 */
export function canonicalTimeZone(name: string): string | null {
  const key = name.toLowerCase();
  const known = accepted.get(key);
  if (known !== undefined) return known;
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null; // RangeError: unknown zone
  }
  accepted.set(key, canonical);
  return canonical;
}
