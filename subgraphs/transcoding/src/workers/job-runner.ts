import { mkdir, rm } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eventTopics, type EventBus, type LiveHlsProgress, type ObjectStore } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { TranscodingDb } from '../db.ts';
import type { WorkerConfig } from '../env.ts';
import type { TranscodeJob as TranscodeJobRow, TranscodeJobKind } from '../generated/prisma/client.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binary.ts';
import { throttle, type FfmpegProgress } from '../media/progress.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
import { PermanentError, RequeueError, type QueueTask } from '../queue/job-queue.ts';
import { publishLiveStatus } from '../jobs/job-events.ts';
import { redactCredentials, type JobRun, type LiveReport, type Runner, type StopReason } from '../jobs/job-run.ts';
import { JobStore, isActive } from '../jobs/job-store.ts';
import { runLive } from '../jobs/run-live.ts';
import { runThumbnails, runVod } from '../jobs/run-vod.ts';
import { runTimelapse } from '../jobs/run-timelapse.ts';
import { isBatch, type CpuGovernor } from './cpu-governor.ts';

const runners: Record<TranscodeJobKind, Runner> = { LIVE: runLive, VOD: runVod, TIMELAPSE: runTimelapse, THUMBNAIL: runThumbnails };

export const errorMessage = (error: unknown): string => redactCredentials(error instanceof Error ? error.message : String(error)).slice(0, 1000);

/** The stable code a live job fails with when no worker has CPU for it (streaming passes it on to players). */
export const CAPACITY_EXHAUSTED = 'CAPACITY_EXHAUSTED';

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

/** Runs one queued job to its end: admission, the kind's runner, and what its end means for the row and the queue. */
export async function runJob(deps: JobRunnerDeps, task: QueueTask, jobId: string): Promise<void> {
  const { db, bus, config, governor, workerId } = deps;
  const log = deps.logger;
  const store = new JobStore(db, bus);
  const before = await db.transcodeJob.findUnique({ where: { id: jobId } });
  if (!before || !isActive(before.status)) return;
  const endLive = async () => {
    const ended = await store.update(jobId, { status: 'SUCCEEDED', liveKey: null, finishedAt: new Date(), liveStatus: null });
    if (ended) await publishLiveStatus(bus, ended, { status: 'ENDED', renditions: ended.renditions });
  };
  if (before.kind === 'LIVE' && before.stopRequestedAt) return endLive();

  // Admission by measured CPU cost: live jobs wait briefly for room, then fail clearly; batch jobs just wait.
  if (!governor.tryAdmit(jobId, before.kind, `${before.kind}:${before.profile}`)) {
    if (isBatch(before.kind)) throw new RequeueError('no CPU free for batch work', 2_000);
    const since = refusedSince.get(jobId) ?? Date.now();
    refusedSince.set(jobId, since);
    if (Date.now() - since < config.LIVE_ADMISSION_WAIT_MS) throw new RequeueError('no CPU free for another live stream yet', 500);
    refusedSince.delete(jobId);
    const message = `${CAPACITY_EXHAUSTED}: no transcoder has CPU for another live stream (${governor.liveLoad.toFixed(2)} of ${governor.budget.toFixed(2)} cores in use here)`;
    const failed = await store.update(jobId, { status: 'FAILED', error: message, finishedAt: new Date(), liveKey: null, liveStatus: null });
    if (failed) await publishLiveStatus(bus, { ...failed, masterPlaylistKey: null }, { status: 'FAILED', renditions: [], error: message, cameraOnline: failed.cameraOnline });
    log.warn({ jobId }, 'live job refused: capacity exhausted');
    return;
  }
  refusedSince.delete(jobId);

  let job: TranscodeJobRow | null;
  try {
    job = await store.update(jobId, { status: 'RUNNING', attempts: { increment: 1 }, workerId, startedAt: new Date(), error: null });
  } catch (error) {
    governor.release(jobId);
    throw error;
  }
  if (!job) {
    governor.release(jobId);
    return;
  }
  const kind = job.kind;
  const controller = new AbortController();
  deps.controllers.set(jobId, controller);
  deps.changed(kind, 1);
  let outcome = 'failed';
  const stop = (reason: StopReason) => controller.abort(reason);
  const onShutdown = () => stop({ kind: 'shutdown' });
  task.shutdown.addEventListener('abort', onShutdown);
  // Live jobs never finish on their own: on drain they hand over at once (another worker resumes the stream).
  if (kind === 'LIVE') task.draining.addEventListener('abort', onShutdown);
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
  const runLog = log.child({ jobId, kind });
  const streamId = job.streamId;
  const run: JobRun = {
    job,
    config,
    binaries: deps.binaries,
    store: deps.store,
    db,
    bus,
    logger: runLog,
    workDir,
    signal: controller.signal,
    progress: (p) => progress.push(p),
    ffmpeg: (options) =>
      runFfmpeg({
        ...options,
        signal: options.signal ?? controller.signal,
        binaries: deps.binaries,
        killGraceMs: options.killGraceMs ?? config.CANCEL_GRACE_MS,
        onProgress: (p) => progress.push(p),
        onSpawn: (pid) => {
          governor.attach(jobId, pid);
          if (isBatch(kind)) {
            try {
              setPriority(pid, config.BATCH_NICENESS);
            } catch (err) {
              runLog.warn({ err }, 'could not lower the priority of a batch ffmpeg');
            }
          }
        },
      }),
    update: async (data) => void (await store.update(jobId, data)),
    live: async (report: LiveReport) => {
      const error = report.error ? redactCredentials(report.error).slice(0, 1000) : null;
      const row = await store.update(jobId, {
        liveStatus: report.status === 'ENDED' || report.status === 'FAILED' ? null : report.status,
        renditions: [...report.renditions],
        ...(report.cameraOnline !== undefined ? { cameraOnline: report.cameraOnline } : {}),
        ...(report.status === 'RECONNECTING' ? { status: 'RECONNECTING', error } : report.status === 'LIVE' ? { status: 'RUNNING', error: null } : {}),
      });
      if (row) await publishLiveStatus(bus, row, { ...report, error });
    },
    hlsProgress: (p) => {
      if (!streamId) return;
      const event: LiveHlsProgress = { streamId, jobId, rendition: p.rendition, msn: p.msn, part: p.part, partId: p.partId };
      bus.publish(eventTopics.liveHlsProgress, event).catch((err: unknown) => runLog.debug({ err }, 'hls progress event failed'));
    },
  };
  const reason = () => (controller.signal.aborted ? (controller.signal.reason as StopReason) : null);
  /** A stopped or handed-over job: what the row and the queue should do, the same after a clean end or an error. */
  const settleStopped = async (why: StopReason): Promise<void> => {
    if (why.kind === 'stop') return endLive();
    if (why.kind === 'shutdown') {
      await store.update(jobId, { status: 'QUEUED' });
      throw new RequeueError('worker shutting down');
    }
    // cancel: the row is CANCELLED already
  };
  try {
    await mkdir(workDir, { recursive: true });
    await runners[kind](run);
    progress.flush();
    const why = reason();
    outcome = why?.kind ?? 'succeeded';
    if (why) await settleStopped(why);
    else await store.update(jobId, { status: 'SUCCEEDED', finishedAt: new Date(), liveKey: null });
    runLog.info({ outcome }, 'job finished');
  } catch (error) {
    progress.cancel();
    if (error instanceof RequeueError) throw error;
    const why = reason();
    if (why) {
      outcome = why.kind;
      return settleStopped(why);
    }
    const final = error instanceof PermanentError || task.attempt >= task.maxAttempts;
    const message = errorMessage(error);
    runLog.warn({ attempt: task.attempt, final, err: message }, 'job attempt failed');
    const row = await store.update(jobId, final ? { status: 'FAILED', error: message, finishedAt: new Date(), liveKey: null, liveStatus: null } : { status: 'QUEUED', error: message });
    if (row && final && row.kind === 'LIVE') await publishLiveStatus(bus, { ...row, masterPlaylistKey: null }, { status: 'FAILED', renditions: [], error: message, cameraOnline: row.cameraOnline });
    throw error;
  } finally {
    governor.release(jobId);
    deps.changed(kind, -1, outcome);
    clearInterval(watch);
    task.shutdown.removeEventListener('abort', onShutdown);
    task.draining.removeEventListener('abort', onShutdown);
    deps.controllers.delete(jobId);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
