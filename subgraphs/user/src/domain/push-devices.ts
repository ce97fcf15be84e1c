import { Expo } from 'expo-server-sdk';
import { badInput, type Viewer } from '@vegshare/kit';
import type { UserDb } from '../db.ts';
import type { PushDevice } from '../generated/prisma/client.ts';
import { assertNotDeleted } from './erasure.ts';

/** Devices kept per user; registering one more forgets the least recently seen. */
const MAX_DEVICES_PER_USER = 10;
const PUSH_PLATFORMS = ['IOS', 'ANDROID'] as const;
export type PushPlatform = (typeof PUSH_PLATFORMS)[number];

/** Expo push tokens look like `ExponentPushToken[…]` (or `ExpoPushToken[…]`); anything else is refused. */
export function parsePushToken(token: string): string {
  const trimmed = token.trim();
  if (
    trimmed.length > 200 ||
    !Expo.isExpoPushToken(trimmed) ||
    !/^Expo(nent)?PushToken\[[A-Za-z0-9_-]{8,100}\]$/.test(trimmed)
  ) {
    throw badInput('token must be an Expo push token (ExponentPushToken[…])', 'input.token');
  }
  return trimmed;
}

/**
 * Registers (or refreshes) the viewer's device. A token is unique: when another account signed in on the same phone
 * before, the device moves to this user (pushes follow the person signed in). Idempotent.
 */
export async function registerDevice(
  db: UserDb,
  viewer: Viewer,
  token: string,
  platform: PushPlatform,
): Promise<PushDevice> {
  const userId = viewer.userId;
  await assertNotDeleted(db, userId);
  return db.$transaction(async (tx) => {
    const device = await tx.pushDevice.upsert({
      where: { token },
      create: { userId, token, platform },
      update: { userId, platform, lastSeenAt: new Date() },
    });
    const stale = await tx.pushDevice.findMany({
      where: { userId },
      orderBy: [{ lastSeenAt: 'desc' }, { id: 'desc' }],
      skip: MAX_DEVICES_PER_USER,
      select: { id: true },
    });
    if (stale.length) await tx.pushDevice.deleteMany({ where: { id: { in: stale.map((d) => d.id) } } });
    return device;
  });
}

/** Removes one of the viewer's devices (sign-out on that phone). True when it was registered to the viewer. */
export async function unregisterDevice(db: UserDb, viewer: Viewer, token: string): Promise<boolean> {
  const { count } = await db.pushDevice.deleteMany({ where: { token: token.trim(), userId: viewer.userId } });
  return count > 0;
}

/** The push service said these tokens are dead (app uninstalled, token rotated): forget them and their queued pushes. */
export async function forgetDeadTokens(db: UserDb, tokens: readonly string[]): Promise<number> {
  if (tokens.length === 0) return 0;
  const { count } = await db.pushDevice.deleteMany({ where: { token: { in: [...tokens] } } });
  return count;
}
