import type { UserDb } from '../../db.ts';
import type { Notification } from '../../generated/prisma/client.ts';

/** What the app receives with a push: where tapping it leads. */
interface PushData {
  readonly notificationId: string;
  readonly kind: string;
  /** The notification's in-app link (a path such as `/rentals/<id>`), or `/notifications`. */
  readonly url: string;
}

/** Queues the notification for each of the user's devices; the worker sends it. Returns how many were queued. */
export async function queuePushes(db: UserDb, notification: Notification): Promise<number> {
  const devices = await db.pushDevice.findMany({ where: { userId: notification.userId }, select: { id: true } });
  if (devices.length === 0) return 0;
  const data: PushData = {
    notificationId: notification.id,
    kind: notification.kind,
    url: notification.link ?? '/notifications',
  };
  const { count } = await db.pushMessage.createMany({
    data: devices.map((d) => ({
      deviceId: d.id,
      notificationId: notification.id,
      title: notification.title,
      body: notification.body,
      data: { ...data },
    })),
  });
  return count;
}
