import { commissionOf } from './money.ts';
import { lockPayment } from '../db.ts';
import type { PaymentDeps } from './deps.ts';
import { money, notifyAbout, publishEffects, type Effect } from './effects.ts';
import { postJournal } from './ledger.ts';
import { enqueue } from './outbox-write.ts';
import { releaseEffect } from './payments.ts';

const BATCH = 50;
/** How often an unacknowledged release request is sent again. */
const REPUBLISH_MS = 5_000;

/**
 * Holds that ran out: a payment still PENDING after `holdExpiresAt` is cancelled and its booking released, so that
 * the plot is bookable again; a paid booking the farm did not confirm within `CONFIRMATION_HOURS` likewise (the
 * held money is released back to the customer).
 */
export async function expireHolds(deps: PaymentDeps): Promise<number> {
  const now = deps.now();
  const confirmBefore = new Date(now.getTime() - deps.config.CONFIRMATION_HOURS * 3_600_000);
  const due = await deps.db.payment.findMany({
    where: {
      releaseReason: null,
      OR: [
        { status: 'PENDING', holdExpiresAt: { lt: now } },
        { status: 'WAITING_FOR_CAPTURE', captureRequested: false, authorizedAt: { lt: confirmBefore } },
      ],
    },
    select: { id: true },
    take: BATCH,
  });
  for (const { id } of due) {
    await deps.db.$transaction(async (tx) => {
      await lockPayment(tx, id);
      const p = await tx.payment.findUniqueOrThrow({ where: { id } });
      if (p.releaseReason) return;
      const reason =
        p.status === 'PENDING' && p.holdExpiresAt < now
          ? 'HOLD_EXPIRED'
          : p.status === 'WAITING_FOR_CAPTURE' && !p.captureRequested
            ? 'NOT_CONFIRMED'
            : null;
      if (!reason) return;
      const updated = await tx.payment.update({
        where: { id },
        data: {
          releaseReason: reason,
          cancellationReason: reason === 'HOLD_EXPIRED' ? 'Not paid in time' : 'Not confirmed by the farm in time',
        },
      });
      await enqueue(tx, 'CANCEL_PAYMENT', id);
      const amount = money(p.amountCents, p.currency);
      await publishEffects(deps.events, tx, [
        releaseEffect(p, reason),
        reason === 'HOLD_EXPIRED'
          ? notifyAbout(
              updated,
              'customer',
              'Booking released',
              `${p.description} was not paid in time and is free again; nothing was charged.`,
              'expired',
            )
          : notifyAbout(
              updated,
              'customer',
              'Booking not confirmed',
              `The farm did not confirm ${p.description} in time; the ${amount} held is released.`,
              'unconfirmed',
            ),
      ]);
    });
  }
  if (due.length > 0) deps.kick();
  return due.length;
}

/** Bookings that started: the farmer's share of their captured payments moves from pending to available (payable). */
export async function releaseStartedBookings(deps: PaymentDeps): Promise<number> {
  const today = new Date(`${deps.now().toISOString().slice(0, 10)}T00:00:00Z`);
  const due = await deps.db.payment.findMany({
    where: { status: 'SUCCEEDED', releasedToFarmerAt: null, startsOn: { lte: today } },
    select: { id: true },
    take: BATCH,
  });
  for (const { id } of due) {
    await deps.db.$transaction(async (tx) => {
      await lockPayment(tx, id);
      const p = await tx.payment.findUniqueOrThrow({ where: { id } });
      if (p.releasedToFarmerAt || p.status !== 'SUCCEEDED') return;
      const remaining = p.amountCents - p.refundedCents;
      const share = remaining - commissionOf(remaining, p.commissionBps);
      await postJournal(tx, {
        at: deps.now(),
        kind: 'release',
        currency: p.currency,
        paymentId: p.id,
        postings: [
          { account: 'FARMER_PENDING', ownerId: p.farmerId, amountCents: -share },
          { account: 'FARMER_AVAILABLE', ownerId: p.farmerId, amountCents: share },
        ],
      });
      await tx.payment.update({ where: { id }, data: { releasedToFarmerAt: deps.now() } });
    });
  }
  return due.length;
}

/**
 * Release requests the farm has not acknowledged yet are sent again (the farm's handler is idempotent), each batch in
 * the transaction that notes when it was sent.
 */
export async function republishReleases(deps: PaymentDeps): Promise<number> {
  const before = new Date(deps.now().getTime() - REPUBLISH_MS);
  const since = new Date(deps.now().getTime() - 7 * 86_400_000);
  const pending = await deps.db.payment.findMany({
    where: {
      releaseReason: { in: ['HOLD_EXPIRED', 'PAYMENT_CANCELED', 'NOT_CONFIRMED', 'CUSTOMER_CANCELLED'] },
      releaseAckedAt: null,
      updatedAt: { lt: before, gt: since },
    },
    take: BATCH,
  });
  const effects: Effect[] = pending.map((p) =>
    releaseEffect(p, p.releaseReason as 'HOLD_EXPIRED' | 'PAYMENT_CANCELED' | 'NOT_CONFIRMED' | 'CUSTOMER_CANCELLED'),
  );
  if (pending.length > 0)
    await deps.db.$transaction(async (tx) => {
      await tx.payment.updateMany({
        where: { id: { in: pending.map((p) => p.id) } },
        data: { updatedAt: deps.now() },
      });
      await publishEffects(deps.events, tx, effects);
    });
  return pending.length;
}
