import { forbidden, notFound } from '@vegshare/kit';
import type { HarvestResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeWork } from '../domain/work-access.ts';

export const Harvest: HarvestResolvers = {
  __resolveReference: async (ref, ctx) => {
    const harvest = await ctx.loaders.harvest.load(ref.id);
    if (harvest && !(await canSeeWork(ctx, harvest.plotId, harvest.rentalId)))
      throw forbidden('This harvest is not yours');
    return harvest;
  },
  plot: async (h, _, { loaders }) => (await loaders.plot.load(h.plotId)) ?? Promise.reject(notFound('Plot', h.plotId)),
  rental: async (h, _, { loaders }) =>
    (await loaders.rental.load(h.rentalId)) ?? Promise.reject(notFound('Rental', h.rentalId)),
  crop: async (h, _, { loaders }) => (await loaders.crop.load(h.cropId)) ?? Promise.reject(notFound('Crop', h.cropId)),
  delivery: (h, _, { loaders }) => (h.deliveryId ? loaders.delivery.load(h.deliveryId) : null),
};
