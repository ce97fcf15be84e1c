import type { TimelapseResolvers } from '../__generated__/resolvers-types.ts';

export const Timelapse: TimelapseResolvers = {
  camera: (t) => ({ id: t.cameraId }),
  job: (t, _, { loaders }) => loaders.job.load(t.jobId),
};
