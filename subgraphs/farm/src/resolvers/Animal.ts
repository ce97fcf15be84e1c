import { forbidden, notFound } from '@vegshare/kit';
import type { ActivityEventResolvers, AdoptionResolvers, AnimalResolvers } from '../__generated__/resolvers-types.ts';
import { managesFarm, requireAnimalInsider } from '../domain/access.ts';
import { lists } from '../domain/lists.ts';

export const Animal: AnimalResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.animal.load(ref.id),
  farm: async (animal, _, { loaders }) => (await loaders.farm.load(animal.farmId)) ?? Promise.reject(notFound('Farm', animal.farmId)),
  activity: async (animal, args, ctx) => {
    await requireAnimalInsider(ctx, animal);
    return ctx.loaders.paged.load('activityByAnimal', lists.activityByAnimal, animal.id, args);
  },
};

export const Adoption: AdoptionResolvers = {
  __resolveReference: async (ref, ctx) => {
    const adoption = await ctx.loaders.adoption.load(ref.id);
    if (!adoption) return null;
    if (ctx.viewer?.userId === adoption.customerId) return adoption;
    const animal = await ctx.loaders.animal.load(adoption.animalId);
    const farm = animal ? await ctx.loaders.farm.load(animal.farmId) : null;
    if (!farm || !managesFarm(ctx.viewer, farm)) throw forbidden('This adoption is not yours');
    return adoption;
  },
  animal: async (adoption, _, { loaders }) => (await loaders.animal.load(adoption.animalId)) ?? Promise.reject(notFound('Animal', adoption.animalId)),
  customer: (adoption) => ({ __typename: 'User', id: adoption.customerId }),
};

export const ActivityEvent: ActivityEventResolvers = {
  plot: (event, _, { loaders }) => (event.plotId ? loaders.plot.load(event.plotId) : null),
  animal: (event, _, { loaders }) => (event.animalId ? loaders.animal.load(event.animalId) : null),
  actor: (event) => (event.actorId ? { __typename: 'User', id: event.actorId } : null),
};
