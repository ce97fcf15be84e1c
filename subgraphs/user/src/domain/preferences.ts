import { NOTIFICATION_KINDS } from '@vegshare/kit';
import type { UserDb } from '../db.ts';
import type { NotificationPreference as PreferenceRow } from '../generated/prisma/client.ts';

/** Kinds the app knows and lists in settings; services may send other kinds, which use the defaults. */
/** The kinds senders may use (the event contract); preferences may also hold kinds added later. */
const KNOWN_NOTIFICATION_KINDS = NOTIFICATION_KINDS;

export interface Channels {
  readonly email: boolean;
  readonly push: boolean;
  readonly inApp: boolean;
}
export interface Preference extends Channels {
  readonly kind: string;
}

/** What a user gets before choosing: every channel on. Push reaches only devices registered after the OS permission prompt, which is the opt-in. */
const DEFAULT_CHANNELS: Channels = { email: true, push: true, inApp: true };

const channelsOf = (row: PreferenceRow): Channels => ({ email: row.email, push: row.push, inApp: row.inApp });

/** Every known kind (defaults where nothing is stored) followed by any other stored kind, by name. */
export function preferenceList(rows: readonly PreferenceRow[]): Preference[] {
  const stored = new Map(rows.map((r) => [r.kind, r]));
  const kinds = [
    ...KNOWN_NOTIFICATION_KINDS,
    ...[...stored.keys()].filter((k) => !(KNOWN_NOTIFICATION_KINDS as readonly string[]).includes(k)).sort(),
  ];
  return kinds.map((kind) => {
    const row = stored.get(kind);
    return { kind, ...(row ? channelsOf(row) : DEFAULT_CHANNELS) };
  });
}

export async function channelsFor(db: UserDb, userId: string, kind: string): Promise<Channels> {
  const row = await db.notificationPreference.findUnique({ where: { userId_kind: { userId, kind } } });
  return row ? channelsOf(row) : DEFAULT_CHANNELS;
}

/** Sets some channels of one kind in one statement (INSERT … ON CONFLICT): the others keep their current (or default) value. */
export async function updatePreference(
  db: UserDb,
  userId: string,
  kind: string,
  changes: Partial<Channels>,
): Promise<Preference> {
  const update: Partial<Record<keyof Channels, boolean>> = {};
  for (const key of ['email', 'push', 'inApp'] as const) {
    const value = changes[key];
    if (value !== undefined) update[key] = value;
  }
  const row = await db.notificationPreference.upsert({
    where: { userId_kind: { userId, kind } },
    create: { userId, kind, ...DEFAULT_CHANNELS, ...update },
    update,
  });
  return { kind: row.kind, ...channelsOf(row) };
}
