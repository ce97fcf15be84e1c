import { forbidden, notFound } from '@vegshare/kit';
import type { DeliveryResolvers, HarvestResolvers, TaskResolvers } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { canSeeRental, managesPlot, plotOrFail } from '../domain/access.ts';

/** Work on a plot is visible to the plot's farm and admins, and to the renter of the rental it belongs to. */
async function canSeeWork(ctx: Context, plotId: string, rentalId: string | null): Promise<boolean> {
  if (!ctx.viewer) return false;
  if (await managesPlot(ctx, await plotOrFail(ctx, plotId))) return true;
  const rental = rentalId ? await ctx.loaders.rental.load(rentalId) : null;
  return rental !== null && (await canSeeRental(ctx, rental));
}

const plotOf = async (row: { plotId: string }, _: unknown, ctx: Context) => (await ctx.loaders.plot.load(row.plotId)) ?? Promise.reject(notFound('Plot', row.plotId));
const rentalOf = async (row: { rentalId: string }, _: unknown, ctx: Context) => (await ctx.loaders.rental.load(row.rentalId)) ?? Promise.reject(notFound('Rental', row.rentalId));
const cropOf = async (row: { cropId: string }, _: unknown, ctx: Context) => (await ctx.loaders.crop.load(row.cropId)) ?? Promise.reject(notFound('Crop', row.cropId));

export const Task: TaskResolvers = {
  __resolveReference: async (ref, ctx) => {
    const task = await ctx.loaders.task.load(ref.id);
    if (task && !(await canSeeWork(ctx, task.plotId, task.rentalId))) throw forbidden('This task is not on your plot');
    return task;
  },
  plot: plotOf,
  rental: (task, _, { loaders }) => (task.rentalId ? loaders.rental.load(task.rentalId) : null),
  crop: (task, _, { loaders }) => (task.cropId ? loaders.crop.load(task.cropId) : null),
  assignee: (task) => (task.assigneeId ? { __typename: 'User', id: task.assigneeId } : null),
};

export const Harvest: HarvestResolvers = {
  __resolveReference: async (ref, ctx) => {
    const harvest = await ctx.loaders.harvest.load(ref.id);
    if (harvest && !(await canSeeWork(ctx, harvest.plotId, harvest.rentalId))) throw forbidden('This harvest is not yours');
    return harvest;
  },
  plot: plotOf,
  rental: rentalOf,
  crop: cropOf,
  delivery: (harvest, _, { loaders }) => (harvest.deliveryId ? loaders.delivery.load(harvest.deliveryId) : null),
};

export const Delivery: DeliveryResolvers = {
  __resolveReference: async (ref, ctx) => {
    const delivery = await ctx.loaders.delivery.load(ref.id);
    if (!delivery) return null;
    const rental = await ctx.loaders.rental.load(delivery.rentalId);
    if (!rental || !(await canSeeRental(ctx, rental))) throw forbidden('This delivery is not yours');
    return delivery;
  },
  rental: rentalOf,
  customer: (delivery) => ({ __typename: 'User', id: delivery.customerId }),
  harvests: (delivery, _, { loaders }) => loaders.harvestsByDelivery.load(delivery.id),
};
