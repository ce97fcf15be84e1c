import type { FarmResolvers } from '../__generated__/resolvers-types.ts';

export const Farm: FarmResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.farm.load(ref.id),
  location: (farm) => ({ latitude: farm.latitude, longitude: farm.longitude }),
  owner: (farm) => ({ __typename: 'User', id: farm.ownerId }),
  plots: (farm, _, { loaders }) => loaders.plotsByFarm.load(farm.id),
};
