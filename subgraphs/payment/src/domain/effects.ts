import {
  topics,
  type BookingReleaseRequested,
  type NotificationKind,
  type NotificationRequested,
  type PaymentChanged,
  type RawExecutor,
  type ServiceEvents,
} from '@vegshare/kit';
import type { Payment } from '../generated/prisma/client.ts';

/**
 * What a committed change announces: the payment's new state, notifications, and release requests for the farm.
 * Domain functions collect these while their transaction runs; `publishEffects` writes them to the outbox in that
 * transaction, so they exist if and only if the change commits.
 */
export type Effect =
  | { readonly type: 'changed'; readonly payment: Payment }
  | { readonly type: 'notify'; readonly request: NotificationRequested }
  | { readonly type: 'release'; readonly request: BookingReleaseRequested };

const kindOf = (payment: Pick<Payment, 'bookingKind'>): NotificationKind =>
  payment.bookingKind === 'RENTAL' ? 'rental' : 'adoption';

export function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

/** A notification about a payment, with an id unique per payment, version and audience (idempotent downstream). */
export function notifyAbout(
  payment: Payment,
  audience: 'customer' | 'farmer',
  title: string,
  body: string,
  step: string = `v${payment.version}`,
): Effect {
  return {
    type: 'notify',
    request: {
      eventId: `payment:${payment.id}:${step}:${audience}`,
      userId: audience === 'customer' ? payment.customerId : payment.farmerId,
      kind: kindOf(payment),
      title,
      body,
      link: `vegshare://payments/${payment.id}`,
    },
  };
}

function changed(payment: Payment): PaymentChanged {
  return {
    paymentId: payment.id,
    bookingKind: payment.bookingKind,
    bookingId: payment.bookingId,
    customerId: payment.customerId,
    farmId: payment.farmId,
    status: payment.status,
    amountCents: payment.amountCents,
    refundedCents: payment.refundedCents,
    currency: payment.currency,
    version: payment.version,
  };
}

export async function publishEffects(
  outbox: ServiceEvents,
  tx: RawExecutor,
  effects: readonly Effect[],
): Promise<void> {
  for (const effect of effects) {
    if (effect.type === 'changed') await outbox.enqueue(tx, topics.paymentChanged, changed(effect.payment));
    else if (effect.type === 'notify') await outbox.enqueue(tx, topics.notificationRequested, effect.request);
    else await outbox.enqueue(tx, topics.bookingReleaseRequested, effect.request);
  }
}
