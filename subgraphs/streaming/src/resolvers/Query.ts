import { isUuid, notFound } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { requireWatcher } from '../access.ts';
import { MAX_RECORDINGS } from '../loaders.ts';
import { issuePlaybackUrl } from '../playback.ts';

export const pageSize = (first: number | null | undefined): number => Math.min(Math.max(first ?? 20, 0), MAX_RECORDINGS);

export const Query: QueryResolvers = {
  camera: (_, { id }, { loaders }) => (isUuid(id) ? loaders.camera.load(id.toLowerCase()) : null),
  stream: (_, { id }, { loaders }) => (isUuid(id) ? loaders.stream.load(id.toLowerCase()) : null),
  recordings: async (_, { cameraId, first }, { loaders, viewer }) => {
    const camera = isUuid(cameraId) ? await loaders.camera.load(cameraId.toLowerCase()) : null;
    if (!camera) throw notFound('Camera', cameraId);
    await requireWatcher(viewer, camera, loaders);
    return (await loaders.recordingsByCamera.load(camera.id)).slice(0, pageSize(first));
  },
  playbackUrl: (_, { streamId }, { runtime, loaders, viewer }) => issuePlaybackUrl(runtime, loaders, viewer, streamId),
};
