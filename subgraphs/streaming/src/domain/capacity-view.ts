import { z } from 'zod';
import type { TranscoderCapacity } from '@vegshare/kit';

type WorkerCapacity = TranscoderCapacity;

/** A transcoding worker's last word on its CPU headroom (TranscoderCapacity events). */
export const workerCapacitySchema = z.object({
  workerId: z.string().min(1).max(200),
  liveHeadroom: z.number().min(0).max(10_000),
  liveJobCost: z.number().min(0).max(10_000),
  at: z.string().datetime({ offset: true }),
}) satisfies z.ZodType<TranscoderCapacity>;

/**
 * What streaming knows of the transcoders' capacity, from their heartbeats. A start is refused at once
 * (CAPACITY_EXHAUSTED) only when workers reported recently and none has room; with no reports (transcoding just
 * started, or its events are not arriving) the start goes ahead and the transcoder decides.
 */
export class CapacityView {
  readonly #workers = new Map<string, WorkerCapacity & { receivedAt: number }>();

  constructor(private readonly freshMs = 15_000) {}

  update(report: WorkerCapacity): void {
    this.#workers.set(report.workerId, { ...report, receivedAt: Date.now() });
  }

  /** Fresh reports; stale ones are dropped. */
  #fresh(now: number): (WorkerCapacity & { receivedAt: number })[] {
    for (const [id, w] of this.#workers) if (now - w.receivedAt > this.freshMs) this.#workers.delete(id);
    return [...this.#workers.values()];
  }

  /** True when every worker that reported recently lacks room for another live stream. */
  exhausted(now = Date.now()): boolean {
    const fresh = this.#fresh(now);
    return fresh.length > 0 && fresh.every((w) => w.liveHeadroom < w.liveJobCost);
  }

  /** Counts a start against the first worker with room, until its next report (so a burst of starts is counted). */
  reserve(now = Date.now()): void {
    const worker = this.#fresh(now).find((w) => w.liveHeadroom >= w.liveJobCost);
    if (worker)
      this.#workers.set(worker.workerId, { ...worker, liveHeadroom: worker.liveHeadroom - worker.liveJobCost });
  }
}
