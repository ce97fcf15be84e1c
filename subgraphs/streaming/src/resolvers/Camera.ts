import { notFound } from '@vegshare/kit';
import type { CameraResolvers } from '../__generated__/resolvers-types.ts';
import { canManageFarm, canWatch } from '../domain/access.ts';
import { pageSize, timelapsePageSize } from './Query.ts';

export const Camera: CameraResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.camera.load(ref.id),
  farm: (camera) => ({ id: camera.farmId }),
  plot: (camera) => (camera.plotId ? { id: camera.plotId } : null),
  public: (camera) => camera.isPublic,
  viewerCanWatch: (camera, _, { viewer, loaders }) => canWatch(viewer, camera, loaders),
  viewerCanManage: (camera, _, { viewer, loaders }) => canManageFarm(viewer, camera.farmId, loaders),
  sourceUrl: async (camera, _, { viewer, loaders }) =>
    (await canManageFarm(viewer, camera.farmId, loaders)) ? camera.sourceUrl : null,
  stream: async (camera, _, { loaders }) =>
    (await loaders.streamByCamera.load(camera.id)) ?? Promise.reject(notFound('Stream of camera', camera.id)),
  recordings: async (camera, { first }, { viewer, loaders }) =>
    (await canWatch(viewer, camera, loaders))
      ? (await loaders.recordingsByCamera.load(camera.id)).slice(0, pageSize(first))
      : [],
  timelapses: async (camera, { first }, { viewer, loaders }) =>
    (await canWatch(viewer, camera, loaders))
      ? (await loaders.timelapsesByCamera.load(camera.id)).slice(0, timelapsePageSize(first))
      : [],
};
