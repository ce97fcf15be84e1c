import { forbidden, hasRole, notFound, requireViewer, type Viewer } from '@vegshare/kit';
import type { Farm, Plot, Rental, Animal } from '../generated/prisma/client.ts';
import type { FarmRow, PlotRow } from './row-statements.ts';
import type { Context } from '../context.ts';

/**
 * Authorization rules of the farm subgraph, in one place:
 * - admins may do and see everything;
 * - a farmer manages only the farms they own (and everything on them);
 * - a customer sees only their own rentals, plans, tasks of their plot, deliveries and adoptions;
 * - partners (and anonymous callers) read the public catalogue only: farms, plots, crops, animals, availability.
 */
const isAdmin = (viewer: Viewer | null): boolean => hasRole(viewer, 'ADMIN');

export const managesFarm = (viewer: Viewer | null, farm: Pick<Farm, 'ownerId'>): boolean =>
  isAdmin(viewer) || (viewer !== null && hasRole(viewer, 'FARMER') && farm.ownerId === viewer.userId);

/** The farm (a plot's or an animal's: the foreign key makes it exist). */
export async function farmOf(ctx: Context, farmId: string): Promise<FarmRow> {
  const farm = await ctx.loaders.farm.load(farmId);
  if (!farm) throw notFound('Farm', farmId);
  return farm;
}

export async function plotOrFail(ctx: Context, plotId: string): Promise<PlotRow> {
  const plot = await ctx.loaders.plot.load(plotId);
  if (!plot) throw notFound('Plot', plotId);
  return plot;
}

export async function managesPlot(ctx: Context, plot: Pick<Plot, 'farmId'>): Promise<boolean> {
  return managesFarm(ctx.viewer, await farmOf(ctx, plot.farmId));
}

/** Throws unless the viewer manages the farm (its farmer or an admin). */
export async function requireFarmManager(ctx: Context, farmId: string): Promise<FarmRow> {
  const viewer = requireViewer(ctx.viewer);
  const farm = await farmOf(ctx, farmId);
  if (!managesFarm(viewer, farm)) throw forbidden('Only the farm’s farmer or an admin may do this');
  return farm;
}

export async function requirePlotManager(ctx: Context, plotId: string): Promise<PlotRow> {
  const plot = await plotOrFail(ctx, plotId);
  await requireFarmManager(ctx, plot.farmId);
  return plot;
}

/** The renter of a REQUESTED or ACTIVE rental of the plot. */
async function isCurrentRenter(ctx: Context, plotId: string): Promise<boolean> {
  if (!ctx.viewer) return false;
  const userId = ctx.viewer.userId;
  return (await ctx.loaders.liveRentals.of(plotId)).some((r) => r.customerId === userId);
}

/** Feeds and tasks of a plot: its farmer, admins, its current renter. */
export async function requirePlotInsider(ctx: Context, plot: Pick<Plot, 'id' | 'farmId'>): Promise<void> {
  requireViewer(ctx.viewer);
  if (await managesPlot(ctx, plot)) return;
  if (await isCurrentRenter(ctx, plot.id)) return;
  throw forbidden('Only the plot’s renter, its farmer or an admin may see this');
}

export async function canSeeRental(ctx: Context, rental: Pick<Rental, 'customerId' | 'plotId'>): Promise<boolean> {
  if (!ctx.viewer) return false;
  if (rental.customerId === ctx.viewer.userId && !hasRole(ctx.viewer, 'PARTNER')) return true;
  return managesPlot(ctx, await plotOrFail(ctx, rental.plotId));
}

export async function requireRentalViewer(ctx: Context, rental: Rental): Promise<Rental> {
  requireViewer(ctx.viewer);
  if (!(await canSeeRental(ctx, rental))) throw forbidden('This rental is not yours');
  return rental;
}

export async function rentalOrFail(ctx: Context, rentalId: string): Promise<Rental> {
  const rental = await ctx.loaders.rental.load(rentalId);
  if (!rental) throw notFound('Rental', rentalId);
  return rental;
}

/** Animal feeds: its farmer, admins and customers with an active adoption. */
export async function requireAnimalInsider(ctx: Context, animal: Pick<Animal, 'id' | 'farmId'>): Promise<void> {
  const viewer = requireViewer(ctx.viewer);
  if (managesFarm(viewer, await farmOf(ctx, animal.farmId))) return;
  if ((await ctx.loaders.activeAdoptionsByAnimal.load(animal.id)).some((a) => a.customerId === viewer.userId)) return;
  throw forbidden('Only the animal’s adopters, its farmer or an admin may see this');
}

/** Lists of one's own things (rentals, deliveries, adoptions): any signed-in person except partner keys. */
export function requireOwnDataViewer(ctx: Context): Viewer {
  const viewer = requireViewer(ctx.viewer);
  if (!hasRole(viewer, 'CUSTOMER', 'FARMER', 'ADMIN')) throw forbidden('Partners read the public catalogue only');
  return viewer;
}
