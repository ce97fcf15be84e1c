import { isUuid } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeJob, requireAdmin, requireOperator, visibleFarms } from './access.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';

const MAX_PAGE = 100;
const clamp = (n: number | null | undefined, fallback: number, max: number) =>
  Math.min(Math.max(n ?? fallback, 0), max);

export const Query: QueryResolvers = {
  transcodeJob: async (_, { id }, ctx) => {
    requireOperator(ctx.viewer);
    const job = isUuid(id) ? await ctx.loaders.job.load(id.toLowerCase()) : null;
    return job && (await canSeeJob(ctx, job)) ? job : null;
  },
  transcodeJobs: async (_, { first, after, status, kind }, ctx) => {
    requireOperator(ctx.viewer);
    const farms = await visibleFarms(ctx);
    const take = clamp(first, 20, MAX_PAGE);
    const cursor = after ? decodeCursor(after) : null;
    const rows = await ctx.db.transcodeJob.findMany({
      where: {
        ...(farms === 'all' ? {} : { farmId: { in: [...farms] } }),
        ...(status ? { status } : {}),
        ...(kind ? { kind } : {}),
        ...(cursor
          ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
    });
    const page = rows.slice(0, take);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > take,
        hasPreviousPage: cursor !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  },
  workers: (_, __, { viewer, db }) => {
    requireAdmin(viewer);
    return db.workerNode.findMany({
      where: { lastHeartbeatAt: { gte: new Date(Date.now() - 3_600_000) } },
      orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'asc' }],
    });
  },
};
