import { groupLoader, rowLoader } from '@vegshare/kit';
import type { PaymentDb } from './db.ts';

/** Batched per-request loaders: entities and per-parent lists go through these (no N+1). */
export function createLoaders(db: PaymentDb) {
  return {
    payment: rowLoader(
      (ids: readonly string[]) => db.payment.findMany({ where: { id: { in: [...ids] } } }),
      (p) => p.id,
    ),
    paymentByRental: rowLoader(
      (ids: readonly string[]) =>
        db.payment.findMany({ where: { bookingKind: 'RENTAL', bookingId: { in: [...ids] } } }),
      (p) => p.bookingId,
    ),
    paymentByAdoption: rowLoader(
      (ids: readonly string[]) =>
        db.payment.findMany({ where: { bookingKind: 'ADOPTION', bookingId: { in: [...ids] } } }),
      (p) => p.bookingId,
    ),
    refundsByPayment: groupLoader(
      (ids: readonly string[]) =>
        db.refund.findMany({ where: { paymentId: { in: [...ids] } }, orderBy: { createdAt: 'asc' } }),
      (r) => r.paymentId,
    ),
    farmAccount: rowLoader(
      (ids: readonly string[]) => db.farmAccount.findMany({ where: { farmId: { in: [...ids] } } }),
      (a) => a.farmId,
    ),
    payout: rowLoader(
      (ids: readonly string[]) => db.payout.findMany({ where: { id: { in: [...ids] } } }),
      (p) => p.id,
    ),
  };
}
export type PaymentLoaders = ReturnType<typeof createLoaders>;
