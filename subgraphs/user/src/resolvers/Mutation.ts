import { requireViewer } from '@vegshare/kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { createAddress, deleteAddress, setDefaultAddress, updateAddress } from '../domain/addresses.ts';
import { markRead } from '../domain/notifications.ts';
import { updatePreference } from '../domain/preferences.ts';
import { updateProfile } from '../domain/profiles.ts';
import { parsePushToken, registerDevice, unregisterDevice } from '../domain/push-devices.ts';
import {
  addressInputSchema,
  addressPatchSchema,
  notificationKindSchema,
  parseInput,
  updateProfileSchema,
} from '../domain/validation.ts';

export const Mutation: MutationResolvers = {
  updateProfile: (_, { input }, { viewer, db, sql }) =>
    updateProfile(db, sql, requireViewer(viewer).userId, parseInput(updateProfileSchema, input, 'input')),

  requestAvatarUpload: (_, { contentType, sizeBytes }, { viewer, avatars }) =>
    avatars.requestUpload(requireViewer(viewer).userId, contentType, sizeBytes),
  confirmAvatarUpload: (_, { key }, { viewer, avatars }) => avatars.confirmUpload(requireViewer(viewer).userId, key),
  removeAvatar: (_, __, { viewer, avatars }) => avatars.remove(requireViewer(viewer).userId),

  createDeliveryAddress: (_, { input }, { viewer, db }) =>
    createAddress(db, requireViewer(viewer).userId, parseInput(addressInputSchema, input, 'input')),
  updateDeliveryAddress: (_, { id, patch }, { viewer, db }) =>
    updateAddress(db, requireViewer(viewer), id, parseInput(addressPatchSchema, patch, 'patch')),
  deleteDeliveryAddress: (_, { id }, { viewer, db }) => deleteAddress(db, requireViewer(viewer), id),
  setDefaultDeliveryAddress: (_, { id }, { viewer, db }) => setDefaultAddress(db, requireViewer(viewer), id),

  updateNotificationPreference: (_, { input }, { viewer, db }) => {
    const userId = requireViewer(viewer).userId;
    const kind = parseInput(notificationKindSchema, input.kind, 'input.kind');
    return updatePreference(db, userId, kind, {
      ...(input.email != null ? { email: input.email } : {}),
      ...(input.push != null ? { push: input.push } : {}),
      ...(input.inApp != null ? { inApp: input.inApp } : {}),
    });
  },
  markNotificationsRead: (_, { input }, { viewer, db }) => markRead(db, requireViewer(viewer).userId, input),

  registerPushDevice: (_, { input }, { viewer, db }) =>
    registerDevice(db, requireViewer(viewer), parsePushToken(input.token), input.platform),
  unregisterPushDevice: (_, { token }, { viewer, db }) => unregisterDevice(db, requireViewer(viewer), token),
};
