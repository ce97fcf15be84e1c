import { notFound } from '@vegshare/kit';
import type { PlotResolvers } from '../__generated__/resolvers-types.ts';
import { managesPlot, requireOwnDataViewer, requirePlotInsider } from '../domain/access.ts';
import { periodOrToday, plotStatus } from '../domain/availability.ts';
import { lists } from '../domain/lists.ts';
import { customerFilter, statusFilter } from './filters.ts';

export const Plot: PlotResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.plot.load(ref.id),
  status: (plot, { from, to }, ctx) => plotStatus(ctx, plot, periodOrToday(from, to)),
  farm: async (plot, _, { loaders }) =>
    (await loaders.farm.load(plot.farmId)) ?? Promise.reject(notFound('Farm', plot.farmId)),
  /** The farm sees every rental of its plot; a customer only their own. */
  rentals: async (plot, args, ctx) => {
    const viewer = requireOwnDataViewer(ctx);
    const filter = (await managesPlot(ctx, plot)) ? undefined : customerFilter(viewer.userId);
    return ctx.loaders.paged.load('rentalsByPlot', lists.rentalsByPlot, plot.id, args, filter);
  },
  tasks: async (plot, args, ctx) => {
    await requirePlotInsider(ctx, plot);
    return ctx.loaders.paged.load('tasksByPlot', lists.tasksByPlot, plot.id, args, statusFilter(args.status));
  },
  activity: async (plot, args, ctx) => {
    await requirePlotInsider(ctx, plot);
    return ctx.loaders.paged.load('activityByPlot', lists.activityByPlot, plot.id, args);
  },
};
