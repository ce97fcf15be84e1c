import { encodeFeedCursor } from '@vegshare/kit';
import type { NotificationResolvers } from '../__generated__/resolvers-types.ts';

export const Notification: NotificationResolvers = {
  read: (notification) => notification.readAt !== null,
  cursor: (notification) => encodeFeedCursor(notification),
};
