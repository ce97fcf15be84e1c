import { z } from 'zod';
import {
  topics,
  type EventBus,
  type LiveHlsProgress,
  type LiveTranscodeStatus,
  type Logger,
  type ServiceEvents,
  type EventTopic,
} from '@vegshare/kit';
import type { CapacityView } from './capacity-view.ts';
import { workerCapacitySchema } from './capacity-view.ts';
import type { HlsProgressBoard } from './hls-progress.ts';
import {
  applyRecordingsExpired,
  applyTimelapseReady,
  recordingsExpiredSchema,
  timelapseReadySchema,
} from './timelapses.ts';
import type { StreamingDb } from '../db.ts';
import { applyFarmChanged, applyRentalChanged, farmChangedSchema, rentalChangedSchema } from './projections.ts';
import { SerialQueue } from './serial-queue.ts';
import { eraseViewer, userDeletedSchema } from './account-erasure.ts';
import type { StreamControl } from './stream-control.ts';

const liveTranscodeStatusSchema = z.object({
  streamId: z.string().uuid(),
  jobId: z.string().min(1).max(200),
  status: z.enum(['STARTING', 'LIVE', 'RECONNECTING', 'ENDED', 'FAILED']),
  masterPlaylistKey: z.string().min(1).max(1024).nullable(),
  renditions: z.array(z.string().min(1).max(40)).max(20),
  error: z.string().max(4000).nullable(),
  at: z.string().datetime({ offset: true }),
  cameraOnline: z.boolean().nullable().default(null),
}) satisfies z.ZodType<LiveTranscodeStatus>;

const liveHlsProgressSchema = z.object({
  streamId: z.string().uuid(),
  jobId: z.string().min(1).max(200),
  rendition: z.string().min(1).max(40),
  msn: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  part: z.number().int().min(0).max(10_000),
  partId: z
    .number()
    .int()
    .min(0)
    .max(2 ** 52),
}) satisfies z.ZodType<LiveHlsProgress>;

/** What the live path keeps in memory from events (blocking reloads, capacity). */
export interface LiveViews {
  readonly board: HlsProgressBoard;
  readonly capacity: CapacityView;
}

export interface EventHandlers {
  /** Resolves when every event received so far has been applied (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes the streaming service to the events it consumes; each one is validated, then applied in order per
 * entity. Durable ones arrive on durable consumers (`streaming.<topic>`), acknowledged once applied; every handler is
 * naturally idempotent (projections are upserts of the latest state, a status applies to its job, a timelapse is
 * stored once, erasure repeats harmlessly). HLS progress and capacity stay on the live bus.
 */
export async function subscribeToEvents(
  bus: EventBus,
  outbox: ServiceEvents,
  db: StreamingDb,
  control: StreamControl,
  views: LiveViews,
  logger: Logger,
): Promise<EventHandlers> {
  const queue = new SerialQueue();
  function parse<T>(topic: string, schema: z.ZodType<T>, payload: unknown): T | null {
    const parsed = schema.safeParse(payload);
    if (parsed.success) return parsed.data;
    logger.warn(
      { topic, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) },
      'dropped malformed event',
    );
    return null;
  }
  async function on<T>(
    topic: EventTopic,
    schema: z.ZodType<T>,
    keyOf: (event: T) => string,
    apply: (event: T) => Promise<void>,
  ): Promise<() => Promise<void>> {
    await outbox.consume(topic, topic, async (payload) => {
      const event = parse(topic, schema, payload);
      if (event !== null) await queue.run(`${topic}:${keyOf(event)}`, () => apply(event));
    });
    return async () => undefined; // stopped with the outbox
  }
  /** Many per second and only kept in memory: applied at once, outside the per-entity queue. */
  function onFast<T>(topic: EventTopic, schema: z.ZodType<T>, apply: (event: T) => void) {
    return bus.subscribe(topic, (payload) => {
      const event = parse(topic, schema, payload);
      if (event !== null) apply(event);
    });
  }
  const unsubscribe = await Promise.all([
    on(
      topics.farmChanged,
      farmChangedSchema,
      (e) => e.farmId,
      (e) => applyFarmChanged(db, e),
    ),
    on(
      topics.rentalChanged,
      rentalChangedSchema,
      (e) => e.rentalId,
      async (e) => {
        await applyRentalChanged(db, e);
        // Once the projection holds the change, open subscriptions on the plot's cameras check their viewers again.
        await bus.publish(topics.plotWatchers(e.plotId), { plotId: e.plotId });
      },
    ),
    on(
      topics.liveTranscodeStatus,
      liveTranscodeStatusSchema,
      (e) => e.streamId,
      (e) => control.applyTranscodeStatus(e),
    ),
    on(
      topics.timelapseReady,
      timelapseReadySchema,
      (e) => `${e.cameraId}:${e.day}`,
      (e) => applyTimelapseReady(db, bus, e),
    ),
    on(
      topics.recordingsExpired,
      recordingsExpiredSchema,
      () => 'all',
      (e) => applyRecordingsExpired(db, e.jobIds),
    ),
    onFast(topics.liveHlsProgress, liveHlsProgressSchema, (e) => views.board.update(e)),
    onFast(topics.transcoderCapacity, workerCapacitySchema, (e) => views.capacity.update(e)),
    on(
      topics.userDeleted,
      userDeletedSchema,
      (e) => e.userId,
      (e) => eraseViewer(db, bus, e),
    ),
  ]);
  return {
    idle: async () => {
      await outbox.idle();
      await queue.idle();
    },
    async close() {
      await Promise.all(unsubscribe.map((u) => u()));
      await queue.idle();
    },
  };
}
