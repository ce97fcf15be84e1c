import { z } from 'zod';
import { eventTopics, isUuid, type BookingReleaseRequested, type EventBus, type Logger } from '@vegshare/kit';
import type { FarmDb } from '../db.ts';
import { createLoaders } from '../loaders.ts';
import type { FarmEvents } from '../domain/notify.ts';
import { publishActivity, writeActivity } from '../domain/activity.ts';
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
 */
export async function applyReleaseRequest(db: FarmDb, bus: EventBus, events: FarmEvents, logger: Logger, request: BookingReleaseRequested): Promise<void> {
  const lookups = createLoaders(db);
  if (request.kind === 'RENTAL') {
    const changed = await db.$transaction(async (tx) => {
      const { count } = await tx.rental.updateMany({ where: { id: request.bookingId, status: { in: ['REQUESTED', 'ACTIVE'] } }, data: { status: 'CANCELLED' } });
      const row = await tx.rental.findUnique({ where: { id: request.bookingId } });
      if (!row || count === 0) return { row, activity: null };
      const activity = await writeActivity(tx, { kind: 'RENTAL_CHANGED', message: `Rental cancelled: ${why[request.reason]}`, plotId: row.plotId, rentalId: row.id, subjectId: row.id });
      return { row, activity };
    });
    if (!changed.row) return;
    if (changed.activity) {
      const plot = await lookups.plot.load(changed.row.plotId);
      if (plot) await events.rentalChanged(changed.row, plot.farmId);
      await publishActivity(bus, logger, changed.activity);
    }
    await publishRentalBooking(bus, logger, lookups, changed.row);
    return;
  }
  await db.adoption.updateMany({ where: { id: request.bookingId, status: 'ACTIVE' }, data: { status: 'CANCELLED' } });
  const adoption = await db.adoption.findUnique({ where: { id: request.bookingId } });
  if (adoption) await publishAdoptionBooking(bus, logger, lookups, adoption);
}

/** Subscribes the farm to the payment subgraph's release requests; returns the unsubscribe function (waits for running handlers). */
export async function subscribeToReleaseRequests(db: FarmDb, bus: EventBus, events: FarmEvents, logger: Logger): Promise<() => Promise<void>> {
  const running = new Set<Promise<void>>();
  const off = await bus.subscribe<unknown>(eventTopics.bookingReleaseRequested, (payload) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      logger.warn('dropped malformed BookingReleaseRequested');
      return;
    }
    const work: Promise<void> = applyReleaseRequest(db, bus, events, logger, parsed.data)
      .catch((err: unknown) => logger.error({ err, bookingId: parsed.data.bookingId }, 'could not release a booking'))
      .finally(() => running.delete(work));
    running.add(work);
  });
  return async () => {
    await off();
    await Promise.allSettled([...running]);
  };
}
