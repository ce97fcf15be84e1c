import type { Logger } from 'pino';
import {
  backoffDelay,
  msUntilDaily,
  PermanentError,
  RequeueError,
  type EnqueueOptions,
  type JobQueue,
  type QueueItem,
  type QueueWorker,
  type QueueWorkerOptions,
  type TaskProcessor,
  workerDrain,
} from './job-queue.ts';

interface Entry {
  readonly key: string;
  readonly item: QueueItem;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly priority: number;
  readonly queuedAt: number;
  attemptsMade: number;
  availableAt: number;
  running: boolean;
}

/**
 * The embedded default: the same contract as the BullMQ queue, in one process (no Redis).
 * Retries with exponential back-off, concurrency, drain on close and a daily scheduler; nothing survives a restart,
 * so the service re-enqueues unfinished jobs from Postgres at start.
 */
export class MemoryJobQueue implements JobQueue {
  readonly #entries = new Map<string, Entry>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #pump: (() => void) | null = null;
  #closed = false;

  constructor(private readonly logger: Logger) {}

  async enqueue(jobId: string, options: EnqueueOptions): Promise<void> {
    this.#add(
      jobId,
      {
        type: 'transcode',
        jobId,
        ...(options.trace && Object.keys(options.trace).length ? { trace: options.trace } : {}),
      },
      options,
    );
  }

  #add(key: string, item: QueueItem, options: EnqueueOptions): void {
    if (this.#closed || this.#entries.has(key)) return;
    this.#entries.set(key, {
      key,
      item,
      attempts: options.attempts,
      backoffMs: options.backoffMs,
      priority: options.priority ?? 10,
      queuedAt: Date.now(),
      attemptsMade: 0,
      availableAt: Date.now(),
      running: false,
    });
    this.#pump?.();
  }

  async remove(jobId: string): Promise<void> {
    const entry = this.#entries.get(jobId);
    if (entry && !entry.running) this.#entries.delete(jobId);
  }

  async scheduleDaily(name: string, atUtc: string): Promise<void> {
    const arm = () => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#add(`tick:${name}:${Date.now()}`, { type: 'tick', name }, { attempts: 1, backoffMs: 1000 });
        arm();
      }, msUntilDaily(atUtc));
      timer.unref();
      this.#timers.add(timer);
    };
    arm();
  }

  async scheduleEvery(name: string, everyMs: number): Promise<void> {
    const timer = setInterval(
      () => this.#add(`tick:${name}:${Date.now()}`, { type: 'tick', name }, { attempts: 1, backoffMs: 1000 }),
      everyMs,
    );
    timer.unref();
    this.#timers.add(timer as unknown as NodeJS.Timeout);
  }

  #later(ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#pump?.();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  startWorker(processor: TaskProcessor, options: QueueWorkerOptions): QueueWorker {
    if (this.#pump) throw new Error('the in-process queue runs one worker');
    const { draining, shutdown, drain } = workerDrain();
    const active = new Set<Promise<void>>();

    const run = async (entry: Entry) => {
      entry.running = true;
      entry.attemptsMade += 1;
      try {
        await processor({
          item: entry.item,
          queuedAt: entry.queuedAt,
          attempt: entry.attemptsMade,
          maxAttempts: entry.attempts,
          draining,
          shutdown,
        });
        this.#entries.delete(entry.key);
      } catch (error) {
        entry.running = false;
        if (error instanceof RequeueError) {
          entry.attemptsMade -= 1;
          entry.availableAt = Date.now() + error.delayMs;
          this.#later(error.delayMs + 5);
        } else if (error instanceof PermanentError || entry.attemptsMade >= entry.attempts) {
          this.#entries.delete(entry.key);
        } else {
          const delay = backoffDelay(entry.backoffMs, entry.attemptsMade);
          entry.availableAt = Date.now() + delay;
          this.#later(delay + 5);
        }
        if (!(error instanceof RequeueError))
          this.logger.warn({ item: entry.item, attempt: entry.attemptsMade, err: error }, 'queued job attempt failed');
      }
    };

    const pump = () => {
      if (draining.aborted) return;
      const now = Date.now();
      const byPriority = [...this.#entries.values()].sort((a, b) => a.priority - b.priority || a.queuedAt - b.queuedAt);
      for (const entry of byPriority) {
        if (active.size >= options.concurrency) break;
        if (entry.running || entry.availableAt > now) continue;
        const promise = run(entry).finally(() => {
          active.delete(promise);
          pump();
        });
        active.add(promise);
      }
    };
    this.#pump = pump;
    queueMicrotask(pump);

    return {
      close: async (graceMs) => {
        await drain(graceMs, () => Promise.allSettled([...active]));
        this.#pump = null;
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
