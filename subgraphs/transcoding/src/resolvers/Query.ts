import { connectionOf, createdAtKey, createdBefore, decodeCursor, isUuid, pageSize } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeJob, requireAdmin, requireOperator, visibleFarms } from './access.ts';

export const Query: QueryResolvers = {
  transcodeJob: async (_, { id }, ctx) => {
    requireOperator(ctx.viewer);
    const job = isUuid(id) ? await ctx.loaders.job.load(id.toLowerCase()) : null;
    return job && (await canSeeJob(ctx, job)) ? job : null;
  },
  transcodeJobs: async (_, { first, after, status, kind }, ctx) => {
    requireOperator(ctx.viewer);
    const farms = await visibleFarms(ctx);
    const take = pageSize(first);
    const cursor = decodeCursor(after);
    const rows = await ctx.db.transcodeJob.findMany({
      where: {
        ...(farms === 'all' ? {} : { farmId: { in: [...farms] } }),
        ...(status ? { status } : {}),
        ...(kind ? { kind } : {}),
        ...createdBefore(cursor),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
    });
    return connectionOf(rows, take, createdAtKey, cursor !== null);
  },
  workers: (_, __, { viewer, db }) => {
    requireAdmin(viewer);
    return db.workerNode.findMany({
      where: { lastHeartbeatAt: { gte: new Date(Date.now() - 3_600_000) } },
      orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'asc' }],
    });
  },
};
