import { isUuid } from '@vegshare/kit';
import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { preferenceList } from '../domain/preferences.ts';
import { defaultProfile } from '../domain/profiles.ts';
import { assertCanSeePrivate } from '../domain/privacy.ts';

export const User: UserResolvers = {
  // Other subgraphs reference accounts that exist in auth; a profile not created yet shows defaults rather than null.
  __resolveReference: async (ref, { loaders }) =>
    isUuid(ref.id) ? ((await loaders.profile.load(ref.id)) ?? defaultProfile(ref.id)) : null,
  avatarUrl: (user, _, { avatars }) => (user.avatarKey ? avatars.url(user.avatarKey) : null),
  phone: (user, _, { viewer }) => {
    assertCanSeePrivate(viewer, user.id);
    return user.phone;
  },
  addresses: (user, _, { viewer, loaders }) => {
    assertCanSeePrivate(viewer, user.id);
    return loaders.addressesByUser.load(user.id);
  },
  defaultAddress: async (user, _, { viewer, loaders }) => {
    assertCanSeePrivate(viewer, user.id);
    return (await loaders.addressesByUser.load(user.id)).find((a) => a.isDefault) ?? null;
  },
  pushDevices: (user, _, { viewer, loaders }) => {
    assertCanSeePrivate(viewer, user.id);
    return loaders.pushDevicesByUser.load(user.id);
  },
  notificationPreferences: async (user, _, { viewer, loaders }) => {
    assertCanSeePrivate(viewer, user.id);
    return preferenceList(await loaders.preferencesByUser.load(user.id));
  },
};
