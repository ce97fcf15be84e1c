import { notFound } from '@vegshare/kit';
import type { PlanItemResolvers } from '../__generated__/resolvers-types.ts';
import { harvestDate, plantCount } from '../domain/plans.ts';
import { toIsoDate } from '../domain/dates.ts';
import type { Context } from '../context.ts';
import type { PlanItem as PlanItemRow } from '../generated/prisma/client.ts';

async function cropOf(item: PlanItemRow, ctx: Context) {
  return (await ctx.loaders.crop.load(item.cropId)) ?? Promise.reject(notFound('Crop', item.cropId));
}

async function areaOf(item: PlanItemRow, ctx: Context): Promise<number> {
  const plan = await ctx.loaders.plan.load(item.planId);
  const rental = plan ? await ctx.loaders.rental.load(plan.rentalId) : null;
  const plot = rental ? await ctx.loaders.plot.load(rental.plotId) : null;
  return plot ? item.share * plot.areaM2 : 0;
}

export const PlanItem: PlanItemResolvers = {
  crop: (item, _, ctx) => cropOf(item, ctx),
  areaM2: (item, _, ctx) => areaOf(item, ctx),
  plantCount: async (item, _, ctx) => plantCount(await areaOf(item, ctx), (await cropOf(item, ctx)).spacingCm),
  harvestOn: async (item, _, ctx) => harvestDate(toIsoDate(item.sowOn), await cropOf(item, ctx)),
  expectedYieldKg: async (item, _, ctx) =>
    Math.round((await areaOf(item, ctx)) * (await cropOf(item, ctx)).expectedYieldKgPerM2 * 100) / 100,
};
