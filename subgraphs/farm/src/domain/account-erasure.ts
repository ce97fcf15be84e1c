import type { Logger } from 'pino';
import { z } from 'zod';
import { eventTopics, isUuid } from '@vegshare/kit';
import type { FarmDb } from '../db.ts';
import type { FarmEvents } from './notify.ts';

const userDeletedSchema = z.object({ userId: z.string().refine(isUuid), deletedAt: z.string() });
/** What replaces a deleted customer's delivery address and free text. */
export const ERASED = '[erased: account deleted]';

/**
 * Anonymises what the farm keeps about a deleted customer: running rentals and adoptions are cancelled (RentalChanged
 * tells streaming to stop their camera access), delivery addresses and notes and their planting-plan notes are erased,
 * and activity no longer names them as actor. Rentals, harvests and deliveries stay as the farm's records under the
 * account's id, which no longer leads to a person. Idempotent.
 */
export async function eraseCustomer(
  db: FarmDb,
  events: FarmEvents,
  userId: string,
): Promise<{ cancelledRentals: number }> {
  const running = await db.rental.findMany({
    where: { customerId: userId, status: { in: ['REQUESTED', 'ACTIVE'] } },
    include: { plot: { select: { farmId: true } } },
  });
  await db.$transaction([
    db.rental.updateMany({
      where: { id: { in: running.map((r) => r.id) }, status: { in: ['REQUESTED', 'ACTIVE'] } },
      data: { status: 'CANCELLED' },
    }),
    db.plantingPlan.updateMany({ where: { rental: { customerId: userId } }, data: { notes: '' } }),
    db.delivery.updateMany({
      where: { customerId: userId, status: { in: ['REQUESTED', 'SCHEDULED', 'OUT_FOR_DELIVERY'] } },
      data: { status: 'FAILED' },
    }),
    db.delivery.updateMany({ where: { customerId: userId }, data: { addressText: ERASED, note: '' } }),
    db.adoption.updateMany({ where: { customerId: userId, status: 'ACTIVE' }, data: { status: 'CANCELLED' } }),
    db.activityEvent.updateMany({ where: { actorId: userId }, data: { actorId: null } }),
  ]);
  // After the batch (its rows cannot carry the outbox writes); erasure is re-run until acknowledged, so a crash here
  // cancels again and re-announces.
  for (const rental of running) await events.rentalChanged({ ...rental, status: 'CANCELLED' }, rental.plot.farmId);
  return { cancelledRentals: running.length };
}

/**
 * Handles UserDeleted from auth (durable consumer `farm.account-erasure`, naturally idempotent) and acknowledges it
 * with UserDataErased (auth re-publishes until every service did).
 */
export async function subscribeToAccountErasure(db: FarmDb, events: FarmEvents, logger: Logger): Promise<void> {
  await events.outbox.consume<unknown>('account-erasure', eventTopics.userDeleted, async (payload) => {
    const event = userDeletedSchema.safeParse(payload);
    if (!event.success) return;
    const { cancelledRentals } = await eraseCustomer(db, events, event.data.userId);
    logger.info({ userId: event.data.userId, cancelledRentals }, 'anonymised the farm data of a deleted account');
    await events.dataErased(event.data.userId);
  });
}
