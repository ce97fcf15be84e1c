import type { Context } from '../context.ts';
import { canSeeRental, managesPlot, plotOrFail } from './access.ts';

/** Work on a plot (tasks, harvests) is visible to the plot's farm and admins, and to the renter of its rental. */
export async function canSeeWork(ctx: Context, plotId: string, rentalId: string | null): Promise<boolean> {
  if (!ctx.viewer) return false;
  if (await managesPlot(ctx, await plotOrFail(ctx, plotId))) return true;
  const rental = rentalId ? await ctx.loaders.rental.load(rentalId) : null;
  return rental !== null && (await canSeeRental(ctx, rental));
}
