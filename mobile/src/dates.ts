/** YYYY-MM-DD of a date in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDay(d);
}

export function isIsoDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export function shortDate(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function timeAgo(value: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(value)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return shortDate(value);
}

/**
 * The first day from `from` on that falls in one of the crop's sowing months and leaves time to harvest before
 * `endsOn` (exclusive); null when the rental has no such day.
 */
export function suggestSowDate(crop: { sowingMonths: readonly number[]; daysToMaturity: number }, from: string, endsOn: string): string | null {
  let day = from;
  for (let i = 0; i < 400 && day < endsOn; i++) {
    const month = Number(day.slice(5, 7));
    if (crop.sowingMonths.includes(month)) return addDays(day, crop.daysToMaturity) < endsOn ? day : null;
    // jump to the first of next month
    const d = new Date(`${day}T00:00:00Z`);
    day = isoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
  }
  return null;
}
