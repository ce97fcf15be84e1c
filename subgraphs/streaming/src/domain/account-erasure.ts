import { z } from 'zod';
import { topics, inTransaction, isUuid, type EventBus, type UserDeleted } from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';

export const userDeletedSchema = z.object({
  userId: z.string().refine(isUuid),
  deletedAt: z.string(),
}) satisfies z.ZodType<UserDeleted>;

/**
 * A deleted account loses every camera right it had through rentals (the projection of its rentals is dropped), then
 * auth is told this service is done. Viewer presence entries expire by themselves within their TTL. Idempotent.
 */
export async function eraseViewer(db: StreamingDb, bus: EventBus, event: UserDeleted): Promise<void> {
  await inTransaction(db, bus, async (tx, events) => {
    await tx.plotRental.deleteMany({ where: { customerId: event.userId } });
    await events.publish(topics.userDataErased, { userId: event.userId, service: 'streaming' });
  });
}
