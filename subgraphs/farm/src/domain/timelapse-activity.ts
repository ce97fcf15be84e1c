import { z } from 'zod';
import {
  topics,
  isUniqueViolation,
  type EventBus,
  type Logger,
  type PlotTimelapseReady,
  type ServiceEvents,
} from '@vegshare/kit';
import type { FarmDb } from '../db.ts';
import { publishActivity, writeActivity } from './activity.ts';

const schema = z.object({
  timelapseId: z.string().uuid(),
  cameraId: z.string().uuid(),
  cameraName: z.string().max(200),
  plotId: z.string().uuid(),
  farmId: z.string().uuid(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
}) satisfies z.ZodType<PlotTimelapseReady>;

/**
 * A plot's camera made its daily timelapse: the plot's activity feed says so (once per timelapse, by a unique index),
 * live subscribers see it. Whether someone may play it is decided by the streaming subgraph when the entry's
 * `timelapse` is resolved.
 */
async function applyPlotTimelapseReady(
  db: FarmDb,
  bus: EventBus,
  logger: Logger,
  event: PlotTimelapseReady,
): Promise<void> {
  const plot = await db.plot.findUnique({ where: { id: event.plotId }, select: { id: true, farmId: true } });
  if (!plot || plot.farmId !== event.farmId) return;
  try {
    const row = await writeActivity(db, {
      kind: 'TIMELAPSE_READY',
      plotId: plot.id,
      subjectId: event.timelapseId,
      message: `Timelapse of ${event.day} from “${event.cameraName}”`,
    });
    await publishActivity(bus, logger, row);
  } catch (error) {
    if (isUniqueViolation(error)) return; // already in the feed
    throw error;
  }
}

/**
 * Consumes the streaming subgraph's timelapse announcements (durable consumer `farm.timelapse-activity`); naturally
 * idempotent: the feed holds one entry per timelapse (unique index).
 */
export async function subscribeToTimelapses(
  db: FarmDb,
  bus: EventBus,
  outbox: ServiceEvents,
  logger: Logger,
): Promise<void> {
  await outbox.consume('timelapse-activity', topics.plotTimelapseReady, async (payload) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return logger.warn('dropped malformed PlotTimelapseReady');
    await applyPlotTimelapseReady(db, bus, logger, parsed.data);
  });
}
