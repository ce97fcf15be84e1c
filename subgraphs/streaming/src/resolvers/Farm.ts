import type { FarmResolvers } from '../__generated__/resolvers-types.ts';

export const Farm: FarmResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  cameras: (farm, _, { loaders }) => loaders.camerasByFarm.load(farm.id),
};
