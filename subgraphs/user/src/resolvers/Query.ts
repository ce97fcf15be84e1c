import { isUuid, requireViewer } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { notificationPage } from '../domain/notifications.ts';
import { ensureProfile } from '../domain/profiles.ts';

export const Query: QueryResolvers = {
  user: (_, { id }, { loaders }) => (isUuid(id) ? loaders.profile.load(id) : null),
  me: (_, __, { viewer, db }) => (viewer ? ensureProfile(db, viewer.userId) : null),
  notifications: (_, { first, after }, { viewer, db }) =>
    notificationPage(db, requireViewer(viewer).userId, first, after),
};
