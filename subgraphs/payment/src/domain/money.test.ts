import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  centsToDecimal,
  commissionOf,
  decimalToCents,
  daysUntil,
  refundPercent,
  refundSplit,
  DEFAULT_REFUND_POLICY,
} from './money.ts';

describe('money', () => {
  it('converts cents to provider decimals and back', () => {
    expect(centsToDecimal(18000)).toBe('180.00');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(decimalToCents('180.00')).toBe(18000);
    expect(decimalToCents('0.5')).toBe(50);
    expect(() => decimalToCents('1e3')).toThrow(RangeError);
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 11 }), (c) => decimalToCents(centsToDecimal(c)) === c));
  });

  it('rounds commission half up and splits any sequence of refunds so that shares add up exactly', () => {
    expect(commissionOf(18000, 1000)).toBe(1800);
    expect(commissionOf(5, 1000)).toBe(1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 6 }),
        (amount, bps, parts) => {
          let refunded = 0;
          let farmer = amount - commissionOf(amount, bps);
          let commission = commissionOf(amount, bps);
          for (const p of parts) {
            const r = Math.min(amount - refunded, Math.ceil((amount * p) / 100));
            if (r <= 0) break;
            const split = refundSplit(amount, bps, refunded, r);
            expect(split.farmerCents + split.commissionCents).toBe(r);
            expect(split.farmerCents).toBeGreaterThanOrEqual(0);
            expect(split.commissionCents).toBeGreaterThanOrEqual(0);
            refunded += r;
            farmer -= split.farmerCents;
            commission -= split.commissionCents;
            expect(commission).toBe(commissionOf(amount - refunded, bps));
            expect(farmer).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it('picks the best refund tier by whole days before the start', () => {
    expect(daysUntil('2027-03-15', '2027-03-01')).toBe(14);
    expect(refundPercent(DEFAULT_REFUND_POLICY, 14)).toBe(100);
    expect(refundPercent(DEFAULT_REFUND_POLICY, 13)).toBe(50);
    expect(refundPercent(DEFAULT_REFUND_POLICY, 2)).toBe(0);
    expect(refundPercent(DEFAULT_REFUND_POLICY, 0)).toBe(0);
  });
});
