import { z } from 'zod';
import { badInput, conflict, forbidden, hasRole, requireViewer } from '@vegshare/kit';
import type { Crop, PlantingPlan, Plot, Rental, TaskKind } from '../generated/prisma/client.ts';
import type { PlantingPlanInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { plotOrFail, rentalOrFail } from './access.ts';
import { addDays, monthOf, toDbDate, toIsoDate } from './dates.ts';
import { isoDate, parseInput, text, uuid } from './validation.ts';
import { publishActivity, writeActivity } from './activity.ts';

const planInput = z.object({
  rentalId: uuid,
  notes: text(2000).nullish(),
  items: z
    .array(
      z.object({
        cropId: uuid,
        share: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1'),
        sowOn: isoDate,
      }),
    )
    .max(20, 'at most 20 crops per plan'),
});

export interface PlannedItem {
  readonly crop: Crop;
  readonly share: number;
  readonly sowOn: string;
}

/** Plants that fit on an area at a crop's spacing (square grid). */
export const plantCount = (areaM2: number, spacingCm: number): number =>
  Math.floor(areaM2 / (spacingCm / 100) ** 2 + 1e-9);
export const harvestDate = (sowOn: string, crop: Pick<Crop, 'daysToMaturity'>): string =>
  addDays(sowOn, crop.daysToMaturity);

/**
 * Checks a plan against the plot and the rental: shares add up to at most the whole plot, every crop gets room for
 * at least one plant at its spacing, is sown in one of its sowing months, within the rental, and matures before
 * the rental ends. Throws BAD_USER_INPUT naming the offending field (`items.<i>.<field>`).
 */
export function validatePlan(
  plot: Pick<Plot, 'areaM2'>,
  rental: Pick<Rental, 'startsOn' | 'endsOn'>,
  items: readonly PlannedItem[],
): void {
  const startsOn = toIsoDate(rental.startsOn);
  const endsOn = toIsoDate(rental.endsOn);
  const seen = new Set<string>();
  let total = 0;
  items.forEach((item, i) => {
    const field = (name: string) => `items.${i}.${name}`;
    if (seen.has(item.crop.id))
      throw badInput(`${field('cropId')}: ${item.crop.name} is in the plan twice`, field('cropId'));
    seen.add(item.crop.id);
    total += item.share;
    const area = item.share * plot.areaM2;
    if (plantCount(area, item.crop.spacingCm) < 1) {
      throw badInput(
        `${field('share')}: ${area.toFixed(2)} m² is too small for one ${item.crop.name} at ${item.crop.spacingCm} cm spacing`,
        field('share'),
      );
    }
    if (!item.crop.sowingMonths.includes(monthOf(item.sowOn))) {
      throw badInput(
        `${field('sowOn')}: ${item.crop.name} is sown in months ${item.crop.sowingMonths.join(', ')}`,
        field('sowOn'),
      );
    }
    if (item.sowOn < startsOn || item.sowOn >= endsOn)
      throw badInput(`${field('sowOn')}: must be within the rental (${startsOn} to ${endsOn})`, field('sowOn'));
    const harvest = harvestDate(item.sowOn, item.crop);
    if (harvest >= endsOn)
      throw badInput(
        `${field('sowOn')}: ${item.crop.name} would be ready on ${harvest}, after the rental ends on ${endsOn}`,
        field('sowOn'),
      );
  });
  if (total > 1 + 1e-9)
    throw badInput(`items: the shares add up to ${total.toFixed(2)}, more than the whole plot`, 'items');
}

export interface ScheduledTask {
  readonly kind: TaskKind;
  readonly title: string;
  readonly dueOn: string;
  readonly cropId: string | null;
}

const WATER_EVERY_DAYS = 7;
const WEED_EVERY_DAYS = 21;

/** The task schedule of a plan: sow and harvest per crop; water weekly and weed every three weeks while anything grows. */
export function scheduleTasks(items: readonly PlannedItem[]): ScheduledTask[] {
  if (items.length === 0) return [];
  const tasks: ScheduledTask[] = [];
  const label = (c: Crop) => `${c.name} (${c.variety})`;
  for (const { crop, sowOn } of items) {
    tasks.push({ kind: 'SOW', title: `Sow ${label(crop)}`, dueOn: sowOn, cropId: crop.id });
    tasks.push({ kind: 'HARVEST', title: `Harvest ${label(crop)}`, dueOn: harvestDate(sowOn, crop), cropId: crop.id });
  }
  const first = items.map((i) => i.sowOn).sort()[0] as string;
  const last = items
    .map((i) => harvestDate(i.sowOn, i.crop))
    .sort()
    .at(-1) as string;
  for (let d = addDays(first, WATER_EVERY_DAYS); d < last; d = addDays(d, WATER_EVERY_DAYS))
    tasks.push({ kind: 'WATER', title: 'Water the plot', dueOn: d, cropId: null });
  for (let d = addDays(first, 14); d < last; d = addDays(d, WEED_EVERY_DAYS))
    tasks.push({ kind: 'WEED', title: 'Weed the plot', dueOn: d, cropId: null });
  return tasks.sort((a, b) => a.dueOn.localeCompare(b.dueOn));
}

/** Saves (replaces) the renter's plan and regenerates its open generated tasks, in one transaction. */
export async function savePlantingPlan(ctx: Context, input: PlantingPlanInput): Promise<PlantingPlan> {
  const viewer = requireViewer(ctx.viewer);
  const data = parseInput(planInput, input, 'input');
  const rental = await rentalOrFail(ctx, data.rentalId);
  if (rental.customerId !== viewer.userId && !hasRole(viewer, 'ADMIN'))
    throw forbidden('Only the renter plans their plot');
  if (rental.status !== 'REQUESTED' && rental.status !== 'ACTIVE')
    throw conflict(`A ${rental.status} rental cannot be planned`);
  const plot = await plotOrFail(ctx, rental.plotId);
  const farm = await ctx.loaders.farm.load(plot.farmId);
  const crops = await ctx.loaders.crop.loadMany(data.items.map((i) => i.cropId));
  const items: PlannedItem[] = data.items.map((item, i) => {
    const crop = crops[i];
    if (!crop || crop instanceof Error) throw badInput(`items.${i}.cropId: no such crop`, `items.${i}.cropId`);
    return { crop, share: item.share, sowOn: item.sowOn };
  });
  validatePlan(plot, rental, items);
  const schedule = scheduleTasks(items);
  const { plan, activity } = await ctx.db.$transaction(async (tx) => {
    const saved = await tx.plantingPlan.upsert({
      where: { rentalId: rental.id },
      create: { rentalId: rental.id, notes: data.notes ?? '' },
      update: { notes: data.notes ?? '', version: { increment: 1 } },
    });
    await tx.planItem.deleteMany({ where: { planId: saved.id } });
    await tx.planItem.createMany({
      data: items.map((it, position) => ({
        planId: saved.id,
        cropId: it.crop.id,
        share: it.share,
        sowOn: toDbDate(it.sowOn),
        position,
      })),
    });
    await tx.task.deleteMany({ where: { rentalId: rental.id, generated: true, status: 'OPEN' } });
    await tx.task.createMany({
      data: schedule.map((t) => ({
        plotId: plot.id,
        rentalId: rental.id,
        cropId: t.cropId,
        generated: true,
        kind: t.kind,
        title: t.title,
        dueOn: toDbDate(t.dueOn),
        assigneeId: farm?.ownerId ?? null,
      })),
    });
    const act = await writeActivity(tx, {
      kind: 'PLAN_CHANGED',
      message: items.length ? `Planting plan: ${items.map((i) => i.crop.name).join(', ')}` : 'Planting plan cleared',
      plotId: plot.id,
      rentalId: rental.id,
      actorId: viewer.userId,
      subjectId: saved.id,
    });
    return { plan: saved, activity: act };
  });
  await publishActivity(ctx.bus, ctx.logger, activity);
  return plan;
}
