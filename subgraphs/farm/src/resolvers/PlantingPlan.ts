import { notFound } from '@vegshare/kit';
import type { PlantingPlanResolvers } from '../__generated__/resolvers-types.ts';

export const PlantingPlan: PlantingPlanResolvers = {
  rental: async (plan, _, { loaders }) =>
    (await loaders.rental.load(plan.rentalId)) ?? Promise.reject(notFound('Rental', plan.rentalId)),
  items: (plan, _, { loaders }) => loaders.planItemsByPlan.load(plan.id),
};
