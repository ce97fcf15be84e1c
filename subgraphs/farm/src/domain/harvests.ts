import { z } from 'zod';
import { badInput, conflict, requireViewer, type RawExecutor } from '@vegshare/kit';
import type { ActivityEvent, Delivery, DeliveryStatus, Harvest, Rental } from '../generated/prisma/client.ts';
import type { FarmDb } from '../db.ts';
import type { DeliveryInput, HarvestInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { managesPlot, plotOrFail, rentalOrFail, requirePlotManager, requireRentalViewer } from './access.ts';
import { toDbDate } from './dates.ts';
import { isoDate, parseInput, photoList, text, uuid } from './validation.ts';
import { publishActivity, writeActivity } from './activity.ts';
import { notFound, forbidden } from '@vegshare/kit';

const harvestInput = z.object({
  rentalId: uuid,
  cropId: uuid,
  weightKg: z.number().gt(0, 'must be positive').max(10_000, 'at most 10 000 kg'),
  harvestedOn: isoDate,
  photos: photoList.nullish(),
});

/** The farm records produce taken from a rented plot; the renter is told. */
export async function recordHarvest(ctx: Context, input: HarvestInput): Promise<Harvest> {
  const viewer = requireViewer(ctx.viewer);
  const data = parseInput(harvestInput, input, 'input');
  const rental = await rentalOrFail(ctx, data.rentalId);
  await requirePlotManager(ctx, rental.plotId);
  if (rental.status !== 'ACTIVE' && rental.status !== 'ENDED')
    throw conflict(`No harvest on a ${rental.status} rental`);
  const crop = await ctx.loaders.crop.load(data.cropId);
  if (!crop) throw badInput('input.cropId: no such crop', 'input.cropId');
  const { harvest, activity } = await ctx.db.$transaction(async (tx) => {
    const row = await tx.harvest.create({
      data: {
        plotId: rental.plotId,
        rentalId: rental.id,
        cropId: crop.id,
        weightKg: data.weightKg,
        harvestedOn: toDbDate(data.harvestedOn),
        photos: data.photos ?? [],
        recordedById: viewer.userId,
      },
    });
    const act = await writeActivity(tx, {
      kind: 'HARVEST_RECORDED',
      message: `Harvested ${data.weightKg} kg of ${crop.name}`,
      plotId: rental.plotId,
      rentalId: rental.id,
      actorId: viewer.userId,
      subjectId: row.id,
      photos: row.photos,
    });
    await ctx.events.notify(
      {
        eventId: `farm:harvest:${row.id}`,
        userId: rental.customerId,
        kind: 'harvest',
        title: `${data.weightKg} kg of ${crop.name} harvested`,
        body: `The farm harvested ${data.weightKg} kg of ${crop.name} (${crop.variety}) from your plot.`,
        link: `/rentals/${rental.id}`,
      },
      tx,
    );
    return { harvest: row, activity: act };
  });
  await publishActivity(ctx.bus, ctx.logger, activity);
  return harvest;
}

const deliveryInput = z.object({
  rentalId: uuid,
  addressText: text(500, 5),
  harvestIds: z.array(uuid).min(1, 'at least one harvest').max(50, 'at most 50 harvests'),
});

/** The renter (or the farm) asks for harvests to be delivered to an address, kept as a text snapshot. */
export async function requestDelivery(ctx: Context, input: DeliveryInput): Promise<Delivery> {
  const data = parseInput(deliveryInput, input, 'input');
  const rental = await requireRentalViewer(ctx, await rentalOrFail(ctx, data.rentalId));
  if (rental.status !== 'ACTIVE' && rental.status !== 'ENDED')
    throw conflict(`No delivery on a ${rental.status} rental`);
  const ids = [...new Set(data.harvestIds)];
  const { delivery, activity } = await ctx.db.$transaction(async (tx) => {
    const created = await tx.delivery.create({
      data: { rentalId: rental.id, customerId: rental.customerId, addressText: data.addressText },
    });
    const { count } = await tx.harvest.updateMany({
      where: { id: { in: ids }, rentalId: rental.id, deliveryId: null },
      data: { deliveryId: created.id },
    });
    if (count !== ids.length)
      throw badInput(
        'input.harvestIds: every harvest must belong to this rental and not be in another delivery',
        'input.harvestIds',
      );
    return { delivery: created, activity: await changeFeed(ctx, tx, rental, created, 'Delivery requested') };
  });
  await publishActivity(ctx.bus, ctx.logger, activity);
  return delivery;
}

const next: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  REQUESTED: ['SCHEDULED', 'FAILED'],
  SCHEDULED: ['OUT_FOR_DELIVERY', 'FAILED'],
  OUT_FOR_DELIVERY: ['DELIVERED', 'FAILED'],
  DELIVERED: [],
  FAILED: ['SCHEDULED'],
};
const statusInput = z.object({
  status: z.enum(['REQUESTED', 'SCHEDULED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'FAILED']),
  scheduledFor: z.date().nullish(),
  note: text(1000).nullish(),
});

const statusText: Record<DeliveryStatus, string> = {
  REQUESTED: 'requested',
  SCHEDULED: 'scheduled',
  OUT_FOR_DELIVERY: 'out for delivery',
  DELIVERED: 'delivered',
  FAILED: 'failed',
};

/** The farm moves a delivery along; every change is a feed entry and a notification (id per delivery version). */
export async function updateDeliveryStatus(
  ctx: Context,
  id: string,
  status: DeliveryStatus,
  scheduledFor: unknown,
  note: string | null | undefined,
): Promise<Delivery> {
  requireViewer(ctx.viewer);
  const when = scheduledFor === null || scheduledFor === undefined ? null : new Date(scheduledFor as string | Date);
  const data = parseInput(statusInput, { status, scheduledFor: when, note });
  const delivery = await ctx.loaders.delivery.load(id);
  if (!delivery) throw notFound('Delivery', id);
  const rental = await rentalOrFail(ctx, delivery.rentalId);
  if (!(await managesPlot(ctx, await plotOrFail(ctx, rental.plotId))))
    throw forbidden('Only the farm’s farmer or an admin may do this');
  if (!next[delivery.status].includes(data.status))
    throw conflict(`A delivery cannot go from ${delivery.status} to ${data.status}`);
  const { updated, activity } = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.delivery.updateMany({
      where: { id, status: delivery.status, version: delivery.version },
      data: {
        status: data.status,
        version: { increment: 1 },
        ...(data.scheduledFor ? { scheduledFor: data.scheduledFor } : {}),
        ...(data.note !== undefined && data.note !== null ? { note: data.note } : {}),
      },
    });
    if (count === 0) throw conflict('The delivery changed meanwhile; reload and try again');
    const row = await tx.delivery.findUniqueOrThrow({ where: { id } });
    return { updated: row, activity: await changeFeed(ctx, tx, rental, row, `Delivery ${statusText[row.status]}`) };
  });
  ctx.loaders.delivery.clear(id).prime(id, updated);
  await publishActivity(ctx.bus, ctx.logger, activity);
  return updated;
}

/**
 * A delivery's feed entry and its customer's notification, in the change's transaction; returns the entry to publish
 * live. Given only the events and the viewer of the context: nothing in it reads through the pool (see bookings.ts).
 */
async function changeFeed(
  ctx: Pick<Context, 'events' | 'viewer'>,
  tx: Pick<FarmDb, 'activityEvent'> & RawExecutor,
  rental: Rental,
  delivery: Delivery,
  message: string,
): Promise<ActivityEvent> {
  const activity = await writeActivity(tx, {
    kind: 'DELIVERY_CHANGED',
    message,
    plotId: rental.plotId,
    rentalId: rental.id,
    actorId: ctx.viewer?.userId ?? null,
    subjectId: delivery.id,
  });
  await ctx.events.notify(
    {
      eventId: `farm:delivery:${delivery.id}:v${delivery.version}`,
      userId: delivery.customerId,
      kind: 'delivery',
      title: message,
      body: delivery.note || `Your delivery to ${delivery.addressText} is ${statusText[delivery.status]}.`,
      link: `/deliveries/${delivery.id}`,
    },
    tx,
  );
  return activity;
}
