import type { NotificationResolvers } from '../__generated__/resolvers-types.ts';

export const Notification: NotificationResolvers = {
  read: (notification) => notification.readAt !== null,
};
