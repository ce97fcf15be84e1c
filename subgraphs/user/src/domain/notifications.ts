import { z } from 'zod';
import {
  badInput,
  connectionOf,
  createdAtKey,
  createdBefore,
  decodeCursor,
  isUuid,
  NOTIFICATION_KINDS,
  pageSize,
  type Connection,
  topics,
  type EventBus,
  type FeedPosition,
  type NotificationAdded,
  type NotificationRequested,
} from '@vegshare/kit';
import type { Logger } from 'pino';
import type { UserDb } from '../db.ts';
import type { Notification } from '../generated/prisma/client.ts';
import { channelsFor } from './preferences.ts';
import { isCleanLine, isCleanText } from './validation.ts';
import { isDeleted } from './erasure.ts';
import type { Presence } from '../adapters/push/presence.ts';
import { queuePushes } from '../adapters/push/queue.ts';

const MAX_MARK_IDS = 100;

/** A page of the viewer's notifications (the NotificationConnection mapper). */
export interface NotificationPage extends Connection<Notification> {
  readonly unreadCount: number;
}

/** What travels on topics.notification(userId): the persisted notification, JSON-encoded (dates as ISO strings). */
export type NotificationWire = NotificationAdded;

const toWire = (n: Notification): NotificationWire => ({
  ...n,
  readAt: n.readAt?.toISOString() ?? null,
  createdAt: n.createdAt.toISOString(),
});
export const fromWire = (w: NotificationWire): Notification => ({
  ...w,
  readAt: w.readAt ? new Date(w.readAt) : null,
  createdAt: new Date(w.createdAt),
});

/** Events come from other services: checked before anything is stored (the contract's NotificationRequested, bounded). */
const notificationRequestedSchema: z.ZodType<NotificationRequested, unknown> = z.object({
  eventId: z.string().min(1).max(200).refine(isCleanLine),
  userId: z.string().refine(isUuid, 'must be a UUID'),
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string().min(1).max(200).refine(isCleanLine),
  body: z.string().max(2000).refine(isCleanText),
  link: z
    .string()
    .max(2000)
    .refine(isCleanLine)
    .nullish()
    .transform((v) => v ?? null),
});

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'muted' | 'invalid' | 'deleted';

/** How a delivered notification reaches a user who has no live session: push to their registered devices. */
export interface PushChannel {
  readonly presence: Presence;
  /** Called after pushes were queued (wakes the push worker). */
  readonly queued: () => void;
}

/**
 * Handles one NotificationRequested event: respects the user's preferences, persists it exactly once
 * (INSERT … ON CONFLICT (user_id, event_id) DO NOTHING RETURNING: of several replicas or re-publishes only one inserts) and
 * publishes the inserted row on the user's topic; the replica that inserted is the only one that publishes. When the
 * kind is enabled for push and no live session of the user is subscribed (on any replica), the notification is queued
 * as a push to each of the user's devices.
 */
export async function deliverNotification(
  db: UserDb,
  bus: EventBus,
  event: unknown,
  logger: Logger,
  push?: PushChannel,
): Promise<DeliveryOutcome> {
  const parsed = notificationRequestedSchema.safeParse(event);
  if (!parsed.success) {
    logger.warn(
      { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
      'dropped invalid NotificationRequested event',
    );
    return 'invalid';
  }
  const request = parsed.data;
  if (await isDeleted(db, request.userId)) return 'deleted';
  const channels = await channelsFor(db, request.userId, request.kind);
  if (!channels.inApp && !channels.push) return 'muted';
  const [inserted] = await db.notification.createManyAndReturn({
    data: [
      {
        eventId: request.eventId,
        userId: request.userId,
        kind: request.kind,
        title: request.title,
        body: request.body,
        link: request.link ?? null,
        ...(channels.inApp ? {} : { readAt: new Date() }),
      },
    ],
    skipDuplicates: true,
  });
  if (!inserted) return 'duplicate';
  if (channels.inApp) await bus.publish(topics.notification(inserted.userId), toWire(inserted));
  if (push && channels.push && !(channels.inApp && (await push.presence.isOnline(inserted.userId)))) {
    const queued = await queuePushes(db, inserted);
    if (queued) push.queued();
  }
  return 'delivered';
}

/** Newest first, keyset-paginated on (createdAt, id). */
export async function notificationPage(
  db: UserDb,
  userId: string,
  firstArg: number | null | undefined,
  after: string | null | undefined,
): Promise<NotificationPage> {
  const first = pageSize(firstArg);
  const cursor = decodeCursor(after);
  const [rows, unreadCount] = await Promise.all([
    db.notification.findMany({
      where: { userId, ...createdBefore(cursor) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    }),
    db.notification.count({ where: { userId, readAt: null } }),
  ]);
  return { ...connectionOf(rows, first, createdAtKey, cursor !== null), unreadCount };
}

/** Marks the given ids (only the viewer's own count) or all of the viewer's notifications read. */
export async function markRead(
  db: UserDb,
  userId: string,
  selection: { ids?: readonly string[] | null; all?: boolean | null },
): Promise<{ updatedCount: number; unreadCount: number }> {
  const hasIds = selection.ids !== undefined && selection.ids !== null;
  if (hasIds === (selection.all === true)) throw badInput('Give either ids or all: true', 'input');
  const ids = selection.ids ?? [];
  if (ids.length > MAX_MARK_IDS) throw badInput(`At most ${MAX_MARK_IDS} ids at once`, 'input.ids');
  if (!ids.every(isUuid)) throw badInput('ids must be notification ids', 'input.ids');
  const { count } = await db.notification.updateMany({
    where: { userId, readAt: null, ...(hasIds ? { id: { in: [...ids] } } : {}) },
    data: { readAt: new Date() },
  });
  const unreadCount = await db.notification.count({ where: { userId, readAt: null } });
  return { updatedCount: count, unreadCount };
}

/**
 * The user's in-app notifications after a feed position, oldest first (what a resuming `notificationAdded` subscriber
 * missed). A push-only notification (its kind muted in the app) is stored already read — `readAt` set before the row's
 * `createdAt` — and was never published live, so it is not replayed either.
 */
export function notificationsSince(
  db: UserDb,
  userId: string,
  after: FeedPosition,
  limit: number,
): Promise<NotificationWire[]> {
  return db.notification
    .findMany({
      where: {
        userId,
        AND: [
          { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] },
          { OR: [{ readAt: null }, { readAt: { gt: db.notification.fields.createdAt } }] },
        ],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    })
    .then((rows) => rows.map(toWire));
}
