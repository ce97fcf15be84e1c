import { notFound } from '@vegshare/kit';
import type { RecordingResolvers } from '../__generated__/resolvers-types.ts';

export const Recording: RecordingResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.recording.load(ref.id),
  camera: async (recording, _, { loaders }) => (await loaders.camera.load(recording.cameraId)) ?? Promise.reject(notFound('Camera', recording.cameraId)),
  durationSeconds: (recording) => Math.max(0, Math.round((recording.endedAt.getTime() - recording.startedAt.getTime()) / 1000)),
};
