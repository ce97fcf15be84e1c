import { encodeStateCursor, notFound } from '@vegshare/kit';
import type { StreamResolvers } from '../__generated__/resolvers-types.ts';

export const Stream: StreamResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.stream.load(ref.id),
  cursor: (stream) => encodeStateCursor(stream.id, stream.updatedAt, stream),
  camera: async (stream, _, { loaders }) =>
    (await loaders.camera.load(stream.cameraId)) ?? Promise.reject(notFound('Camera', stream.cameraId)),
  // Presence is advisory: while Redis is unreachable a stream still resolves (and status events still flow), with 0 viewers.
  viewers: (stream, _, { runtime }) => runtime.presence.count(stream.id).catch(() => 0),
};
