import type { SessionResolvers } from '../__generated__/resolvers-types.ts';

export const Session: SessionResolvers = {
  current: (session, _, { viewer }) => viewer?.sessionId === session.id,
  createdAt: (session) => session.createdAt.toISOString(),
  lastSeenAt: (session) => session.lastSeenAt.toISOString(),
  expiresAt: (session) => session.expiresAt.toISOString(),
};
