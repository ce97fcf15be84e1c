import type { TranscodeJobResolvers } from '../__generated__/resolvers-types.ts';
import { profileOf } from '../media/profiles.ts';
import { isOperator } from './access.ts';
import { hasRole } from '@vegshare/kit';

export const TranscodeJob: TranscodeJobResolvers = {
  // Other subgraphs may reference a job (a stream's ladder); only farmers and admins see it.
  __resolveReference: (ref, { viewer, loaders }) => (isOperator(viewer) ? loaders.job.load(ref.id) : null),
  camera: (job) => (job.cameraId ? { id: job.cameraId } : null),
  renditions: (job) => profileOf(job.profile)?.renditions.map((r) => r.name) ?? [],
  progress: (job) =>
    job.fps === null && job.speed === null && job.processedMs === null && job.bitrateKbps === null
      ? null
      : { fps: job.fps, speed: job.speed, processedMs: job.processedMs, bitrateKbps: job.bitrateKbps },
  // Worker details are infrastructure: admins only (null for farmers).
  worker: (job, _, { viewer, loaders }) => (job.workerId && hasRole(viewer, 'ADMIN') ? loaders.worker.load(job.workerId) : null),
  output: (job) => ({ prefix: job.outputPrefix, masterPlaylistKey: job.masterPlaylistKey, dashManifestKey: job.dashManifestKey, videoKey: job.outputKey, thumbnailCount: job.thumbnailCount }),
};
