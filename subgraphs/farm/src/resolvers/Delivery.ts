import { forbidden, notFound } from '@vegshare/kit';
import type { DeliveryResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeRental } from '../domain/access.ts';

export const Delivery: DeliveryResolvers = {
  __resolveReference: async (ref, ctx) => {
    const delivery = await ctx.loaders.delivery.load(ref.id);
    if (!delivery) return null;
    const rental = await ctx.loaders.rental.load(delivery.rentalId);
    if (!rental || !(await canSeeRental(ctx, rental))) throw forbidden('This delivery is not yours');
    return delivery;
  },
  rental: async (d, _, { loaders }) =>
    (await loaders.rental.load(d.rentalId)) ?? Promise.reject(notFound('Rental', d.rentalId)),
  customer: (d) => ({ __typename: 'User', id: d.customerId }),
  harvests: (d, _, { loaders }) => loaders.harvestsByDelivery.load(d.id),
};
