import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { withCarrier, type EventBus, type ObjectStore, type ServiceMetrics } from '@vegshare/kit';
import type { TranscodingDb } from '../db.ts';
import type { WorkerConfig } from '../env.ts';
import type { TranscodeJobKind } from '../generated/prisma/client.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binary.ts';
import { throttle, type FfmpegProgress } from '../media/progress.ts';
import { PermanentError, RequeueError, type JobQueue, type QueueTask, type QueueWorker } from '../queue/job-queue.ts';
import { controlTopic, publishLiveStatus, type ControlMessage } from '../jobs/job-events.ts';
import { createDailyTimelapses } from '../jobs/job-commands.ts';
import { redactCredentials, type JobRun, type Runner, type StopReason } from '../jobs/job-run.ts';
import { JobStore, isActive } from '../jobs/job-store.ts';
import { runLive } from '../jobs/run-live.ts';
import { runThumbnails, runVod } from '../jobs/run-vod.ts';
import { runTimelapse } from '../jobs/run-timelapse.ts';

export const TIMELAPSE_TICK = 'timelapse-daily';

const runners: Record<TranscodeJobKind, Runner> = { LIVE: runLive, VOD: runVod, TIMELAPSE: runTimelapse, THUMBNAIL: runThumbnails };

export interface WorkerPoolDeps {
  readonly config: WorkerConfig;
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly store: ObjectStore;
  readonly queue: JobQueue;
  readonly binaries: FfmpegBinaries;
  readonly logger: Logger;
  /** When given: transcode_jobs_total{kind,outcome} and transcode_jobs_running{kind}. */
  readonly metrics?: ServiceMetrics;
}

export interface WorkerPool {
  readonly workerId: string;
  /** Jobs running here now. */
  running(): string[];
  /** Graceful drain: no new jobs; running VOD jobs get `graceMs`, live ones hand over at once; then deregisters. */
  close(graceMs?: number): Promise<void>;
}

const errorMessage = (error: unknown): string => redactCredentials(error instanceof Error ? error.message : String(error)).slice(0, 1000);

/** One worker process's share of the ffmpeg pool: takes jobs from the queue, runs them, heartbeats, obeys cancellation. */
export async function startWorkerPool(deps: WorkerPoolDeps): Promise<WorkerPool> {
  const { config, db, bus, logger } = deps;
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const store = new JobStore(db, bus);
  const controllers = new Map<string, AbortController>();
  const log = logger.child({ workerId });
  const m = deps.metrics;
  // One registration per registry, however many pools share it.
  const finished = m && ((m.registry.getSingleMetric('transcode_jobs_total') as Counter<string> | undefined) ?? m.counter('transcode_jobs_total', 'Transcode job attempts by kind and outcome', ['kind', 'outcome']));
  const runningGauge = m && ((m.registry.getSingleMetric('transcode_jobs_running') as Gauge<string> | undefined) ?? m.gauge('transcode_jobs_running', 'Transcode jobs running in this process by kind', ['kind']));

  const unsubscribe = await bus.subscribe<ControlMessage>(controlTopic, (message) => {
    controllers.get(message.jobId)?.abort({ kind: message.type } satisfies StopReason);
  });

  const beat = async () => {
    const data = { host: hostname(), pid: process.pid, capacity: config.WORKER_CONCURRENCY, runningJobIds: [...controllers.keys()], ffmpegVersion: deps.binaries.version, lastHeartbeatAt: new Date() };
    await db.workerNode.upsert({ where: { id: workerId }, create: { id: workerId, ...data }, update: data });
  };
  await beat();
  const heartbeat = setInterval(() => void beat().catch((err: unknown) => log.warn({ err }, 'heartbeat failed')), config.HEARTBEAT_MS);
  heartbeat.unref();

  const runJob = async (task: QueueTask, jobId: string): Promise<void> => {
    const before = await db.transcodeJob.findUnique({ where: { id: jobId } });
    if (!before || !isActive(before.status)) return;
    if (before.kind === 'LIVE' && before.stopRequestedAt) {
      const ended = await store.update(jobId, { status: 'SUCCEEDED', liveKey: null, finishedAt: new Date() });
      if (ended) await publishLiveStatus(bus, ended, 'ENDED', []);
      return;
    }
    const job = await store.update(jobId, { status: 'RUNNING', attempts: { increment: 1 }, workerId, startedAt: new Date(), error: null });
    if (!job) return;
    const controller = new AbortController();
    controllers.set(jobId, controller);
    runningGauge?.inc({ kind: job.kind });
    let outcome = 'failed';
    void beat().catch(() => undefined);
    const stop = (reason: StopReason) => controller.abort(reason);
    const onShutdown = () => stop({ kind: 'shutdown' });
    task.shutdown.addEventListener('abort', onShutdown);
    // Live jobs never finish on their own: on drain they hand over at once (another worker resumes the stream).
    if (job.kind === 'LIVE') task.draining.addEventListener('abort', onShutdown);
    // Backstop for a lost control event: look at the row every few seconds.
    const watch = setInterval(() => {
      void db.transcodeJob
        .findUnique({ where: { id: jobId }, select: { status: true, stopRequestedAt: true } })
        .then((row) => {
          if (!row || row.status === 'CANCELLED') stop({ kind: 'cancel' });
          else if (row.stopRequestedAt) stop({ kind: 'stop' });
        })
        .catch(() => undefined);
    }, 2_000);
    const progress = throttle<FfmpegProgress>(config.PROGRESS_INTERVAL_MS, (p) => {
      void store.progress(jobId, { fps: p.fps, speed: p.speed, processedMs: p.processedMs, bitrateKbps: p.bitrateKbps }).catch((err: unknown) => log.warn({ err }, 'progress update failed'));
    });
    const workDir = join(config.WORK_DIR, `${jobId}-${randomBytes(3).toString('hex')}`);
    const run: JobRun = {
      job,
      config,
      binaries: deps.binaries,
      store: deps.store,
      db,
      logger: log.child({ jobId, kind: job.kind }),
      workDir,
      signal: controller.signal,
      progress: (p) => progress.push(p),
      update: async (data) => void (await store.update(jobId, data)),
      live: async (status, names, rawError = null) => {
        const error = rawError === null ? null : redactCredentials(rawError).slice(0, 1000);
        const row = await store.update(jobId, status === 'RECONNECTING' ? { status: 'RECONNECTING', error } : status === 'LIVE' ? { status: 'RUNNING', error: null } : {});
        if (row) await publishLiveStatus(bus, row, status, names, error);
      },
    };
    const reason = () => (controller.signal.aborted ? (controller.signal.reason as StopReason) : null);
    const endLive = async () => {
      const ended = await store.update(jobId, { status: 'SUCCEEDED', liveKey: null, finishedAt: new Date() });
      if (ended) await publishLiveStatus(bus, ended, 'ENDED', []);
    };
    try {
      await mkdir(workDir, { recursive: true });
      await runners[job.kind](run);
      progress.flush();
      const why = reason();
      if (!why) await store.update(jobId, { status: 'SUCCEEDED', finishedAt: new Date(), liveKey: null });
      else if (why.kind === 'stop') await endLive();
      else if (why.kind === 'shutdown') {
        await store.update(jobId, { status: 'QUEUED' });
        throw new RequeueError('worker shutting down');
      }
      outcome = why?.kind ?? 'succeeded';
      log.info({ jobId, kind: job.kind, outcome }, 'job finished');
    } catch (error) {
      progress.cancel();
      if (error instanceof RequeueError) throw error;
      const why = reason();
      outcome = why?.kind ?? 'failed';
      if (why?.kind === 'cancel') return;
      if (why?.kind === 'stop') return endLive();
      if (why?.kind === 'shutdown') {
        await store.update(jobId, { status: 'QUEUED' });
        throw new RequeueError('worker shutting down');
      }
      const final = error instanceof PermanentError || task.attempt >= task.maxAttempts;
      const message = errorMessage(error);
      log.warn({ jobId, attempt: task.attempt, final, err: message }, 'job attempt failed');
      const row = await store.update(jobId, final ? { status: 'FAILED', error: message, finishedAt: new Date(), liveKey: null } : { status: 'QUEUED', error: message });
      if (row && final && row.kind === 'LIVE') await publishLiveStatus(bus, row, 'FAILED', [], message);
      throw error;
    } finally {
      runningGauge?.dec({ kind: job.kind });
      finished?.inc({ kind: job.kind, outcome });
      clearInterval(watch);
      task.shutdown.removeEventListener('abort', onShutdown);
      task.draining.removeEventListener('abort', onShutdown);
      controllers.delete(jobId);
      void beat().catch(() => undefined);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  };

  const queueWorker: QueueWorker = deps.queue.startWorker(
    async (task) => {
      if (task.item.type === 'tick') {
        if (task.item.name === TIMELAPSE_TICK) await createDailyTimelapses({ db, bus, queue: deps.queue, config, logger });
        return;
      }
      const { jobId, trace } = task.item;
      await withCarrier(`transcode ${jobId}`, trace, () => runJob(task, jobId));
    },
    { workerId, concurrency: config.WORKER_CONCURRENCY },
  );
  log.info({ concurrency: config.WORKER_CONCURRENCY, ffmpeg: deps.binaries.version }, 'transcode worker started');

  return {
    workerId,
    running: () => [...controllers.keys()],
    async close(graceMs = config.DRAIN_TIMEOUT_MS) {
      await queueWorker.close(graceMs);
      clearInterval(heartbeat);
      await unsubscribe();
      await db.workerNode.deleteMany({ where: { id: workerId } }).catch(() => undefined);
      log.info('transcode worker stopped');
    },
  };
}
