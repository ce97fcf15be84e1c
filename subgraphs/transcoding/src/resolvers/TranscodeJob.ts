import { encodeStateCursor, hasRole, mediaScopeOf, mediaUrl } from '@vegshare/kit';
import type { TranscodeJobResolvers } from '../__generated__/resolvers-types.ts';
import { profileOf } from '../domain/media/profiles.ts';
import { canSeeJob, isOperator } from './access.ts';

export const TranscodeJob: TranscodeJobResolvers = {
  // Other subgraphs may reference a job (a timelapse's); only its farm's farmer and admins see it.
  __resolveReference: async (ref, ctx) => {
    if (!isOperator(ctx.viewer)) return null;
    const job = await ctx.loaders.job.load(ref.id);
    return job && (await canSeeJob(ctx, job)) ? job : null;
  },
  cursor: (job) => encodeStateCursor(job.id, job.updatedAt, job),
  camera: (job) => (job.cameraId ? { id: job.cameraId } : null),
  farm: (job) => (job.farmId ? { id: job.farmId } : null),
  renditions: (job) =>
    job.renditions.length ? job.renditions : (profileOf(job.profile)?.renditions.map((r) => r.name) ?? []),
  progress: (job) =>
    job.fps === null && job.speed === null && job.processedMs === null && job.bitrateKbps === null
      ? null
      : { fps: job.fps, speed: job.speed, processedMs: job.processedMs, bitrateKbps: job.bitrateKbps },
  // Worker details are infrastructure: admins only (null for farmers).
  worker: (job, _, { viewer, loaders }) =>
    job.workerId && hasRole(viewer, 'ADMIN') ? loaders.worker.load(job.workerId) : null,
  output: (job) => ({
    prefix: job.outputPrefix,
    masterPlaylistKey: job.masterPlaylistKey,
    dashManifestKey: job.dashManifestKey,
    videoKey: job.outputKey,
    thumbnailCount: job.thumbnailCount,
  }),
  // Whoever sees the job (its farm's farmer, admins) may watch its VOD output.
  playbackUrl: (job, _, { signer, config, viewer }) => {
    if (job.kind !== 'VOD' || job.status !== 'SUCCEEDED' || !job.masterPlaylistKey || !signer || !viewer) return null;
    const scope = mediaScopeOf(job.masterPlaylistKey);
    return scope
      ? mediaUrl(config.PLAYBACK_BASE_URL, job.masterPlaylistKey, signer.sign(scope, viewer.userId).query)
      : null;
  },
};
