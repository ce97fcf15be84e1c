import { requireViewer } from '@vegshare/kit';
import type { CameraResolvers } from '../__generated__/resolvers-types.ts';
import { TIMELAPSES_PER_CAMERA } from '../loaders.ts';

export const Camera: CameraResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  // Timelapses are for signed-in viewers (rental-level access lives in streaming/farm).
  timelapses: async (camera, { first }, { viewer, loaders }) => (requireViewer(viewer), await loaders.timelapsesByCamera.load(camera.id)).slice(0, Math.min(Math.max(first ?? 14, 0), TIMELAPSES_PER_CAMERA)),
};
