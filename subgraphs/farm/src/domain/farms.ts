import { z } from 'zod';
import { badInput, conflict, forbidden, hasRole, isUniqueViolation, requireRole } from '@vegshare/kit';
import type { Farm, Plot } from '../generated/prisma/client.ts';
import type { FarmInput, FarmUpdateInput, PlotInput, PlotUpdateInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { requireFarmManager, requirePlotManager } from './access.ts';
import {
  cents,
  currency,
  definedOnly,
  latitude,
  longitude,
  month,
  parseInput,
  photoList,
  text,
  uuid,
} from './validation.ts';

const farmFields = {
  name: text(120, 1),
  description: text(4000),
  locality: text(200),
  latitude,
  longitude,
  photos: photoList,
  seasonStartMonth: month,
  seasonEndMonth: month,
};
const farmCreate = z.object({ ...farmFields, ownerId: uuid.nullish() });
const farmUpdate = z.object(farmFields).partial();

const plotFields = {
  code: text(20, 1),
  areaM2: z.number().gt(0, 'must be positive').max(100_000),
  soil: text(60, 1),
  sunExposure: z.enum(['FULL_SUN', 'PARTIAL_SHADE', 'SHADE']),
  status: z.enum(['AVAILABLE', 'RENTED', 'FALLOW']),
  pricePerSeasonCents: cents,
  currency,
  photos: photoList,
};
const plotCreate = z.object(plotFields);
const plotUpdate = z.object(plotFields).partial();

export async function createFarm(ctx: Context, input: FarmInput): Promise<Farm> {
  const viewer = requireRole(ctx.viewer, 'FARMER', 'ADMIN');
  const data = parseInput(farmCreate, input, 'input');
  if (data.ownerId && data.ownerId !== viewer.userId && !hasRole(viewer, 'ADMIN'))
    throw forbidden('Only admins create farms for someone else');
  const { ownerId, ...fields } = data;
  return ctx.db.$transaction(async (tx) => {
    const farm = await tx.farm.create({ data: { ...fields, ownerId: ownerId ?? viewer.userId } });
    await ctx.events.farmChanged(farm, tx);
    return farm;
  });
}

export async function updateFarm(ctx: Context, id: string, input: FarmUpdateInput): Promise<Farm> {
  await requireFarmManager(ctx, id);
  const data = definedOnly(parseInput(farmUpdate, definedOnly(input), 'input'));
  const farm = await ctx.db.$transaction(async (tx) => {
    const row = await tx.farm.update({ where: { id }, data });
    await ctx.events.farmChanged(row, tx);
    return row;
  });
  ctx.loaders.farm.clear(id).prime(id, farm);
  return farm;
}

export async function createPlot(ctx: Context, farmId: string, input: PlotInput): Promise<Plot> {
  await requireFarmManager(ctx, farmId);
  const data = parseInput(plotCreate, input, 'input');
  try {
    return await ctx.db.plot.create({ data: { ...data, farmId } });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A plot with code ${data.code} already exists on this farm`);
    throw error;
  }
}

export async function updatePlot(ctx: Context, id: string, input: PlotUpdateInput): Promise<Plot> {
  await requirePlotManager(ctx, id);
  const data = definedOnly(parseInput(plotUpdate, definedOnly(input), 'input'));
  if (Object.keys(data).length === 0) throw badInput('input: nothing to change', 'input');
  try {
    const plot = await ctx.db.plot.update({ where: { id }, data });
    ctx.loaders.plot.clear(id).prime(id, plot);
    return plot;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('Another plot of this farm already has that code');
    throw error;
  }
}
