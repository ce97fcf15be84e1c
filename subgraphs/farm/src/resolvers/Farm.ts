import { forbidden, requireViewer } from '@vegshare/kit';
import type { FarmResolvers } from '../__generated__/resolvers-types.ts';
import { managesFarm } from '../domain/access.ts';
import { lists } from '../domain/lists.ts';
import { statusFilter } from './filters.ts';

export const Farm: FarmResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.farm.load(ref.id),
  location: (farm) => ({ latitude: farm.latitude, longitude: farm.longitude }),
  owner: (farm) => ({ __typename: 'User', id: farm.ownerId }),
  plots: (farm, _, { loaders }) => loaders.plotsByFarm.load(farm.id),
  openingSeason: (farm) => ({ startMonth: farm.seasonStartMonth, endMonth: farm.seasonEndMonth }),
  animals: (farm, args, { loaders }) => loaders.paged.load('animalsByFarm', lists.animalsByFarm, farm.id, args),
  rentals: (farm, args, ctx) => {
    if (!managesFarm(requireViewer(ctx.viewer), farm))
      throw forbidden('Only the farm’s farmer or an admin may see its rentals');
    return ctx.loaders.paged.load('rentalsByFarm', lists.rentalsByFarm, farm.id, args, statusFilter(args.status));
  },
};
