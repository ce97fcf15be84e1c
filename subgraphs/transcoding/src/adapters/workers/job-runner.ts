import { mkdir, rm } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { topics, type EventBus, type LiveHlsProgress, type ObjectStore } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { TranscodingDb } from '../../db.ts';
import type { WorkerConfig } from '../../env.ts';
import type { TranscodeJob as TranscodeJobRow, TranscodeJobKind } from '../../generated/prisma/client.ts';
import type { FfmpegBinaries } from '../../domain/media/ffmpeg-binary.ts';
import { throttle, type FfmpegProgress } from '../../domain/media/progress.ts';
import { runFfmpeg } from '../../domain/media/run-ffmpeg.ts';
import { PermanentError, RequeueError, type QueueTask } from '../queue/job-queue.ts';
import { publishLiveStatus } from '../../domain/jobs/job-events.ts';
import {
  redactCredentials,
  type JobRun,
  type LiveReport,
  type Runner,
  type StopReason,
} from '../../domain/jobs/job-run.ts';
import { JobStore, isActive } from '../../domain/jobs/job-store.ts';
import { runLive } from '../../domain/jobs/run-live.ts';
import { runThumbnails, runVod } from '../../domain/jobs/run-vod.ts';
import { runTimelapse } from '../../domain/jobs/run-timelapse.ts';
import { isBatch, type CpuGovernor } from './cpu-governor.ts';

const runners: Record<TranscodeJobKind, Runner> = {
  LIVE: runLive,
  VOD: runVod,
  TIMELAPSE: runTimelapse,
  THUMBNAIL: runThumbnails,
};

const errorMessage = (error: unknown): string =>
  redactCredentials(error instanceof Error ? error.message : String(error)).slice(0, 1000);

/** The stable code a live job fails with when no worker has CPU for it (streaming passes it on to players). */
const CAPACITY_EXHAUSTED = 'CAPACITY_EXHAUSTED';

export interface JobRunnerDeps {
  readonly workerId: string;
  readonly config: WorkerConfig;
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly store: ObjectStore;
  readonly binaries: FfmpegBinaries;
  readonly logger: Logger;
  readonly governor: CpuGovernor;
  /** Jobs running here, by id: cancellation and stop events abort them. */
  readonly controllers: Map<string, AbortController>;
  /** Told when the set of running jobs changes (heartbeat, metrics). */
  readonly changed: (kind: TranscodeJobKind, delta: 1 | -1, outcome?: string) => void;
}

/** When a live job was first refused for lack of CPU, by job id (cleared once admitted). */
const refusedSince = new Map<string, number>();

/** A live job ends: SUCCEEDED, its stream told ENDED. */
async function endLive(store: JobStore, jobId: string): Promise<void> {
  await store.update(
    jobId,
    { status: 'SUCCEEDED', liveKey: null, finishedAt: new Date(), liveStatus: null },
    undefined,
    (ended, bus) => publishLiveStatus(bus, ended, { status: 'ENDED', renditions: ended.renditions }),
  );
}

/** A job failed for good: FAILED, and a live job's stream told so with the reason. */
async function failJob(store: JobStore, jobId: string, message: string): Promise<void> {
  await store.update(
    jobId,
    { status: 'FAILED', error: message, finishedAt: new Date(), liveKey: null, liveStatus: null },
    undefined,
    async (row, bus) => {
      if (row.kind === 'LIVE')
        await publishLiveStatus(
          bus,
          { ...row, masterPlaylistKey: null },
          { status: 'FAILED', renditions: [], error: message, cameraOnline: row.cameraOnline },
        );
    },
  );
}

/**
 * Admission by measured CPU cost: live jobs wait briefly for room, then fail clearly; batch jobs just wait (both wait by
 * going back to the queue: RequeueError). True when admitted; false when a live job was failed for lack of capacity.
 */
async function admit(deps: JobRunnerDeps, store: JobStore, job: TranscodeJobRow): Promise<boolean> {
  const { governor, config } = deps;
  if (governor.tryAdmit(job.id, job.kind, `${job.kind}:${job.profile}`)) {
    refusedSince.delete(job.id);
    return true;
  }
  if (isBatch(job.kind)) throw new RequeueError('no CPU free for batch work', 2_000);
  const since = refusedSince.get(job.id) ?? Date.now();
  refusedSince.set(job.id, since);
  if (Date.now() - since < config.LIVE_ADMISSION_WAIT_MS)
    throw new RequeueError('no CPU free for another live stream yet', 500);
  refusedSince.delete(job.id);
  await failJob(
    store,
    job.id,
    `${CAPACITY_EXHAUSTED}: no transcoder has CPU for another live stream (${governor.liveLoad.toFixed(2)} of ${governor.budget.toFixed(2)} cores in use here)`,
  );
  deps.logger.warn({ jobId: job.id }, 'live job refused: capacity exhausted');
  return false;
}

/** Marks an admitted job RUNNING on this worker; null when it stopped being active meanwhile. Releases its CPU if not. */
async function claim(deps: JobRunnerDeps, store: JobStore, jobId: string): Promise<TranscodeJobRow | null> {
  let job: TranscodeJobRow | null;
  try {
    job = await store.update(jobId, {
      status: 'RUNNING',
      attempts: { increment: 1 },
      workerId: deps.workerId,
      startedAt: new Date(),
      error: null,
    });
  } catch (error) {
    deps.governor.release(jobId);
    throw error;
  }
  if (!job) deps.governor.release(jobId);
  return job;
}

/**
 * Aborts `controller` with the reason a running job must stop: the queue's shutdown (and, for live jobs, which never
 * finish on their own, the start of a drain: another worker resumes the stream), and a look at the row every few
 * seconds as a backstop for a lost control event. Returns the function that stops listening.
 */
function watchStopReasons(
  deps: JobRunnerDeps,
  task: QueueTask,
  job: TranscodeJobRow,
  controller: AbortController,
): () => void {
  const stop = (reason: StopReason) => controller.abort(reason);
  const onShutdown = () => stop({ kind: 'shutdown' });
  task.shutdown.addEventListener('abort', onShutdown);
  if (job.kind === 'LIVE') task.draining.addEventListener('abort', onShutdown);
  const watch = setInterval(() => {
    void deps.db.transcodeJob
      .findUnique({ where: { id: job.id }, select: { status: true, stopRequestedAt: true } })
      .then((row) => {
        if (!row || row.status === 'CANCELLED') stop({ kind: 'cancel' });
        else if (row.stopRequestedAt) stop({ kind: 'stop' });
      })
      .catch(() => undefined);
  }, 2_000);
  return () => {
    clearInterval(watch);
    task.shutdown.removeEventListener('abort', onShutdown);
    task.draining.removeEventListener('abort', onShutdown);
  };
}

/** ffmpeg for one job: its binaries, kill grace and progress, its processes' CPU accounted, batch ones niced. */
function ffmpegFor(
  deps: JobRunnerDeps,
  job: TranscodeJobRow,
  signal: AbortSignal,
  onProgress: (p: FfmpegProgress) => void,
  log: Logger,
): JobRun['ffmpeg'] {
  const { config, governor } = deps;
  return (options) =>
    runFfmpeg({
      ...options,
      signal: options.signal ?? signal,
      binaries: deps.binaries,
      killGraceMs: options.killGraceMs ?? config.CANCEL_GRACE_MS,
      onProgress,
      onSpawn: (pid) => {
        governor.attach(job.id, pid);
        if (!isBatch(job.kind)) return;
        try {
          setPriority(pid, config.BATCH_NICENESS);
        } catch (err) {
          log.warn({ err }, 'could not lower the priority of a batch ffmpeg');
        }
      },
    });
}

/** Live jobs: the stream's state as the runner reports it, on the row (status, renditions) and to streaming. */
const liveReporter =
  (store: JobStore, jobId: string): JobRun['live'] =>
  async (report: LiveReport) => {
    const error = report.error ? redactCredentials(report.error).slice(0, 1000) : null;
    await store.update(
      jobId,
      {
        liveStatus: report.status === 'ENDED' || report.status === 'FAILED' ? null : report.status,
        renditions: [...report.renditions],
        ...(report.cameraOnline !== undefined ? { cameraOnline: report.cameraOnline } : {}),
        ...(report.status === 'RECONNECTING'
          ? { status: 'RECONNECTING', error }
          : report.status === 'LIVE'
            ? { status: 'RUNNING', error: null }
            : {}),
      },
      undefined,
      (row, bus) => publishLiveStatus(bus, row, { ...report, error }),
    );
  };

/** Live jobs: a rendition's playlist moved on, told to streaming (LL-HLS blocking reloads wait on it). */
const hlsProgressReporter =
  (bus: EventBus, job: TranscodeJobRow, log: Logger): JobRun['hlsProgress'] =>
  (p) => {
    if (!job.streamId) return;
    const event: LiveHlsProgress = {
      streamId: job.streamId,
      jobId: job.id,
      rendition: p.rendition,
      msn: p.msn,
      part: p.part,
      partId: p.partId,
    };
    bus.publish(topics.liveHlsProgress, event).catch((err: unknown) => log.debug({ err }, 'hls progress event failed'));
  };

/** Everything a kind's runner gets for one attempt of `job`. */
function jobRunFor(
  deps: JobRunnerDeps,
  store: JobStore,
  job: TranscodeJobRow,
  run: { workDir: string; signal: AbortSignal; progress: (p: FfmpegProgress) => void; log: Logger },
): JobRun {
  return {
    job,
    config: deps.config,
    binaries: deps.binaries,
    store: deps.store,
    db: deps.db,
    bus: deps.bus,
    logger: run.log,
    workDir: run.workDir,
    signal: run.signal,
    progress: run.progress,
    ffmpeg: ffmpegFor(deps, job, run.signal, run.progress, run.log),
    update: async (data, announce) =>
      void (await store.update(job.id, data, undefined, announce && ((_row, bus) => announce(bus)))),
    live: liveReporter(store, job.id),
    hlsProgress: hlsProgressReporter(deps.bus, job, run.log),
  };
}

/**
 * What the end of an attempt means for the row and the queue — the one place that decides it, after a clean end
 * (`failure` undefined) or an error alike. A stopped live job ends; a cancelled one is CANCELLED already; one stopped
 * by the worker's shutdown goes back to QUEUED and to the queue (RequeueError), without using an attempt. Otherwise
 * the job SUCCEEDED, or failed: QUEUED for another attempt, or FAILED when final (and the error is thrown on).
 */
async function settleAttempt(
  deps: JobRunnerDeps,
  store: JobStore,
  task: QueueTask,
  jobId: string,
  why: StopReason | null,
  failure: { error: unknown } | undefined,
  log: Logger,
): Promise<void> {
  if (why?.kind === 'stop') return endLive(store, jobId);
  if (why?.kind === 'shutdown') {
    await store.update(jobId, { status: 'QUEUED' });
    throw new RequeueError('worker shutting down');
  }
  if (why?.kind === 'cancel') return;
  if (!failure) {
    await store.update(jobId, { status: 'SUCCEEDED', finishedAt: new Date(), liveKey: null });
    return;
  }
  const final = failure.error instanceof PermanentError || task.attempt >= task.maxAttempts;
  const message = errorMessage(failure.error);
  log.warn({ attempt: task.attempt, final, err: message }, 'job attempt failed');
  if (final) await failJob(store, jobId, message);
  else await store.update(jobId, { status: 'QUEUED', error: message });
  throw failure.error;
}

/** Runs one queued job to its end: admission, the kind's runner, and what its end means for the row and the queue. */
export async function runJob(deps: JobRunnerDeps, task: QueueTask, jobId: string): Promise<void> {
  const store = new JobStore(deps.db, deps.bus);
  const before = await deps.db.transcodeJob.findUnique({ where: { id: jobId } });
  if (!before || !isActive(before.status)) return;
  if (before.kind === 'LIVE' && before.stopRequestedAt) return endLive(store, jobId);
  if (!(await admit(deps, store, before))) return;
  const job = await claim(deps, store, jobId);
  if (!job) return;

  const kind = job.kind;
  const controller = new AbortController();
  deps.controllers.set(jobId, controller);
  deps.changed(kind, 1);
  const stopWatching = watchStopReasons(deps, task, job, controller);
  const progress = throttle<FfmpegProgress>(deps.config.PROGRESS_INTERVAL_MS, (p) => {
    void store
      .progress(jobId, { fps: p.fps, speed: p.speed, processedMs: p.processedMs, bitrateKbps: p.bitrateKbps })
      .catch((err: unknown) => deps.logger.warn({ err }, 'progress update failed'));
  });
  const workDir = join(deps.config.WORK_DIR, `${jobId}-${randomBytes(3).toString('hex')}`);
  const log = deps.logger.child({ jobId, kind });
  const why = (): StopReason | null => (controller.signal.aborted ? (controller.signal.reason as StopReason) : null);
  let outcome = 'failed';
  try {
    await mkdir(workDir, { recursive: true });
    await runners[kind](
      jobRunFor(deps, store, job, { workDir, signal: controller.signal, progress: (p) => progress.push(p), log }),
    );
    progress.flush();
    const stopped = why();
    outcome = stopped?.kind ?? 'succeeded';
    await settleAttempt(deps, store, task, jobId, stopped, undefined, log);
    log.info({ outcome }, 'job finished');
  } catch (error) {
    progress.cancel();
    if (error instanceof RequeueError) throw error;
    const stopped = why();
    outcome = stopped?.kind ?? outcome;
    await settleAttempt(deps, store, task, jobId, stopped, { error }, log);
  } finally {
    deps.governor.release(jobId);
    deps.changed(kind, -1, outcome);
    stopWatching();
    deps.controllers.delete(jobId);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
