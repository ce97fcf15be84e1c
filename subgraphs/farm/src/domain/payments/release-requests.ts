import { z } from 'zod';
import { topics, isUuid, type BookingReleaseRequested, type EventBus, type Logger } from '@vegshare/kit';

import type { FarmDb } from '../../db.ts';
import type { FarmEvents } from '../notify.ts';
import { publishActivity, writeActivity } from '../activity.ts';
import { publishAdoptionBooking, publishRentalBooking } from './bookings.ts';

const schema = z.object({
  kind: z.enum(['RENTAL', 'ADOPTION']),
  bookingId: z.string().refine(isUuid, 'must be a UUID'),
  reason: z.enum(['HOLD_EXPIRED', 'PAYMENT_CANCELED', 'NOT_CONFIRMED', 'CUSTOMER_CANCELLED']),
}) satisfies z.ZodType<BookingReleaseRequested>;

const why: Record<BookingReleaseRequested['reason'], string> = {
  HOLD_EXPIRED: 'not paid in time',
  PAYMENT_CANCELED: 'payment cancelled',
  NOT_CONFIRMED: 'not confirmed in time',
  CUSTOMER_CANCELLED: 'cancelled by the customer',
};

/**
 * Applies one release request: the booking is cancelled if it is still live (a conditional update, so repeats and
 * concurrent replicas change it once), and its state is announced again either way — that announcement is the
 * acknowledgement the payment subgraph waits for before it stops re-publishing the request.
 *
 * The booking's plot or animal (which never change) and their farm are read before the transaction, which is given
 * them: a read through the pool inside it would wait for a second connection while it holds the booking's row — which
 * requests for the same dates (the exclusion constraint) or the same animal wait for, holding the rest of the pool.
 */
async function applyReleaseRequest(
  db: FarmDb,
  bus: EventBus,
  events: FarmEvents,
  logger: Logger,
  request: BookingReleaseRequested,
): Promise<void> {
  const id = request.bookingId;
  if (request.kind === 'RENTAL') {
    const booking = await db.rental.findUnique({ where: { id }, select: { plot: { include: { farm: true } } } });
    if (!booking) return;
    const { plot } = booking;
    const activity = await db.$transaction(async (tx) => {
      const { count } = await tx.rental.updateMany({
        where: { id, status: { in: ['REQUESTED', 'ACTIVE'] } },
        data: { status: 'CANCELLED' },
      });
      const row = await tx.rental.findUnique({ where: { id } });
      if (!row) return null;
      // The booking's state is announced again even when nothing changed: that is payment's acknowledgement.
      await publishRentalBooking(events, { plot, farm: plot.farm }, row, tx);
      if (count === 0) return null;
      const activity = await writeActivity(tx, {
        kind: 'RENTAL_CHANGED',
        message: `Rental cancelled: ${why[request.reason]}`,
        plotId: row.plotId,
        rentalId: row.id,
        subjectId: row.id,
      });
      await events.rentalChanged(row, plot.farmId, tx);
      return activity;
    });
    if (activity) await publishActivity(bus, logger, activity);
    return;
  }
  const booking = await db.adoption.findUnique({ where: { id }, select: { animal: { include: { farm: true } } } });
  if (!booking) return;
  const { animal } = booking;
  await db.$transaction(async (tx) => {
    await tx.adoption.updateMany({ where: { id, status: 'ACTIVE' }, data: { status: 'CANCELLED' } });
    const adoption = await tx.adoption.findUnique({ where: { id } });
    if (adoption) await publishAdoptionBooking(events, { animal, farm: animal.farm }, adoption, tx);
  });
}

/**
 * Consumes the payment subgraph's release requests (durable consumer `farm.booking-release`). Naturally idempotent:
 * the cancellation is conditional and the re-announcement is what payment waits for, so a redelivery only announces
 * the booking's state again. A malformed request is dropped (acknowledged); a failure is retried, then dead-lettered.
 */
export async function subscribeToReleaseRequests(
  db: FarmDb,
  bus: EventBus,
  events: FarmEvents,
  logger: Logger,
): Promise<void> {
  await events.outbox.consume('booking-release', topics.bookingReleaseRequested, async (payload) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return logger.warn('dropped malformed BookingReleaseRequested');
    await applyReleaseRequest(db, bus, events, logger, parsed.data);
  });
}
