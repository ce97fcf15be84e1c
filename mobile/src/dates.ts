/** YYYY-MM-DD of a date in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDay(d);
}

/**
 * The first day from `from` on that falls in one of the crop's sowing months and leaves time to harvest before
 * `endsOn` (exclusive); null when the rental has no such day.
 */
export function suggestSowDate(
  crop: { sowingMonths: readonly number[]; daysToMaturity: number },
  from: string,
  endsOn: string,
): string | null {
  let day = from;
  for (let i = 0; i < 400 && day < endsOn; i++) {
    const month = Number(day.slice(5, 7));
    if (crop.sowingMonths.includes(month)) return addDays(day, crop.daysToMaturity) < endsOn ? day : null;
    const d = new Date(`${day}T00:00:00Z`);
    day = isoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
  }
  return null;
}
