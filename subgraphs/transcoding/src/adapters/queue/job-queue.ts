/**
 * The small job-queue interface the transcoding service needs. Two implementations behind it:
 * BullMQ on Redis (any number of worker processes, stalled-job recovery) and an in-process queue for the
 * embedded default. The queue carries only ids; Postgres holds the job itself.
 */

/** What travels through the queue: a transcode job id, or a tick of a daily schedule. */
export type QueueItem =
  /** `trace`: the W3C trace context of the request that queued the job (kit `traceCarrier`), so the run joins its trace. */
  | { readonly type: 'transcode'; readonly jobId: string; readonly trace?: Record<string, string> }
  | { readonly type: 'tick'; readonly name: string };

export interface QueueTask {
  readonly item: QueueItem;
  /** When the item was first queued (ms since the epoch). */
  readonly queuedAt: number;
  /** 1-based attempt number as the queue counts it (a recovered stalled job keeps its number). */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Fires when the worker starts draining (SIGTERM): stop taking on work; live jobs hand themselves back. */
  readonly draining: AbortSignal;
  /** Fires when the drain grace is over: stop now and hand the job back. */
  readonly shutdown: AbortSignal;
}

export type TaskProcessor = (task: QueueTask) => Promise<void>;

/**
 * A queue worker's drain, the same for every queue: `draining` fires at once (no new work; live jobs hand over),
 * `shutdown` once `graceMs` is over while the running tasks are still finishing (they stop and go back to the queue).
 */
export function workerDrain(): {
  readonly draining: AbortSignal;
  readonly shutdown: AbortSignal;
  drain(graceMs: number, running: () => Promise<unknown>): Promise<void>;
} {
  const draining = new AbortController();
  const shutdown = new AbortController();
  return {
    draining: draining.signal,
    shutdown: shutdown.signal,
    async drain(graceMs, running) {
      draining.abort();
      const timer = setTimeout(() => shutdown.abort(), graceMs);
      try {
        await running();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Thrown by a processor to put its job back in the queue without using up an attempt (shutdown, hand-over, no CPU
 * free yet); it becomes available again after `delayMs`.
 */
export class RequeueError extends Error {
  override readonly name = 'RequeueError';
  constructor(
    message: string,
    readonly delayMs = 50,
  ) {
    super(message);
  }
}
/** Thrown by a processor when retrying cannot help (bad input): the job fails now. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

export interface EnqueueOptions {
  readonly attempts: number;
  /** Lower runs first: live streams before batch work (VOD, timelapses). */
  readonly priority?: number;
  /** Delay before the first retry; doubled for each further retry (exponential back-off). */
  readonly backoffMs: number;
  /** Trace context to carry to the worker (kit `traceCarrier()`); empty when tracing is off. */
  readonly trace?: Record<string, string>;
}

export interface QueueWorkerOptions {
  readonly workerId: string;
  readonly concurrency: number;
}

export interface QueueWorker {
  /** Stops taking jobs, lets running ones finish for `graceMs`, then aborts them (they go back to the queue). */
  close(graceMs: number): Promise<void>;
}

export interface JobQueue {
  /** Adds a job; adding an id that is already waiting or running is a no-op. */
  enqueue(jobId: string, options: EnqueueOptions): Promise<void>;
  /** Drops a job that has not started (a running one is stopped through cancellation events). */
  remove(jobId: string): Promise<void>;
  /** Emits a `tick` item named `name` every day at `atUtc` (HH:MM); idempotent across replicas. */
  scheduleDaily(name: string, atUtc: string): Promise<void>;
  /** Emits a `tick` item named `name` every `everyMs`; idempotent across replicas. */
  scheduleEvery(name: string, everyMs: number): Promise<void>;
  startWorker(processor: TaskProcessor, options: QueueWorkerOptions): QueueWorker;
  /** Readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Exponential back-off: base, 2×base, 4×base … capped. */
export const backoffDelay = (baseMs: number, attempt: number, capMs = Number.POSITIVE_INFINITY): number =>
  Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));

/** Milliseconds from `now` to the next HH:MM in UTC. */
export function msUntilDaily(atUtc: string, now = new Date()): number {
  const [h, m] = atUtc.split(':').map(Number) as [number, number];
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}
