import type { ApiKeyResolvers } from '../__generated__/resolvers-types.ts';

export const ApiKey: ApiKeyResolvers = {
  createdAt: (key) => key.createdAt.toISOString(),
  lastUsedAt: (key) => key.lastUsedAt?.toISOString() ?? null,
  revokedAt: (key) => key.revokedAt?.toISOString() ?? null,
};
