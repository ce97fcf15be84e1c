import { notFound } from '@vegshare/kit';
import type { PlotResolvers } from '../__generated__/resolvers-types.ts';

export const Plot: PlotResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.plot.load(ref.id),
  farm: async (plot, _, { loaders }) => (await loaders.farm.load(plot.farmId)) ?? Promise.reject(notFound('Farm', plot.farmId)),
};
