import type { Logger } from 'pino';
import { z } from 'zod';
import { topics, isUuid } from '@vegshare/kit';
import type { FarmDb } from '../db.ts';
import type { FarmEvents } from './notify.ts';

const userDeletedSchema = z.object({ userId: z.string().refine(isUuid), deletedAt: z.string() });
/** What replaces a deleted customer's delivery address and free text. */
const ERASED = '[erased: account deleted]';

/**
 * Anonymises what the farm keeps about a deleted customer: running rentals and adoptions are cancelled (RentalChanged
 * tells streaming to stop their camera access), delivery addresses and notes and their planting-plan notes are erased,
 * and activity no longer names them as actor. Rentals, harvests and deliveries stay as the farm's records under the
 * account's id, which no longer leads to a person. The RentalChanged events and the acknowledgement to auth
 * (UserDataErased) are written in the erasure's transaction. Idempotent.
 */
async function eraseCustomer(db: FarmDb, events: FarmEvents, userId: string): Promise<{ cancelledRentals: number }> {
  return db.$transaction(async (tx) => {
    const running = await tx.rental.findMany({
      where: { customerId: userId, status: { in: ['REQUESTED', 'ACTIVE'] } },
      include: { plot: { select: { farmId: true } } },
    });
    await tx.rental.updateMany({
      where: { id: { in: running.map((r) => r.id) }, status: { in: ['REQUESTED', 'ACTIVE'] } },
      data: { status: 'CANCELLED' },
    });
    await tx.plantingPlan.updateMany({ where: { rental: { customerId: userId } }, data: { notes: '' } });
    await tx.delivery.updateMany({
      where: { customerId: userId, status: { in: ['REQUESTED', 'SCHEDULED', 'OUT_FOR_DELIVERY'] } },
      data: { status: 'FAILED' },
    });
    await tx.delivery.updateMany({ where: { customerId: userId }, data: { addressText: ERASED, note: '' } });
    await tx.adoption.updateMany({ where: { customerId: userId, status: 'ACTIVE' }, data: { status: 'CANCELLED' } });
    await tx.activityEvent.updateMany({ where: { actorId: userId }, data: { actorId: null } });
    for (const rental of running)
      await events.rentalChanged({ ...rental, status: 'CANCELLED' }, rental.plot.farmId, tx);
    await events.dataErased(userId, tx);
    return { cancelledRentals: running.length };
  });
}

/**
 * Handles UserDeleted from auth (durable consumer `farm.account-erasure`, naturally idempotent) and acknowledges it
 * with UserDataErased (auth re-publishes until every service did).
 */
export async function subscribeToAccountErasure(db: FarmDb, events: FarmEvents, logger: Logger): Promise<void> {
  await events.outbox.consume('account-erasure', topics.userDeleted, async (payload) => {
    const event = userDeletedSchema.safeParse(payload);
    if (!event.success) return;
    const { cancelledRentals } = await eraseCustomer(db, events, event.data.userId);
    logger.info({ userId: event.data.userId, cancelledRentals }, 'anonymised the farm data of a deleted account');
  });
}
