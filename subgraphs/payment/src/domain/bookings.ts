import { z } from 'zod';
import { isUniqueViolation, isUuid, type BookingChanged } from '@vegshare/kit';
import { lockPayment } from '../db.ts';
import type { PaymentDeps } from './deps.ts';
import { providerForCurrency } from './deps.ts';
import { money, notifyAbout, publishEffects, type Effect } from './effects.ts';
import { settingsOf } from './farm-accounts.ts';
import { enqueue } from './outbox-write.ts';
import { createRefund } from './refund-write.ts';
import { daysUntil } from './money.ts';

const uuid = z.string().refine(isUuid, 'must be a UUID');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');

/** BookingChanged as it arrives from the bus: checked before anything is stored. */
export const bookingChangedSchema = z.object({
  kind: z.enum(['RENTAL', 'ADOPTION']),
  bookingId: uuid,
  customerId: uuid,
  farmId: uuid,
  farmerId: uuid,
  status: z.enum(['REQUESTED', 'ACTIVE', 'ENDED', 'CANCELLED']),
  startsOn: isoDate,
  endsOn: isoDate,
  priceCents: z.number().int().min(1).max(100_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullable(),
  title: z.string().min(1).max(200),
}) satisfies z.ZodType<BookingChanged>;

const todayOf = (now: Date) => now.toISOString().slice(0, 10);

/**
 * What a booking's change means for its payment. Requested (or confirmed) with no payment yet → a payment is
 * created (PENDING, the provider call in the outbox) and the booking is held until `PAYMENT_HOLD_SECONDS` from now.
 * Confirmed by the farm → capture once authorised. Cancelled or ended before capture → the held money is released;
 * cancelled by the farm after capture (before the start) → refunded in full. Idempotent: a repeated or late event
 * changes nothing, and concurrent deliveries of the same booking create one payment (unique booking).
 */
export async function applyBookingChanged(deps: PaymentDeps, event: BookingChanged): Promise<void> {
  // The effects (PaymentChanged, notifications) go to the outbox in the same transaction as the payment.
  await deps.db.$transaction(async (tx) => {
    const effects = await (async (): Promise<Effect[]> => {
      const existing = await tx.payment.findUnique({
        where: { bookingKind_bookingId: { bookingKind: event.kind, bookingId: event.bookingId } },
      });
      if (!existing) {
        if (event.status !== 'REQUESTED' && event.status !== 'ACTIVE') return [];
        const account = await tx.farmAccount.findUnique({ where: { farmId: event.farmId } });
        if (!account || account.ownerId !== event.farmerId) {
          await tx.farmAccount.upsert({
            where: { farmId: event.farmId },
            create: { farmId: event.farmId, ownerId: event.farmerId },
            update: { ownerId: event.farmerId },
          });
        }
        const settings = settingsOf(account, deps);
        const currency = event.currency ?? settings.currency;
        const payment = await tx.payment.create({
          data: {
            bookingKind: event.kind,
            bookingId: event.bookingId,
            customerId: event.customerId,
            farmId: event.farmId,
            farmerId: event.farmerId,
            description: event.title,
            amountCents: event.priceCents,
            currency,
            commissionBps: settings.commissionBps,
            provider: providerForCurrency(currency),
            startsOn: new Date(`${event.startsOn}T00:00:00Z`),
            holdExpiresAt: new Date(deps.now().getTime() + deps.config.PAYMENT_HOLD_SECONDS * 1000),
            captureRequested: event.status === 'ACTIVE',
          },
        });
        await enqueue(tx, 'CREATE_PAYMENT', payment.id);
        deps.kick();
        return [
          { type: 'changed', payment },
          notifyAbout(
            payment,
            'customer',
            'Complete your payment',
            `Pay ${money(payment.amountCents, currency)} for ${payment.description} within ${Math.round(deps.config.PAYMENT_HOLD_SECONDS / 60)} minutes to keep your booking.`,
          ),
        ];
      }
      await lockPayment(tx, existing.id);
      const payment = await tx.payment.findUniqueOrThrow({ where: { id: existing.id } });
      if (event.status === 'ACTIVE' && !payment.captureRequested && !payment.releaseReason) {
        await tx.payment.update({ where: { id: payment.id }, data: { captureRequested: true } });
        if (payment.status === 'WAITING_FOR_CAPTURE') {
          await enqueue(tx, 'CAPTURE_PAYMENT', payment.id);
          deps.kick();
        }
        return [];
      }
      if (event.status !== 'CANCELLED' && event.status !== 'ENDED') return [];
      const acked = payment.releaseReason && !payment.releaseAckedAt ? { releaseAckedAt: deps.now() } : {};
      if (payment.status === 'PENDING' || payment.status === 'WAITING_FOR_CAPTURE') {
        await tx.payment.update({
          where: { id: payment.id },
          data: {
            ...acked,
            releaseReason: payment.releaseReason ?? 'BOOKING_CANCELLED',
            releaseAckedAt: payment.releaseAckedAt ?? deps.now(),
          },
        });
        await enqueue(tx, 'CANCEL_PAYMENT', payment.id);
        deps.kick();
        return [];
      }
      if (payment.status === 'SUCCEEDED' && event.status === 'CANCELLED' && !payment.releaseReason) {
        await tx.payment.update({
          where: { id: payment.id },
          data: { releaseReason: 'FARM_CANCELLED', releaseAckedAt: deps.now() },
        });
        // The farm cancelled a paid booking: everything still paid goes back, unless the booking already started.
        if (daysUntil(event.startsOn, todayOf(deps.now())) > 0)
          return createRefund(tx, deps, payment.id, payment.amountCents - payment.refundedCents, 'FARM_CANCELLED');
        return [];
      }
      if (Object.keys(acked).length > 0) await tx.payment.update({ where: { id: payment.id }, data: acked });
      return [];
    })();
    await publishEffects(deps.events, tx, effects);
  });
}

/** Runs `applyBookingChanged`, absorbing the unique violation of a concurrent duplicate (the other delivery created the payment). */
export async function onBookingChanged(deps: PaymentDeps, event: BookingChanged): Promise<void> {
  try {
    await applyBookingChanged(deps, event);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await applyBookingChanged(deps, event);
  }
}
