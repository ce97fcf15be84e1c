import type { CropResolvers } from '../__generated__/resolvers-types.ts';

export const Crop: CropResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.crop.load(ref.id),
};
