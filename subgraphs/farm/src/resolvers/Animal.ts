import { notFound } from '@vegshare/kit';
import type { AnimalResolvers } from '../__generated__/resolvers-types.ts';
import { requireAnimalInsider } from '../domain/access.ts';
import { lists } from '../domain/lists.ts';

export const Animal: AnimalResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.animal.load(ref.id),
  farm: async (animal, _, { loaders }) =>
    (await loaders.farm.load(animal.farmId)) ?? Promise.reject(notFound('Farm', animal.farmId)),
  activity: async (animal, args, ctx) => {
    await requireAnimalInsider(ctx, animal);
    return ctx.loaders.paged.load('activityByAnimal', lists.activityByAnimal, animal.id, args);
  },
};
