import { isUuid } from '@vegshare/kit';
import type { DeliveryAddressResolvers } from '../__generated__/resolvers-types.ts';
import { assertCanSeePrivate } from '../domain/privacy.ts';

export const DeliveryAddress: DeliveryAddressResolvers = {
  __resolveReference: async (ref, { viewer, loaders }) => {
    const address = isUuid(ref.id) ? await loaders.address.load(ref.id) : null;
    if (address) assertCanSeePrivate(viewer, address.userId);
    return address;
  },
};
