import { groupLoader, rowLoader } from '@vegshare/kit';
import type { UserDb } from './db.ts';

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: UserDb) {
  return {
    profile: rowLoader(
      (ids: readonly string[]) => db.profile.findMany({ where: { id: { in: [...ids] } } }),
      (p) => p.id,
    ),
    address: rowLoader(
      (ids: readonly string[]) => db.deliveryAddress.findMany({ where: { id: { in: [...ids] } } }),
      (a) => a.id,
    ),
    /** Default first, then oldest first. */
    addressesByUser: groupLoader(
      (userIds: readonly string[]) =>
        db.deliveryAddress.findMany({
          where: { userId: { in: [...userIds] } },
          orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
        }),
      (a) => a.userId,
    ),
    /** Most recently seen first. */
    pushDevicesByUser: groupLoader(
      (userIds: readonly string[]) =>
        db.pushDevice.findMany({
          where: { userId: { in: [...userIds] } },
          orderBy: [{ lastSeenAt: 'desc' }, { id: 'desc' }],
        }),
      (d) => d.userId,
    ),
    preferencesByUser: groupLoader(
      (userIds: readonly string[]) => db.notificationPreference.findMany({ where: { userId: { in: [...userIds] } } }),
      (p) => p.userId,
    ),
  };
}
export type UserLoaders = ReturnType<typeof createLoaders>;
