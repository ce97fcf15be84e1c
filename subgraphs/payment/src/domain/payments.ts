import type { Payment } from '../generated/prisma/client.ts';
import { lockPayment, type Tx } from '../db.ts';
import { commissionOf } from './money.ts';
import { isForward, type ProviderPayment } from '../adapters/providers/provider.ts';
import type { PaymentDeps } from './deps.ts';
import { money, notifyAbout, type Effect } from './effects.ts';
import { postJournal } from './ledger.ts';
import { enqueue } from './outbox-write.ts';
import { createRefund } from './refund-write.ts';

/** Releases a booking (asks the farm to cancel it) for `reason`, once: later calls keep the first reason. */
export function releaseEffect(
  payment: Pick<Payment, 'bookingKind' | 'bookingId'>,
  reason: 'HOLD_EXPIRED' | 'PAYMENT_CANCELED' | 'NOT_CONFIRMED' | 'CUSTOMER_CANCELLED',
): Effect {
  return { type: 'release', request: { kind: payment.bookingKind, bookingId: payment.bookingId, reason } };
}

/**
 * Applies what the provider says a payment is now (from a webhook's re-read, a call's answer or a reconciliation).
 * Statuses only move forward under the payment's row lock, so duplicates and out-of-order deliveries change nothing;
 * each forward step does its consequences once: capture when the farm already confirmed, the ledger's capture
 * journal, cancelling money held for a booking that is gone, refunding money captured for one.
 */
export async function applyProviderPayment(
  tx: Tx,
  deps: PaymentDeps,
  paymentId: string,
  seen: ProviderPayment,
): Promise<Effect[]> {
  await lockPayment(tx, paymentId);
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const effects: Effect[] = [];
  if (seen.amountCents !== payment.amountCents || seen.currency !== payment.currency) {
    deps.logger.error(
      { paymentId, seen: { amount: seen.amountCents, currency: seen.currency } },
      'provider payment does not match ours; ignored',
    );
    return effects;
  }
  const now = deps.now();
  const local = seen.id.startsWith('local:');
  const base = {
    providerPaymentId: local ? payment.providerPaymentId : seen.id,
    providerStatus: local ? payment.providerStatus : seen.rawStatus,
    ...(seen.status === 'PENDING'
      ? {
          confirmationUrl: seen.confirmation?.type === 'REDIRECT' ? seen.confirmation.url : payment.confirmationUrl,
          confirmationToken:
            seen.confirmation?.type === 'EMBEDDED' ? seen.confirmation.token : payment.confirmationToken,
          clientSecret:
            seen.confirmation?.type === 'CLIENT_SECRET' ? seen.confirmation.clientSecret : payment.clientSecret,
        }
      : {}),
  };
  if (payment.status === 'CANCELED' && seen.status === 'WAITING_FOR_CAPTURE') {
    // Paid after we gave up (the hold expired while the customer was on the provider's page): release the money.
    await enqueue(tx, 'CANCEL_PAYMENT', payment.id, { variant: 'late' });
    await tx.payment.update({ where: { id: payment.id }, data: base });
    return effects;
  }
  if (!isForward(payment.status, seen.status)) {
    if (
      payment.providerPaymentId !== seen.id ||
      payment.providerStatus !== seen.rawStatus ||
      (seen.status === 'PENDING' && !payment.confirmationUrl && !payment.confirmationToken && !payment.clientSecret)
    ) {
      await tx.payment.update({ where: { id: payment.id }, data: base });
    }
    return effects;
  }
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: {
      ...base,
      status: seen.status,
      version: { increment: 1 },
      ...(seen.status === 'WAITING_FOR_CAPTURE' ? { authorizedAt: now } : {}),
      ...(seen.status === 'SUCCEEDED' ? { paidAt: now, authorizedAt: payment.authorizedAt ?? now } : {}),
      ...(seen.status === 'CANCELED'
        ? {
            canceledAt: now,
            cancellationReason:
              payment.cancellationReason ??
              payment.releaseReason ??
              seen.cancellationReason ??
              'canceled by the provider',
          }
        : {}),
      ...(seen.status !== 'PENDING' ? { confirmationUrl: null, confirmationToken: null, clientSecret: null } : {}),
    },
  });
  deps.metrics.transitions.inc({ status: seen.status });
  effects.push({ type: 'changed', payment: updated });
  const amount = money(updated.amountCents, updated.currency);
  if (seen.status === 'WAITING_FOR_CAPTURE') {
    if (updated.releaseReason) {
      await enqueue(tx, 'CANCEL_PAYMENT', updated.id);
    } else if (updated.captureRequested) {
      await enqueue(tx, 'CAPTURE_PAYMENT', updated.id);
    } else {
      effects.push(
        notifyAbout(
          updated,
          'customer',
          'Payment received',
          `${amount} for ${updated.description} is held; the farm confirms your booking next.`,
        ),
      );
      effects.push(
        notifyAbout(
          updated,
          'farmer',
          'A paid booking waits for you',
          `${updated.description}: ${amount} is held. Confirm the booking to receive it.`,
        ),
      );
    }
  } else if (seen.status === 'SUCCEEDED') {
    const commission = commissionOf(updated.amountCents, updated.commissionBps);
    await postJournal(tx, {
      at: now,
      kind: 'capture',
      currency: updated.currency,
      paymentId: updated.id,
      postings: [
        { account: 'CUSTOMER', ownerId: updated.customerId, amountCents: -updated.amountCents },
        { account: 'FARMER_PENDING', ownerId: updated.farmerId, amountCents: updated.amountCents - commission },
        { account: 'PLATFORM_COMMISSION', ownerId: null, amountCents: commission },
      ],
    });
    effects.push(
      notifyAbout(
        updated,
        'customer',
        'Payment confirmed',
        `${amount} for ${updated.description} was charged. Your receipt is in the app.`,
      ),
    );
    if (updated.releaseReason) {
      // Captured for a booking released meanwhile (a capture raced a cancellation): give everything back.
      effects.push(...(await createRefund(tx, deps, updated.id, updated.amountCents, 'BOOKING_RELEASED')));
    }
  } else if (seen.status === 'CANCELED') {
    if (!updated.releaseReason) {
      await tx.payment.update({ where: { id: updated.id }, data: { releaseReason: 'PAYMENT_CANCELED' } });
      effects.push(releaseEffect(updated, 'PAYMENT_CANCELED'));
    }
    effects.push(
      notifyAbout(
        updated,
        'customer',
        'Payment cancelled',
        `The payment of ${amount} for ${updated.description} was cancelled; nothing was charged.`,
      ),
    );
  }
  if (seen.status !== 'PENDING') deps.kick();
  return effects;
}
