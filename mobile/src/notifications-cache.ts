import type { ApolloCache } from '@apollo/client';
import type { NotificationFieldsFragment } from './gql/graphql';
import { NotificationFields } from './graphql/operations';

interface NotificationsField {
  unreadCount?: number;
  edges?: { cursor: string; node: { __ref: string } }[];
  [key: string]: unknown;
}

/** Puts a notification that arrived by subscription at the top of the list and bumps the unread count (once). */
export function addNotificationToCache(cache: ApolloCache, notification: NotificationFieldsFragment): void {
  const ref = cache.writeFragment({ fragment: NotificationFields, data: notification });
  if (!ref) return;
  cache.modify({
    fields: {
      notifications(value: unknown) {
        const existing = (value ?? {}) as NotificationsField;
        const edges = existing.edges ?? [];
        if (edges.some((e) => e.node.__ref === ref.__ref)) return existing;
        return {
          ...existing,
          unreadCount: (existing.unreadCount ?? 0) + (notification.read ? 0 : 1),
          edges: [{ __typename: 'NotificationEdge', cursor: '', node: ref }, ...edges],
        };
      },
    },
  });
}

/** After marking read: the new unread count (the list itself is refetched). */
export function setUnreadCount(cache: ApolloCache, unreadCount: number): void {
  cache.modify({
    fields: {
      notifications(value: unknown) {
        const existing = (value ?? {}) as NotificationsField;
        return { ...existing, unreadCount };
      },
    },
  });
}
