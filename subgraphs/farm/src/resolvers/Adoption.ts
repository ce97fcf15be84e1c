import { forbidden, notFound } from '@vegshare/kit';
import type { AdoptionResolvers } from '../__generated__/resolvers-types.ts';
import { managesFarm } from '../domain/access.ts';

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
  animal: async (adoption, _, { loaders }) =>
    (await loaders.animal.load(adoption.animalId)) ?? Promise.reject(notFound('Animal', adoption.animalId)),
  customer: (adoption) => ({ __typename: 'User', id: adoption.customerId }),
};
