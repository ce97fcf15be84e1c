import { forbidden, hasRole, notFound, requireRole, type Viewer } from '@vegshare/kit';
import type { Context } from '../context.ts';
import type { TranscodeJob as TranscodeJobRow } from '../generated/prisma/client.ts';

/** Transcode jobs are operations data: farmers (for their farms) and admins. */
export const requireOperator = (viewer: Viewer | null): Viewer => requireRole(viewer, 'FARMER', 'ADMIN');
export const isOperator = (viewer: Viewer | null): boolean => hasRole(viewer, 'FARMER', 'ADMIN');
/** The worker pool is infrastructure: admins only. */
export const requireAdmin = (viewer: Viewer | null): Viewer => requireRole(viewer, 'ADMIN');

/** The farms whose jobs the viewer sees: every farm for admins, a farmer's own farms (FarmChanged projection). */
export async function visibleFarms(ctx: Pick<Context, 'viewer' | 'ownedFarms'>): Promise<'all' | ReadonlySet<string>> {
  if (hasRole(ctx.viewer, 'ADMIN')) return 'all';
  if (!hasRole(ctx.viewer, 'FARMER')) return new Set();
  return ctx.ownedFarms();
}

export async function canSeeJob(
  ctx: Pick<Context, 'viewer' | 'ownedFarms'>,
  job: Pick<TranscodeJobRow, 'farmId'>,
): Promise<boolean> {
  const farms = await visibleFarms(ctx);
  return farms === 'all' || (job.farmId !== null && farms.has(job.farmId));
}

/** A job the viewer may see, or NOT_FOUND (another farm's job is not revealed to exist). */
export async function requireVisibleJob(ctx: Context, id: string): Promise<TranscodeJobRow> {
  requireOperator(ctx.viewer);
  const job = await ctx.loaders.job.load(id);
  if (!job || !(await canSeeJob(ctx, job))) throw notFound('TranscodeJob', id);
  return job;
}

/** The viewer runs this farm: an admin, or the farm's owner with the FARMER role. */
export async function requireFarmOperator(
  ctx: Pick<Context, 'viewer' | 'ownedFarms'>,
  farmId: string,
): Promise<Viewer> {
  const viewer = requireOperator(ctx.viewer);
  const farms = await visibleFarms(ctx);
  if (farms !== 'all' && !farms.has(farmId)) throw forbidden('Only the farm’s farmer or an admin may do this');
  return viewer;
}
