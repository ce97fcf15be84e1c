import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import {
  topics,
  withCarrier,
  type EventBus,
  type ObjectStore,
  type ServiceMetrics,
  type TranscoderCapacity,
} from '@vegshare/kit';
import type { TranscodingDb } from '../../db.ts';
import type { WorkerConfig } from '../../env.ts';
import type { FfmpegBinaries } from '../../domain/media/ffmpeg-binary.ts';
import type { JobQueue, QueueWorker, TaskProcessor } from '../queue/job-queue.ts';
import { createDailyTimelapses } from '../../domain/jobs/job-commands.ts';
import { sweepExpiredMedia } from '../../domain/jobs/media-retention.ts';
import type { StopReason } from '../../domain/jobs/job-run.ts';
import { CpuGovernor } from './cpu-governor.ts';
import { runJob, type JobRunnerDeps } from './job-runner.ts';

export const TIMELAPSE_TICK = 'timelapse-daily';
export const RETENTION_TICK = 'media-retention';

export interface WorkerPoolDeps {
  readonly config: WorkerConfig;
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly store: ObjectStore;
  readonly queue: JobQueue;
  readonly binaries: FfmpegBinaries;
  readonly logger: Logger;
  /** When given: transcode_jobs_total{kind,outcome}, transcode_jobs_running{kind}, transcoding_cpu_cores{use}. */
  readonly metrics?: ServiceMetrics;
}

export interface WorkerPool {
  readonly workerId: string;
  readonly governor: CpuGovernor;
  /** Jobs running here now. */
  running(): string[];
  /** Graceful drain: no new jobs; running VOD jobs get `graceMs`, live ones hand over at once; then deregisters. */
  close(graceMs?: number): Promise<void>;
}

const metricOf = <T>(m: ServiceMetrics, name: string, make: () => T): T =>
  (m.registry.getSingleMetric(name) as T | undefined) ?? make();

interface PoolMetrics {
  /** A job started (+1) or ended (-1, with its outcome) here. */
  readonly changed: JobRunnerDeps['changed'];
  /** The CPU figures of the governor, in cores. */
  readonly cpu: (governor: CpuGovernor) => void;
}

/** transcode_jobs_total{kind,outcome}, transcode_jobs_running{kind}, transcoding_cpu_cores{use}: one registration per registry, however many pools share it. */
function poolMetrics(m: ServiceMetrics | undefined): PoolMetrics {
  const finished =
    m &&
    metricOf<Counter<string>>(m, 'transcode_jobs_total', () =>
      m.counter('transcode_jobs_total', 'Transcode job attempts by kind and outcome', ['kind', 'outcome']),
    );
  const running =
    m &&
    metricOf<Gauge<string>>(m, 'transcode_jobs_running', () =>
      m.gauge('transcode_jobs_running', 'Transcode jobs running in this process by kind', ['kind']),
    );
  const cpu =
    m &&
    metricOf<Gauge<string>>(m, 'transcoding_cpu_cores', () =>
      m.gauge(
        'transcoding_cpu_cores',
        'CPU of this worker’s ffmpeg processes, in cores: measured use by job class (live, batch) and the budget',
        ['use'],
      ),
    );
  return {
    changed: (kind, delta, outcome) => {
      if (delta > 0) running?.inc({ kind });
      else {
        running?.dec({ kind });
        finished?.inc({ kind, outcome: outcome ?? 'failed' });
      }
    },
    cpu: (governor) => {
      cpu?.set({ use: 'live' }, governor.liveLoad);
      cpu?.set({ use: 'all' }, governor.totalLoad);
      cpu?.set({ use: 'budget' }, governor.budget);
    },
  };
}

/** This worker's row in `WorkerNode` (what runs here, CPU) and its live capacity for streaming's admission view. */
function heartbeat(
  deps: WorkerPoolDeps,
  workerId: string,
  governor: CpuGovernor,
  controllers: ReadonlyMap<string, AbortController>,
  metrics: PoolMetrics,
): () => Promise<void> {
  const { config, db, bus } = deps;
  return async () => {
    const data = {
      host: hostname(),
      pid: process.pid,
      capacity: config.WORKER_CONCURRENCY,
      cpuBudget: governor.budget,
      cpuUsed: governor.totalLoad,
      runningJobIds: [...controllers.keys()],
      ffmpegVersion: deps.binaries.version,
      lastHeartbeatAt: new Date(),
    };
    await db.workerNode.upsert({ where: { id: workerId }, create: { id: workerId, ...data }, update: data });
    const capacity: TranscoderCapacity = {
      workerId,
      liveHeadroom: governor.liveHeadroom,
      liveJobCost: governor.estimate('LIVE', 'LIVE:live-hls-ladder'),
      at: new Date().toISOString(),
    };
    await bus.publish(topics.transcoderCapacity, capacity);
    metrics.cpu(governor);
  };
}

/** What the queue hands this worker: a daily tick (timelapses, media retention), or a transcode job to run. */
function taskProcessor(deps: WorkerPoolDeps, runner: JobRunnerDeps): TaskProcessor {
  const { config, db, bus, logger } = deps;
  return async (task) => {
    if (task.item.type === 'tick') {
      if (task.item.name === TIMELAPSE_TICK)
        await createDailyTimelapses({ db, bus, queue: deps.queue, config, logger });
      if (task.item.name === RETENTION_TICK) await sweepExpiredMedia({ db, bus, store: deps.store, config, logger });
      return;
    }
    const { jobId, trace } = task.item;
    await withCarrier(`transcode ${jobId}`, trace, () => runJob(runner, task, jobId));
  };
}

/** One worker process's share of the ffmpeg pool: takes jobs from the queue as CPU allows, heartbeats, obeys cancellation. */
export async function startWorkerPool(deps: WorkerPoolDeps): Promise<WorkerPool> {
  const { config, db, bus, logger } = deps;
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const controllers = new Map<string, AbortController>();
  const log = logger.child({ workerId });
  const governor = new CpuGovernor({ budgetCores: config.CPU_BUDGET_CORES, batchConcurrency: 1 });
  governor.start();
  const metrics = poolMetrics(deps.metrics);

  const unsubscribe = await bus.subscribe(topics.transcodeControl, (message) => {
    controllers.get(message.jobId)?.abort({ kind: message.type } satisfies StopReason);
  });

  const beat = heartbeat(deps, workerId, governor, controllers, metrics);
  await beat();
  const beating = setInterval(
    () => void beat().catch((err: unknown) => log.warn({ err }, 'heartbeat failed')),
    config.HEARTBEAT_MS,
  );
  beating.unref();

  const runner: JobRunnerDeps = {
    workerId,
    config,
    db,
    bus,
    store: deps.store,
    binaries: deps.binaries,
    logger: log,
    governor,
    controllers,
    changed: (kind, delta, outcome) => {
      metrics.changed(kind, delta, outcome);
      void beat().catch(() => undefined);
    },
  };
  const queueWorker: QueueWorker = deps.queue.startWorker(taskProcessor(deps, runner), {
    workerId,
    concurrency: config.WORKER_CONCURRENCY,
  });
  log.info(
    {
      concurrency: config.WORKER_CONCURRENCY,
      cpuBudget: config.CPU_BUDGET_CORES,
      ffmpeg: deps.binaries.version,
      ffmpegPath: deps.binaries.ffmpeg,
    },
    'transcode worker started',
  );

  return {
    workerId,
    governor,
    running: () => [...controllers.keys()],
    async close(graceMs = config.DRAIN_TIMEOUT_MS) {
      await queueWorker.close(graceMs);
      clearInterval(beating);
      governor.stop();
      await unsubscribe();
      await db.workerNode.deleteMany({ where: { id: workerId } }).catch(() => undefined);
      log.info('transcode worker stopped');
    },
  };
}
