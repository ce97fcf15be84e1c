import { isUuid, notFound } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { requireWatcher } from '../domain/access.ts';
import { MAX_RECORDINGS, MAX_TIMELAPSES } from '../loaders.ts';
import { issuePlaybackUrl } from '../domain/playback.ts';
import type { Context } from '../context.ts';
import type { Camera } from '../generated/prisma/client.ts';

export const pageSize = (first: number | null | undefined): number =>
  Math.min(Math.max(first ?? 20, 0), MAX_RECORDINGS);
export const timelapsePageSize = (first: number | null | undefined): number =>
  Math.min(Math.max(first ?? 14, 0), MAX_TIMELAPSES);

/** The camera, if the caller may watch it: NOT_FOUND, UNAUTHENTICATED or FORBIDDEN otherwise. */
async function watchableCamera({ loaders, viewer }: Context, cameraId: string): Promise<Camera> {
  const camera = isUuid(cameraId) ? await loaders.camera.load(cameraId.toLowerCase()) : null;
  if (!camera) throw notFound('Camera', cameraId);
  await requireWatcher(viewer, camera, loaders);
  return camera;
}

export const Query: QueryResolvers = {
  camera: (_, { id }, { loaders }) => (isUuid(id) ? loaders.camera.load(id.toLowerCase()) : null),
  stream: (_, { id }, { loaders }) => (isUuid(id) ? loaders.stream.load(id.toLowerCase()) : null),
  recordings: async (_, { cameraId, first }, ctx) => {
    const camera = await watchableCamera(ctx, cameraId);
    return (await ctx.loaders.recordingsByCamera.load(camera.id)).slice(0, pageSize(first));
  },
  timelapses: async (_, { cameraId, first }, ctx) => {
    const camera = await watchableCamera(ctx, cameraId);
    return (await ctx.loaders.timelapsesByCamera.load(camera.id)).slice(0, timelapsePageSize(first));
  },
  playbackUrl: (_, { streamId }, { runtime, loaders, viewer }) => issuePlaybackUrl(runtime, loaders, viewer, streamId),
};
