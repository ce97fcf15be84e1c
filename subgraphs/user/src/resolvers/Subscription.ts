import { eventIterator, requireViewer, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { fromWire, type NotificationWire } from '../domain/notifications.ts';
import { whilePresent } from '../push/while-present.ts';

export const Subscription: SubscriptionResolvers = {
  notificationAdded: {
    // Per-user topic: a viewer can only ever subscribe to their own notifications. While it is open the user counts as
    // online, so new notifications are not pushed to their devices as well.
    subscribe: async (_, __, { viewer, bus, presence }) => {
      const userId = requireViewer(viewer).userId;
      return whilePresent(await eventIterator<NotificationWire>(bus, topics.notification(userId)), presence.enter(userId));
    },
    resolve: (payload: NotificationWire) => fromWire(payload),
  },
};
