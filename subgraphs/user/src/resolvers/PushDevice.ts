import type { PushDeviceResolvers } from '../__generated__/resolvers-types.ts';
import type { PushPlatform } from '../domain/push-devices.ts';

export const PushDevice: PushDeviceResolvers = {
  platform: (device) => device.platform as PushPlatform,
  tokenSuffix: (device) => device.token.replace(/\]$/, '').slice(-6),
};
