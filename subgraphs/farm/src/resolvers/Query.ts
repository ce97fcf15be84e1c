import { isUuid, requireRole } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeRental, requireOwnDataViewer } from '../domain/access.ts';
import { lists } from '../domain/lists.ts';
import { ALL } from '../domain/paged-children.ts';
import { availablePlots } from '../domain/search.ts';
import { statusFilter } from './filters.ts';

export const Query: QueryResolvers = {
  farm: (_, { id }, { loaders }) => (isUuid(id) ? loaders.farm.load(id) : null),
  farms: (_, args, { loaders }) => loaders.paged.load('farms', lists.farms, ALL, args),
  plot: (_, { id }, { loaders }) => (isUuid(id) ? loaders.plot.load(id) : null),
  crops: (_, __, { db }) => db.crop.findMany({ orderBy: [{ name: 'asc' }, { variety: 'asc' }] }),
  animal: (_, { id }, { loaders }) => (isUuid(id) ? loaders.animal.load(id) : null),
  availablePlots: (_, { filter, first, after }, ctx) => availablePlots(ctx, filter, first, after),
  rental: async (_, { id }, ctx) => {
    requireOwnDataViewer(ctx);
    const rental = isUuid(id) ? await ctx.loaders.rental.load(id) : null;
    return rental && (await canSeeRental(ctx, rental)) ? rental : null;
  },
  myRentals: (_, args, ctx) => {
    const viewer = requireOwnDataViewer(ctx);
    return ctx.loaders.paged.load(
      'rentalsByCustomer',
      lists.rentalsByCustomer,
      viewer.userId,
      args,
      statusFilter(args.status),
    );
  },
  myTasks: (_, args, ctx) => {
    const viewer = requireRole(ctx.viewer, 'FARMER', 'ADMIN');
    return ctx.loaders.paged.load(
      'tasksByAssignee',
      lists.tasksByAssignee,
      viewer.userId,
      args,
      statusFilter(args.status),
    );
  },
  myDeliveries: (_, args, ctx) => {
    const viewer = requireOwnDataViewer(ctx);
    return ctx.loaders.paged.load('deliveriesByCustomer', lists.deliveriesByCustomer, viewer.userId, args);
  },
  myAdoptions: (_, args, ctx) => {
    const viewer = requireOwnDataViewer(ctx);
    return ctx.loaders.paged.load('adoptionsByCustomer', lists.adoptionsByCustomer, viewer.userId, args);
  },
};
