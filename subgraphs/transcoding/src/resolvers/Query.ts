import { isUuid, requireViewer } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { TIMELAPSES_PER_CAMERA } from '../loaders.ts';
import { requireAdmin, requireOperator } from './access.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';

const MAX_PAGE = 100;
const clamp = (n: number | null | undefined, fallback: number, max: number) => Math.min(Math.max(n ?? fallback, 0), max);

export const Query: QueryResolvers = {
  transcodeJob: (_, { id }, { viewer, loaders }) => {
    requireOperator(viewer);
    return isUuid(id) ? loaders.job.load(id) : null;
  },
  transcodeJobs: async (_, { first, after, status, kind }, { viewer, db }) => {
    requireOperator(viewer);
    const take = clamp(first, 20, MAX_PAGE);
    const cursor = after ? decodeCursor(after) : null;
    const rows = await db.transcodeJob.findMany({
      where: {
        ...(status ? { status } : {}),
        ...(kind ? { kind } : {}),
        ...(cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
    });
    const page = rows.slice(0, take);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > take, hasPreviousPage: cursor !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  },
  workers: (_, __, { viewer, db }) => {
    requireAdmin(viewer);
    return db.workerNode.findMany({ where: { lastHeartbeatAt: { gte: new Date(Date.now() - 3_600_000) } }, orderBy: [{ lastHeartbeatAt: 'desc' }, { id: 'asc' }] });
  },
  timelapses: async (_, { cameraId, first }, { viewer, loaders }) => {
    requireViewer(viewer);
    if (!isUuid(cameraId)) return [];
    return (await loaders.timelapsesByCamera.load(cameraId)).slice(0, clamp(first, 14, TIMELAPSES_PER_CAMERA));
  },
};
