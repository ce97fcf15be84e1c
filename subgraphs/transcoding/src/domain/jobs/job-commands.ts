import {
  conflict,
  inTransaction,
  isUniqueViolation,
  notFound,
  topics,
  traceCarrier,
  type EventBus,
} from '@vegshare/kit';
import type { Logger } from 'pino';
import type { TranscodingDb } from '../../db.ts';
import type { WorkerConfig } from '../../env.ts';
import type { Prisma, TranscodeJob as TranscodeJobRow, TranscodeJobKind } from '../../generated/prisma/client.ts';
import { DEFAULT_LIVE_PROFILE, DEFAULT_PROFILE, profileOf, renditionNames } from '../media/profiles.ts';
import type { JobQueue } from '../../adapters/queue/job-queue.ts';
import { publishJob, publishLiveStatus } from './job-events.ts';
import { ACTIVE_STATUSES, JobStore } from './job-store.ts';

/** What creating, cancelling and stopping jobs needs (the service side; workers only run them). */
export interface JobCommandDeps {
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly queue: JobQueue;
  readonly config: Pick<WorkerConfig, 'JOB_ATTEMPTS' | 'JOB_BACKOFF_MS'>;
  readonly logger: Logger;
}

/** Live streams are taken before batch work whenever both wait. */
const queuePriority = (kind: TranscodeJobKind): number => (kind === 'LIVE' ? 1 : 10);

const enqueueJob = (deps: Pick<JobCommandDeps, 'queue' | 'config'>, row: TranscodeJobRow) =>
  deps.queue.enqueue(row.id, {
    attempts: row.maxAttempts,
    backoffMs: deps.config.JOB_BACKOFF_MS,
    priority: queuePriority(row.kind),
    trace: traceCarrier(),
  });

async function create(deps: JobCommandDeps, data: Prisma.TranscodeJobUncheckedCreateInput): Promise<TranscodeJobRow> {
  const row = await deps.db.transcodeJob.create({ data: { maxAttempts: deps.config.JOB_ATTEMPTS, ...data } });
  await enqueueJob(deps, row);
  await publishJob(deps.bus, row);
  return row;
}

/** Another request made the upload's job first (the transaction that lost rolls back its own). */
class UploadTaken extends Error {}

/** A VOD job from a farmer's upload (the upload is used once: a second request, even a concurrent one, returns the first job). */
export async function createVodJob(
  deps: JobCommandDeps,
  input: {
    uploadId: string;
    sourceKey: string;
    farmId: string;
    cameraId: string | null;
    profile: string;
    requestedBy: string;
  },
): Promise<TranscodeJobRow> {
  const jobOfUpload = async (): Promise<TranscodeJobRow | null> => {
    const upload = await deps.db.vodUpload.findUniqueOrThrow({ where: { id: input.uploadId } });
    return upload.jobId ? deps.db.transcodeJob.findUniqueOrThrow({ where: { id: upload.jobId } }) : null;
  };
  let row = await jobOfUpload();
  if (!row) {
    try {
      row = await deps.db.$transaction(async (tx) => {
        const created = await tx.transcodeJob.create({
          data: {
            kind: 'VOD',
            source: `s3://${input.sourceKey}`,
            profile: input.profile,
            cameraId: input.cameraId,
            farmId: input.farmId,
            requestedBy: input.requestedBy,
            maxAttempts: deps.config.JOB_ATTEMPTS,
            renditions: renditionNames(profileOf(input.profile) ?? profileOf(DEFAULT_PROFILE)!),
          },
        });
        // Claimed only while no job has it: of two concurrent requests, the second waits for the first's row lock,
        // then finds the upload taken and rolls back its job.
        const claimed = await tx.vodUpload.updateMany({
          where: { id: input.uploadId, jobId: null },
          data: { jobId: created.id },
        });
        if (claimed.count === 0) throw new UploadTaken();
        return created;
      });
    } catch (error) {
      if (!(error instanceof UploadTaken)) throw error;
      row = await jobOfUpload();
      if (!row) throw error;
    }
  }
  if (row.status === 'QUEUED' && row.attempts === 0) await enqueueJob(deps, row);
  await publishJob(deps.bus, row);
  return row;
}

/** Idempotent per camera and day: an active or finished timelapse job for the same day is returned as is. */
export async function createTimelapseJob(
  deps: JobCommandDeps,
  input: { cameraId: string; farmId: string | null; day: string; requestedBy: string | null; force?: boolean },
): Promise<TranscodeJobRow> {
  const existing = await deps.db.transcodeJob.findFirst({
    where: {
      kind: 'TIMELAPSE',
      cameraId: input.cameraId,
      day: input.day,
      status: { in: input.force ? [...ACTIVE_STATUSES] : [...ACTIVE_STATUSES, 'SUCCEEDED'] },
    },
    orderBy: { createdAt: 'desc' },
  });
  if (existing) return existing;
  await deps.db.timelapseCamera.upsert({
    where: { cameraId: input.cameraId },
    create: { cameraId: input.cameraId },
    update: {},
  });
  return create(deps, {
    kind: 'TIMELAPSE',
    source: `s3://snapshots/${input.cameraId}/${input.day}/`,
    profile: 'timelapse-720p',
    cameraId: input.cameraId,
    farmId: input.farmId,
    day: input.day,
    requestedBy: input.requestedBy,
  });
}

/** The daily tick: yesterday's timelapse for every known camera. */
export async function createDailyTimelapses(deps: JobCommandDeps, now = new Date()): Promise<TranscodeJobRow[]> {
  const day = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const cameras = await deps.db.timelapseCamera.findMany({ orderBy: { cameraId: 'asc' } });
  const farms = new Map(
    (await deps.db.cameraFarm.findMany({ where: { cameraId: { in: cameras.map((c) => c.cameraId) } } })).map((c) => [
      c.cameraId,
      c.farmId,
    ]),
  );
  const jobs: TranscodeJobRow[] = [];
  for (const camera of cameras)
    jobs.push(
      await createTimelapseJob(deps, {
        cameraId: camera.cameraId,
        farmId: farms.get(camera.cameraId) ?? null,
        day,
        requestedBy: null,
      }),
    );
  return jobs;
}

const announced = (row: TranscodeJobRow): 'STARTING' | 'LIVE' | 'RECONNECTING' =>
  row.liveStatus === 'LIVE' || row.liveStatus === 'RECONNECTING' ? row.liveStatus : 'STARTING';

/**
 * streaming asked for a live ladder. At most one live job per stream (`liveKey` is unique while active); a repeated
 * request only re-announces what the job last reported, which is how streaming learns it was heard (no change to
 * commit: written before the request is acknowledged, and streaming repeats the request while it waits). A new job,
 * its STARTING status event and its camera's projections commit together; the queue hears of it after.
 */
export async function ensureLiveJob(
  deps: JobCommandDeps,
  request: { streamId: string; cameraId: string; farmId: string; sourceUrl: string; profile: string },
): Promise<TranscodeJobRow> {
  const current = await deps.db.transcodeJob.findUnique({ where: { liveKey: request.streamId } });
  if (current) {
    await publishLiveStatus(deps.bus, current, {
      status: announced(current),
      renditions: current.renditions,
      error: current.liveStatus === 'RECONNECTING' ? current.error : null,
      cameraOnline: current.cameraOnline,
    });
    return current;
  }
  let row: TranscodeJobRow;
  try {
    row = await inTransaction(deps.db, deps.bus, async (tx, bus) => {
      await tx.cameraFarm.upsert({
        where: { cameraId: request.cameraId },
        create: { cameraId: request.cameraId, farmId: request.farmId },
        update: { farmId: request.farmId },
      });
      const created = await tx.transcodeJob.create({
        data: {
          kind: 'LIVE',
          liveKey: request.streamId,
          streamId: request.streamId,
          cameraId: request.cameraId,
          farmId: request.farmId,
          source: request.sourceUrl,
          profile: profileOf(request.profile) ? request.profile : DEFAULT_LIVE_PROFILE,
          maxAttempts: deps.config.JOB_ATTEMPTS,
          liveStatus: 'STARTING',
        },
      });
      await tx.timelapseCamera.upsert({
        where: { cameraId: request.cameraId },
        create: { cameraId: request.cameraId },
        update: {},
      });
      await publishJob(bus, created);
      await publishLiveStatus(bus, created, { status: 'STARTING', renditions: [] });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const winner = await deps.db.transcodeJob.findUnique({ where: { liveKey: request.streamId } });
      if (winner) return winner;
    }
    throw error;
  }
  await enqueueJob(deps, row);
  return row;
}

/** streaming asked to stop a stream's live ladder: a queued job ends at once, a running one is told to stop. */
export async function stopLiveJob(deps: JobCommandDeps, streamId: string): Promise<void> {
  const store = new JobStore(deps.db, deps.bus);
  const row = await deps.db.transcodeJob.findUnique({ where: { liveKey: streamId } });
  if (!row) return;
  await deps.db.transcodeJob.update({
    where: { id: row.id },
    data: { stopRequestedAt: row.stopRequestedAt ?? new Date() },
  });
  const ended = await store.update(
    row.id,
    { status: 'SUCCEEDED', liveKey: null, finishedAt: new Date(), masterPlaylistKey: null },
    ['QUEUED'],
    (job, bus) => publishLiveStatus(bus, job, { status: 'ENDED', renditions: job.renditions }),
  );
  if (ended) {
    await deps.queue.remove(row.id);
    return;
  }
  await deps.bus.publish(topics.transcodeControl, { type: 'stop', jobId: row.id });
}

/** Cancels an active job: the row is CANCELLED at once; a worker running it stops ffmpeg on the control event. */
export async function cancelJob(deps: JobCommandDeps, id: string): Promise<TranscodeJobRow> {
  const store = new JobStore(deps.db, deps.bus);
  // A cancelled live session leaves no recording (its playlists were never closed): its stream is told it ENDED.
  const row = await store.update(
    id,
    { status: 'CANCELLED', liveKey: null, finishedAt: new Date() },
    undefined,
    (job, bus) =>
      job.kind === 'LIVE'
        ? publishLiveStatus(
            bus,
            { ...job, masterPlaylistKey: null },
            { status: 'ENDED', renditions: job.renditions, error: 'cancelled' },
          )
        : Promise.resolve(),
  );
  if (!row) {
    const existing = await deps.db.transcodeJob.findUnique({ where: { id } });
    if (!existing) throw notFound('TranscodeJob', id);
    throw conflict(`TranscodeJob ${id} has already finished (${existing.status})`);
  }
  await deps.queue.remove(id);
  await deps.bus.publish(topics.transcodeControl, { type: 'cancel', jobId: id });
  return row;
}

/** The in-process queue forgets everything on restart: put unfinished jobs back from Postgres. */
export async function requeueUnfinished(deps: JobCommandDeps): Promise<number> {
  const rows = await deps.db.transcodeJob.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] } },
    orderBy: { createdAt: 'asc' },
  });
  for (const row of rows) await enqueueJob(deps, row);
  return rows.length;
}
