import type { PlotResolvers } from '../__generated__/resolvers-types.ts';

export const Plot: PlotResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  cameras: (plot, _, { loaders }) => loaders.camerasByPlot.load(plot.id),
};
