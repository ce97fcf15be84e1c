/** Calendar dates as ISO strings (YYYY-MM-DD); Postgres DATE columns come back as Date at UTC midnight. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const toDbDate = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
export const toIsoDate = (value: Date | string): string =>
  typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
export const addDays = (iso: string, days: number): string =>
  new Date(toDbDate(iso).getTime() + days * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string): number =>
  Math.round((toDbDate(to).getTime() - toDbDate(from).getTime()) / DAY_MS);
export const monthOf = (iso: string): number => Number(iso.slice(5, 7));
export const todayIso = (now: Date = new Date()): string => now.toISOString().slice(0, 10);
