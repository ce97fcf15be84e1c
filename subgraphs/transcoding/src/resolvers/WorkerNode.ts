import type { WorkerNodeResolvers } from '../__generated__/resolvers-types.ts';
import type { TranscodeJob as TranscodeJobRow } from '../generated/prisma/client.ts';

const isRow = (j: TranscodeJobRow | Error | null): j is TranscodeJobRow => j !== null && !(j instanceof Error);

export const WorkerNode: WorkerNodeResolvers = {
  runningJobs: async (worker, _, { loaders }) => (await loaders.job.loadMany(worker.runningJobIds)).filter(isRow),
  online: (worker, _, { config }) => Date.now() - worker.lastHeartbeatAt.getTime() < 3 * config.HEARTBEAT_MS,
};
