import { hasRole, notFound } from '@vegshare/kit';
import type { TimelapseResolvers } from '../__generated__/resolvers-types.ts';
import { canWatch } from '../domain/access.ts';
import { signedMediaUrl } from '../domain/media-urls.ts';

export const Timelapse: TimelapseResolvers = {
  // Referenced from a plot's activity feed: only those allowed to watch the camera get it.
  __resolveReference: async (ref, { loaders, viewer }) => {
    const timelapse = await loaders.timelapse.load(ref.id);
    const camera = timelapse ? await loaders.camera.load(timelapse.cameraId) : null;
    return timelapse && camera && (await canWatch(viewer, camera, loaders)) ? timelapse : null;
  },
  camera: async (t, _, { loaders }) =>
    (await loaders.camera.load(t.cameraId)) ?? Promise.reject(notFound('Camera', t.cameraId)),
  job: (t, _, { viewer }) => (hasRole(viewer, 'FARMER', 'ADMIN') ? { id: t.jobId } : null),
  playbackUrl: (t, _, { runtime, viewer }) =>
    signedMediaUrl(runtime.signer, runtime.playbackBaseUrl, t.videoKey, viewer) ??
    Promise.reject(notFound('Timelapse media', t.id)),
};
