import { isUuid } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

const MAX_PAGE = 100;

export const Query: QueryResolvers = {
  farm: (_, { id }, { loaders }) => (isUuid(id) ? loaders.farm.load(id) : null),
  farms: (_, { first }, { db }) => db.farm.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }], take: Math.min(Math.max(first ?? 20, 0), MAX_PAGE) }),
  plot: (_, { id }, { loaders }) => (isUuid(id) ? loaders.plot.load(id) : null),
  crops: (_, __, { db }) => db.crop.findMany({ orderBy: [{ name: 'asc' }, { variety: 'asc' }] }),
};
