import { notFound } from '@vegshare/kit';
import type { RecordingResolvers } from '../__generated__/resolvers-types.ts';
import { signedMediaUrl } from '../domain/media-urls.ts';

export const Recording: RecordingResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.recording.load(ref.id),
  camera: async (recording, _, { loaders }) =>
    (await loaders.camera.load(recording.cameraId)) ?? Promise.reject(notFound('Camera', recording.cameraId)),
  durationSeconds: (recording) =>
    Math.max(0, Math.round((recording.endedAt.getTime() - recording.startedAt.getTime()) / 1000)),
  // Recordings are only listed to those allowed to watch their camera, so the URL is signed for whoever sees it.
  playbackUrl: (recording, _, { runtime, viewer }) =>
    signedMediaUrl(runtime.signer, runtime.playbackBaseUrl, recording.masterPlaylistKey, viewer) ??
    Promise.reject(notFound('Recording media', recording.id)),
};
