import { conflict } from '@vegshare/kit';
import { lockLedgerOwner, lockPayment, type Tx } from '../db.ts';
import { refundSplit } from './money.ts';
import type { PaymentDeps } from './deps.ts';
import { money, notifyAbout, type Effect } from './effects.ts';
import { balanceOf, postJournal } from './ledger.ts';
import { enqueue } from './outbox-write.ts';

/**
 * Commits a refund of a captured payment: the refund row, its ledger journal (money owed back to the customer
 * leaves the farmer's share and the commission in proportion) and the provider call in the outbox — all in the
 * caller's transaction. The journal is posted now, not when the provider confirms, so that a payout can never pay
 * out money promised back; a refund the provider refuses is reversed by a new journal.
 */
export async function createRefund(
  tx: Tx,
  deps: PaymentDeps,
  paymentId: string,
  amountCents: number,
  reason: string,
): Promise<Effect[]> {
  await lockPayment(tx, paymentId);
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (payment.status !== 'SUCCEEDED') throw conflict(`A ${payment.status} payment cannot be refunded`);
  const amount = Math.min(amountCents, payment.amountCents - payment.refundedCents);
  if (amount <= 0) return [];
  const split = refundSplit(payment.amountCents, payment.commissionBps, payment.refundedCents, amount);
  const farmerAccount = payment.releasedToFarmerAt ? 'FARMER_AVAILABLE' : 'FARMER_PENDING';
  if (farmerAccount === 'FARMER_AVAILABLE') {
    await lockLedgerOwner(tx, payment.farmerId);
    const available = await balanceOf(tx, 'FARMER_AVAILABLE', payment.farmerId, payment.currency);
    if (available < split.farmerCents) throw conflict('The farmer’s available balance does not cover this refund');
  }
  const refund = await tx.refund.create({
    data: { paymentId, amountCents: amount, currency: payment.currency, reason },
  });
  await postJournal(tx, {
    at: deps.now(),
    kind: 'refund',
    currency: payment.currency,
    paymentId,
    refundId: refund.id,
    postings: [
      { account: 'CUSTOMER', ownerId: payment.customerId, amountCents: amount },
      { account: farmerAccount, ownerId: payment.farmerId, amountCents: -split.farmerCents },
      { account: 'PLATFORM_COMMISSION', ownerId: null, amountCents: -split.commissionCents },
    ],
  });
  const updated = await tx.payment.update({
    where: { id: paymentId },
    data: { refundedCents: { increment: amount }, refundedAt: deps.now(), version: { increment: 1 } },
  });
  await enqueue(tx, 'CREATE_REFUND', paymentId, { refundId: refund.id });
  deps.kick();
  return [
    { type: 'changed', payment: updated },
    notifyAbout(
      updated,
      'customer',
      'Refund on its way',
      `${money(amount, payment.currency)} of ${updated.description} is being refunded.`,
      `refund-${refund.id}`,
    ),
  ];
}
