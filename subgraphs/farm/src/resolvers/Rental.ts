import { forbidden, notFound } from '@vegshare/kit';
import type { RentalResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeRental } from '../domain/access.ts';
import { lists } from '../domain/lists.ts';
import { statusFilter } from './filters.ts';

/** A Rental reaches a caller only through authorized paths; entity references are checked here. */
export const Rental: RentalResolvers = {
  __resolveReference: async (ref, ctx) => {
    const rental = await ctx.loaders.rental.load(ref.id);
    if (rental && !(await canSeeRental(ctx, rental))) throw forbidden('This rental is not yours');
    return rental;
  },
  plot: async (rental, _, { loaders }) =>
    (await loaders.plot.load(rental.plotId)) ?? Promise.reject(notFound('Plot', rental.plotId)),
  customer: (rental) => ({ __typename: 'User', id: rental.customerId }),
  plan: (rental, _, { loaders }) => loaders.planByRental.load(rental.id),
  tasks: (rental, args, { loaders }) =>
    loaders.paged.load('tasksByRental', lists.tasksByRental, rental.id, args, statusFilter(args.status)),
  harvests: (rental, args, { loaders }) =>
    loaders.paged.load('harvestsByRental', lists.harvestsByRental, rental.id, args),
  deliveries: (rental, args, { loaders }) =>
    loaders.paged.load('deliveriesByRental', lists.deliveriesByRental, rental.id, args),
};
