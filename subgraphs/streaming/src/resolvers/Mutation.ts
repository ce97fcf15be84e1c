import { isUuid, notFound, requireViewer } from '@vegshare/kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { parseRegisterCamera, parseUpdateCamera } from '../domain/camera-input.ts';
import { managedStream, registerCamera, removeCamera, updateCamera } from '../domain/cameras.ts';
import { watchableStream } from '../domain/playback.ts';

const cameraId = (id: string): string => {
  if (!isUuid(id)) throw notFound('Camera', id);
  return id.toLowerCase();
};

export const Mutation: MutationResolvers = {
  registerCamera: (_, { input }, { db, loaders, runtime, viewer }) =>
    registerCamera(db, loaders, runtime.bus, viewer, parseRegisterCamera(input)),
  updateCamera: (_, { id, input }, { db, loaders, runtime, viewer }) =>
    updateCamera(db, loaders, runtime.control, runtime.bus, viewer, cameraId(id), parseUpdateCamera(input)),
  removeCamera: (_, { id }, { db, loaders, runtime, viewer }) =>
    removeCamera(db, loaders, runtime.control, runtime.bus, viewer, cameraId(id)),
  startStream: async (_, args, { db, loaders, runtime, viewer }) =>
    runtime.control.start(await managedStream(db, loaders, viewer, cameraId(args.cameraId)), { onDemand: false }),
  stopStream: async (_, args, { db, loaders, runtime, viewer }) =>
    runtime.control.stop(await managedStream(db, loaders, viewer, cameraId(args.cameraId)), 'stopped by farmer'),
  heartbeat: async (_, { streamId }, { loaders, runtime, viewer }) => {
    const v = requireViewer(viewer);
    const { stream } = await watchableStream(loaders, v, streamId);
    return runtime.control.noteViewer(stream.id, v.userId);
  },
};
