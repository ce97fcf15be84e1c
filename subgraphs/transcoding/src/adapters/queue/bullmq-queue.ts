import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
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

export interface BullJobQueueOptions {
  readonly redisUrl: string;
  readonly name: string;
  readonly prefix: string;
  /** A dead worker's lock expires after this; then the stalled check hands its job to another worker. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

/** BullMQ on ioredis: durable, shared by every service replica and worker process. */
export class BullJobQueue implements JobQueue {
  readonly #queue: Queue<QueueItem>;
  readonly #connection: Redis;
  readonly #workerConnections: Redis[] = [];

  constructor(
    private readonly options: BullJobQueueOptions,
    private readonly logger: Logger,
  ) {
    this.#connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.#connection.on('error', (err: Error) => logger.warn({ err }, 'queue redis connection error'));
    this.#queue = new Queue<QueueItem>(options.name, { connection: this.#connection, prefix: options.prefix });
    this.#queue.on('error', (err: Error) => logger.warn({ err }, 'queue error'));
  }

  async enqueue(jobId: string, options: EnqueueOptions): Promise<void> {
    await this.#queue.add(
      'transcode',
      {
        type: 'transcode',
        jobId,
        ...(options.trace && Object.keys(options.trace).length ? { trace: options.trace } : {}),
      },
      {
        jobId,
        attempts: options.attempts,
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
        backoff: { type: 'exponential', delay: options.backoffMs },
        // Postgres keeps the history; finished queue entries go so that the id can be queued again (a restart).
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async remove(jobId: string): Promise<void> {
    const job = await this.#queue.getJob(jobId);
    if (!job) return;
    try {
      await job.remove();
    } catch {
      // Locked by a worker: it is running and will stop on the cancellation event.
    }
  }

  async scheduleDaily(name: string, atUtc: string): Promise<void> {
    const [h, m] = atUtc.split(':').map(Number) as [number, number];
    await this.#queue.upsertJobScheduler(
      name,
      { pattern: `0 ${m} ${h} * * *`, tz: 'UTC' },
      { name: 'tick', data: { type: 'tick', name }, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }

  async scheduleEvery(name: string, everyMs: number): Promise<void> {
    await this.#queue.upsertJobScheduler(
      name,
      { every: everyMs },
      { name: 'tick', data: { type: 'tick', name }, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }

  startWorker(processor: TaskProcessor, options: QueueWorkerOptions): QueueWorker {
    const { draining, shutdown, drain } = workerDrain();
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (err: Error) => this.logger.warn({ err }, 'worker redis connection error'));
    this.#workerConnections.push(connection);
    const worker = new Worker<QueueItem>(
      this.options.name,
      async (job: Job<QueueItem>, token?: string) => {
        try {
          await processor({
            item: job.data,
            queuedAt: job.timestamp,
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
            draining,
            shutdown,
          });
        } catch (error) {
          if (error instanceof RequeueError) {
            // Back to the queue at once without using an attempt.
            await job.moveToDelayed(Date.now() + error.delayMs, token);
            throw new DelayedError();
          }
          if (error instanceof PermanentError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection,
        prefix: this.options.prefix,
        name: options.workerId,
        concurrency: options.concurrency,
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: this.options.maxStalledCount,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    worker.on('error', (err: Error) => this.logger.warn({ err }, 'queue worker error'));
    worker.on('stalled', (jobId: string) => this.logger.warn({ jobId }, 'recovered a stalled job (its worker died)'));
    return {
      close: (graceMs) => drain(graceMs, () => worker.close()),
    };
  }

  async ping(): Promise<void> {
    await this.#connection.ping();
  }

  async close(): Promise<void> {
    await this.#queue.close();
    await Promise.allSettled([this.#connection.quit(), ...this.#workerConnections.map((c) => c.quit())]);
  }
}
