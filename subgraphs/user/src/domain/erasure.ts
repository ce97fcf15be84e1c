import { z } from 'zod';
import {
  topics,
  isUuid,
  unauthenticated,
  type ObjectStore,
  type ServiceEvents,
  type UserDataErased,
} from '@vegshare/kit';
import type { Logger } from 'pino';
import type { UserDb } from '../db.ts';

const userDeletedSchema = z.object({
  userId: z.string().refine(isUuid, 'must be a UUID'),
  deletedAt: z.string().datetime(),
});

/** Whether auth deleted this account (its data is gone and must never be created again). */
export async function isDeleted(db: UserDb, userId: string): Promise<boolean> {
  return (await db.deletedUser.count({ where: { id: userId } })) > 0;
}

/** Refuses work for a deleted account whose access token has not expired yet. */
export async function assertNotDeleted(db: UserDb, userId: string): Promise<void> {
  if (await isDeleted(db, userId)) throw unauthenticated('This account was deleted');
}

/**
 * Erases everything this service holds about a deleted account — avatar images, then profile, phone, addresses,
 * preferences, notifications, push devices and queued pushes, avatar grants — and leaves a tombstone (id and time
 * only) so that late events or a still-valid token never recreate a profile; the acknowledgement to auth
 * (UserDataErased) is written in the same transaction as the rows' erasure, after the images (S3, outside the
 * transaction) are gone. A crash in between acknowledges nothing: the UserDeleted event is redelivered. Idempotent.
 */
async function eraseUser(
  db: UserDb,
  objects: ObjectStore,
  outbox: ServiceEvents,
  userId: string,
  deletedAt: Date,
  logger: Logger,
): Promise<void> {
  // Avatar images (the confirmed one and any unconfirmed uploads) live under the user's prefix.
  const keys: string[] = [];
  for await (const item of objects.client.listObjectsV2(objects.bucket, `avatars/${userId}/`, true) as AsyncIterable<{
    name?: string;
  }>) {
    if (item.name) keys.push(item.name);
  }
  if (keys.length) await objects.client.removeObjects(objects.bucket, keys);
  await db.$transaction(async (tx) => {
    await tx.deletedUser.createMany({ data: [{ id: userId, deletedAt }], skipDuplicates: true });
    await tx.pushDevice.deleteMany({ where: { userId } });
    await tx.notification.deleteMany({ where: { userId } });
    await tx.notificationPreference.deleteMany({ where: { userId } });
    await tx.avatarUpload.deleteMany({ where: { userId } });
    await tx.profile.deleteMany({ where: { id: userId } }); // addresses cascade
    await outbox.enqueue(tx, topics.userDataErased, { userId, service: 'user' });
  });
  logger.info({ userId, avatarObjects: keys.length }, 'erased the data of a deleted account');
}

/** Handles one UserDeleted event: erase, then acknowledge to auth (which re-publishes until every service did). */
export async function onUserDeleted(
  db: UserDb,
  objects: ObjectStore,
  outbox: ServiceEvents,
  payload: unknown,
  logger: Logger,
): Promise<boolean> {
  const event = userDeletedSchema.safeParse(payload);
  if (!event.success) {
    logger.warn('dropped invalid UserDeleted event');
    return false;
  }
  await eraseUser(db, objects, outbox, event.data.userId, new Date(event.data.deletedAt), logger);
  return true;
}
