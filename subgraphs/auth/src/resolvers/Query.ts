import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { activeViewer, sessionViewer } from '../domain/viewer.ts';

export const Query: QueryResolvers = {
  me: async (_, __, ctx) => (ctx.viewer ? ctx.loaders.user.load((await activeViewer(ctx)).userId) : null),
  mySessions: async (_, __, ctx) => ctx.auth.sessions.activeOf((await sessionViewer(ctx)).userId),
  myApiKeys: async (_, __, ctx) => ctx.auth.apiKeys.list((await activeViewer(ctx, 'PARTNER')).userId),
};
