import { conflict, forbidden, hasRole, notFound, requireViewer, type Viewer } from '@vegshare/kit';
import type { Payment } from '../generated/prisma/client.ts';
import { lockPayment, type PaymentDb } from '../db.ts';
import { daysUntil, refundAmount, refundPercent } from './money.ts';
import type { PaymentDeps } from './deps.ts';
import { notifyAbout, publishEffects, type Effect } from './effects.ts';
import { settingsOf } from './farm-accounts.ts';
import { enqueue } from './outbox-write.ts';
import { releaseEffect } from './payments.ts';
import { createRefund } from './refund-write.ts';

/** The RefundQuote mapper. */
export interface RefundQuoteView {
  readonly percent: number;
  readonly amountCents: number;
  readonly currency: string;
  readonly daysBeforeStart: number;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * What cancelling now refunds: everything when nothing was captured yet, else the farm's policy by days left. Inside a
 * transaction, `db` is its `tx`: a read through the pool there would wait for a second connection while the payment's
 * row lock is held — and the cancellations waiting for that lock may hold the whole pool.
 */
export async function refundQuote(
  deps: PaymentDeps,
  payment: Payment,
  db: Pick<PaymentDb, 'farmAccount'> = deps.db,
): Promise<RefundQuoteView | null> {
  const days = daysUntil(isoDay(payment.startsOn), isoDay(deps.now()));
  if (days <= 0 || payment.releaseReason || payment.status === 'CANCELED') return null;
  if (payment.status !== 'SUCCEEDED')
    return { percent: 100, amountCents: 0, currency: payment.currency, daysBeforeStart: days };
  const account = await db.farmAccount.findUnique({ where: { farmId: payment.farmId } });
  const percent = refundPercent(settingsOf(account, deps).refundPolicy, days);
  return {
    percent,
    amountCents: refundAmount(payment.amountCents - payment.refundedCents, percent),
    currency: payment.currency,
    daysBeforeStart: days,
  };
}

/**
 * The customer cancels a booking before it starts. Not yet captured → the payment is cancelled (held money released,
 * nothing charged); captured → refunded per the farm's policy. Either way the booking is released at the farm.
 */
export async function cancelBooking(deps: PaymentDeps, viewer: Viewer | null, paymentId: string): Promise<Payment> {
  const v = requireViewer(viewer);
  return deps.db.$transaction(async (tx) => {
    await lockPayment(tx, paymentId);
    const p = await tx.payment.findUnique({ where: { id: paymentId } });
    if (!p || (p.customerId !== v.userId && !hasRole(v, 'ADMIN'))) {
      if (p && p.farmerId === v.userId)
        throw forbidden('The farm cancels bookings in the farm (cancelRental / cancelAdoption)');
      throw notFound('Payment', paymentId);
    }
    if (p.releaseReason || p.status === 'CANCELED') throw conflict('This booking is already cancelled');
    const quote = await refundQuote(deps, p, tx);
    if (!quote) throw conflict('The booking has started; it can no longer be cancelled');
    const out: Effect[] = [];
    const updated = await tx.payment.update({
      where: { id: p.id },
      data: { releaseReason: 'CUSTOMER_CANCELLED', cancellationReason: 'Cancelled by the customer' },
    });
    if (p.status === 'SUCCEEDED') {
      if (quote.amountCents > 0)
        out.push(...(await createRefund(tx, deps, p.id, quote.amountCents, 'CUSTOMER_CANCELLED')));
      else
        out.push(
          notifyAbout(
            updated,
            'customer',
            'Booking cancelled',
            `${p.description} is cancelled; under the farm's policy nothing is refunded this close to the start.`,
            'cancelled',
          ),
        );
    } else {
      await enqueue(tx, 'CANCEL_PAYMENT', p.id);
      deps.kick();
    }
    out.push(releaseEffect(p, 'CUSTOMER_CANCELLED'));
    out.push(
      notifyAbout(
        updated,
        'farmer',
        'Booking cancelled by the customer',
        `${p.description} was cancelled by the customer.`,
        'cancelled',
      ),
    );
    await publishEffects(deps.events, tx, out);
    return tx.payment.findUniqueOrThrow({ where: { id: p.id } });
  });
}
