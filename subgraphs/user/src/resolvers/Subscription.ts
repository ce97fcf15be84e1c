import { decodeFeedCursor, eventIterator, feedPositionOf, requireViewer, resumeLog, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { fromWire, notificationsSince, type NotificationWire } from '../domain/notifications.ts';
import { whilePresent } from '../adapters/push/while-present.ts';

export const Subscription: SubscriptionResolvers = {
  notificationAdded: {
    // Per-user topic: a viewer can only ever subscribe to their own notifications (and only their own are replayed
    // after a cursor). While it is open the user counts as online, so new notifications are not pushed to their devices as well.
    subscribe: async (_, { after }, { viewer, bus, presence, db }) => {
      const userId = requireViewer(viewer).userId;
      const since = after === null || after === undefined ? null : decodeFeedCursor(after);
      const live = await eventIterator(bus, topics.notification(userId), since ? { bufferSize: 2000 } : {});
      const missed = since
        ? await resumeLog<NotificationWire>({
            live,
            after: since,
            replay: (from, limit) => notificationsSince(db, userId, from, limit),
            positionOf: feedPositionOf,
          })
        : live;
      return whilePresent(missed, presence.enter(userId));
    },
    resolve: (payload: NotificationWire) => fromWire(payload),
  },
};
