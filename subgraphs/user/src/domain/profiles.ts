import { preparedRows, type UserRegistered } from '@vegshare/kit';
import type { UserDb, UserSql } from '../db.ts';
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

/**
 * The profile update as one prepared statement (a field left out, NULL here, keeps its value; the phone, which may be
 * cleared, says by $3 whether it changes), returning the row as Prisma's Profile. Through Prisma the same took a read
 * and an update, each compiled and run on the event loop (bench/subgraphs, BENCH_SUBGRAPH=user).
 */
const UPDATE_PROFILE = {
  name: 'user_update_profile',
  text: `UPDATE "user".profile SET
      display_name = COALESCE($2, display_name),
      phone = CASE WHEN $3::boolean THEN $4 ELSE phone END,
      locale = COALESCE($5, locale),
      time_zone = COALESCE($6, time_zone),
      updated_at = $7::timestamptz
    WHERE id = $1::uuid
    RETURNING id, display_name AS "displayName", phone, locale, time_zone AS "timeZone", avatar_key AS "avatarKey",
      created_at AS "createdAt", updated_at AS "updatedAt"`,
};

/** Applies validated changes to the user's own profile (created with defaults first when it does not exist yet). */
export async function updateProfile(
  db: UserDb,
  sql: UserSql,
  userId: string,
  changes: ProfileChanges,
): Promise<Profile> {
  const update = async () => {
    const [row] = await preparedRows<Profile>(sql, UPDATE_PROFILE, [
      userId,
      changes.displayName ?? null,
      changes.phone !== undefined,
      changes.phone ?? null,
      changes.locale ?? null,
      changes.timeZone ?? null,
      new Date(),
    ]);
    return row;
  };
  const updated = await update();
  if (updated) return updated;
  // No profile yet (its registration event was missed): a profile is only ever deleted with its account's tombstone,
  // which ensureProfile refuses.
  await ensureProfile(db, userId);
  const created = await update();
  if (!created) throw new Error(`profile ${userId} vanished during its update`);
  return created;
}
