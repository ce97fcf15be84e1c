import { eventIterator, requireViewer, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { fromWire, type NotificationWire } from '../notifications.ts';

export const Subscription: SubscriptionResolvers = {
  notificationAdded: {
    // Per-user topic: a viewer can only ever subscribe to their own notifications.
    subscribe: (_, __, { viewer, events }) => eventIterator<NotificationWire>(events, topics.notification(requireViewer(viewer).userId)),
    resolve: (payload: NotificationWire) => fromWire(payload),
  },
};
