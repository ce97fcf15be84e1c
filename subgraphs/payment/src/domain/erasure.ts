import { z } from 'zod';
import { topics, isUuid, type UserDataErased, type UserDeleted } from '@vegshare/kit';
import type { PaymentDeps } from './deps.ts';

export const userDeletedSchema = z.object({
  userId: z.string().refine(isUuid, 'must be a UUID'),
  deletedAt: z.string().max(40),
}) satisfies z.ZodType<UserDeleted>;

/** The acknowledging service's name in UserDataErased (and in auth's ACCOUNT_ERASURE_SERVICES). */
const ERASURE_SERVICE = 'payment';

const startOfDay = (now: Date): Date => new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);

/**
 * Whether money may still go back to the customer: a refund not settled yet, money authorised and held (it may be
 * captured before the farm's cancellation arrives, then refunded), or a captured booking that has not started and that
 * the farm has not cancelled yet (the farm cancels a deleted customer's bookings, which refunds them). A refund
 * carries the customer's e-mail in its receipt (54-FZ: YooKassa refuses a refund without it), so the address stays
 * until these are settled. A payment never made (PENDING) is only cancelled, which needs no receipt.
 */
async function refundsMayFollow(deps: PaymentDeps, customerId: string): Promise<boolean> {
  const today = startOfDay(deps.now());
  const open = await deps.db.payment.count({
    where: {
      customerId,
      OR: [
        { refunds: { some: { status: 'PENDING' } } },
        { status: 'WAITING_FOR_CAPTURE' },
        { status: 'SUCCEEDED', releaseReason: null, startsOn: { gt: today } },
      ],
    },
  });
  return open > 0;
}

/**
 * Erases what the payment service keeps about a deleted account once no refund can need it: the e-mail address
 * receipts were sent to (so `Payment.receipt` no longer shows it) and the payment credentials of its payments
 * (confirmation URL, widget token, Stripe client secret). Payments, refunds and the ledger stay — the ledger is
 * append-only and they are the farm's and the platform's accounting — under the account's id, which no longer leads
 * to a person. Idempotent. Returns false while refunds may still follow (auth publishes UserDeleted again); else the
 * acknowledgement to auth (UserDataErased) is written in the erasure's transaction.
 */
async function eraseCustomer(deps: PaymentDeps, customerId: string): Promise<boolean> {
  if (await refundsMayFollow(deps, customerId)) return false;
  await deps.db.$transaction(async (tx) => {
    await tx.customerContact.deleteMany({ where: { userId: customerId } });
    await tx.payment.updateMany({
      where: {
        customerId,
        OR: [{ confirmationUrl: { not: null } }, { confirmationToken: { not: null } }, { clientSecret: { not: null } }],
      },
      data: { confirmationUrl: null, confirmationToken: null, clientSecret: null },
    });
    await deps.events.enqueue(tx, topics.userDataErased, { userId: customerId, service: ERASURE_SERVICE });
  });
  return true;
}

/** Handles UserDeleted: erases and acknowledges, or waits for the next re-publication while refunds may follow. */
export async function onUserDeleted(deps: PaymentDeps, event: UserDeleted): Promise<void> {
  if (!(await eraseCustomer(deps, event.userId))) {
    deps.logger.info(
      { userId: event.userId },
      'deleted account: refunds may still follow; its receipt address is kept until they are settled',
    );
    return;
  }
  deps.logger.info({ userId: event.userId }, 'erased the payment data of a deleted account');
}
