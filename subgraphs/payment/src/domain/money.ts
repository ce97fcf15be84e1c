/** Money as integer minor units (cents, kopecks) everywhere; these helpers are the only place that does arithmetic on it. */

/** "180.00" ↔ 18000: provider APIs that use decimal strings (YooKassa). Only 2-decimal currencies are accepted. */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not an amount in cents: ${cents}`);
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

export function decimalToCents(value: string): number {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new RangeError(`not a decimal amount: ${value}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** The platform's share of `amountCents` at `bps` basis points, rounded half up to a whole cent. */
export function commissionOf(amountCents: number, bps: number): number {
  return Math.floor((amountCents * bps + 5_000) / 10_000);
}

/**
 * How a refund splits between the farmer's share and the commission: the commission is returned in proportion,
 * so that after all refunds of a payment both shares are exactly what remains of it. `refundedBefore` is what was
 * refunded earlier; computing from totals (not per refund) keeps rounding from drifting across partial refunds.
 */
export function refundSplit(
  amountCents: number,
  bps: number,
  refundedBefore: number,
  refundCents: number,
): { farmerCents: number; commissionCents: number } {
  const commissionAfter = commissionOf(amountCents - refundedBefore - refundCents, bps);
  const commissionBefore = commissionOf(amountCents - refundedBefore, bps);
  const commissionCents = commissionBefore - commissionAfter;
  return { farmerCents: refundCents - commissionCents, commissionCents };
}

export interface RefundTier {
  /** At least this many whole days before the booking starts… */
  readonly daysBefore: number;
  /** …this share of the amount paid is refunded. */
  readonly percent: number;
}

/** Default cancellation policy: full refund up to 14 days before the start, half up to 3 days, nothing after. */
export const DEFAULT_REFUND_POLICY: readonly RefundTier[] = [
  { daysBefore: 14, percent: 100 },
  { daysBefore: 3, percent: 50 },
];

const DAY_MS = 86_400_000;

/** Whole days from `today` (YYYY-MM-DD) to `startsOn`; negative once the booking has started. */
export function daysUntil(startsOn: string, today: string): number {
  return Math.round((Date.parse(`${startsOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
}

/** The percent refunded when cancelling `days` days before the start under `policy` (0 once started). */
export function refundPercent(policy: readonly RefundTier[], days: number): number {
  if (days <= 0) return 0;
  return policy.filter((t) => days >= t.daysBefore).reduce((best, t) => Math.max(best, t.percent), 0);
}

/** Amount refunded: `percent` of what remains refundable, rounded down to a whole cent. */
export function refundAmount(remainingCents: number, percent: number): number {
  return Math.floor((remainingCents * percent) / 100);
}
