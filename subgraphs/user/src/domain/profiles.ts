import type { UserRegistered } from '@vegshare/kit';
import type { UserDb } from '../db.ts';
import type { Profile } from '../generated/prisma/client.ts';
import type { ProfileChanges } from './validation.ts';
import { displayNameSchema } from './validation.ts';
import { assertNotDeleted, isDeleted } from './erasure.ts';

/** Name given to a profile created without one (the registration event was missed or carried a bad name). */
const DEFAULT_DISPLAY_NAME = 'VegShare member';

/**
 * Creates the profile of a newly registered account; idempotent and safe when several replicas receive the same event
 * (INSERT … ON CONFLICT DO NOTHING): an existing profile is never overwritten. Returns whether a profile was created.
 */
export async function createRegisteredProfile(
  db: UserDb,
  event: Pick<UserRegistered, 'userId' | 'displayName'>,
): Promise<boolean> {
  if (await isDeleted(db, event.userId)) return false;
  const name = displayNameSchema.safeParse(event.displayName);
  const { count } = await db.profile.createMany({
    data: [{ id: event.userId, displayName: name.success ? name.data : DEFAULT_DISPLAY_NAME }],
    skipDuplicates: true,
  });
  return count > 0;
}

/** What an account without a stored profile looks like to other subgraphs (nothing is written). */
export function defaultProfile(userId: string): Profile {
  const epoch = new Date(0);
  return {
    id: userId,
    displayName: DEFAULT_DISPLAY_NAME,
    phone: null,
    locale: 'en',
    timeZone: 'UTC',
    avatarKey: null,
    createdAt: epoch,
    updatedAt: epoch,
  };
}

/** The viewer's profile, created with defaults when the registration event never arrived (pub/sub is at-most-once). */
export async function ensureProfile(db: UserDb, userId: string): Promise<Profile> {
  const existing = await db.profile.findUnique({ where: { id: userId } });
  if (existing) return existing;
  await assertNotDeleted(db, userId);
  await db.profile.createMany({ data: [{ id: userId, displayName: DEFAULT_DISPLAY_NAME }], skipDuplicates: true });
  return db.profile.findUniqueOrThrow({ where: { id: userId } });
}

/** Applies validated changes to the user's own profile. */
export async function updateProfile(db: UserDb, userId: string, changes: ProfileChanges): Promise<Profile> {
  await ensureProfile(db, userId);
  const data: { displayName?: string; phone?: string | null; locale?: string; timeZone?: string } = {};
  if (changes.displayName !== undefined) data.displayName = changes.displayName;
  if (changes.phone !== undefined) data.phone = changes.phone;
  if (changes.locale !== undefined) data.locale = changes.locale;
  if (changes.timeZone !== undefined) data.timeZone = changes.timeZone;
  return db.profile.update({ where: { id: userId }, data });
}
