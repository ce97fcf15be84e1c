import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createObjectStore, RedisEventBus, type ObjectStore } from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import {
  loadTranscodingConfig,
  startTranscodingService,
  type RunningTranscoding,
  type TranscodingConfig,
} from '../src/service.ts';
import { createTranscodingDb, type TranscodingDb } from '../src/db.ts';
import { BullJobQueue } from '../src/adapters/queue/bullmq-queue.ts';
import { resolveFfmpeg } from '../src/domain/media/ffmpeg-binary.ts';
import { startWorkerPool, type WorkerPool } from '../src/adapters/workers/worker-pool.ts';
import { createJobs } from './jobs.ts';
import { listKeys, makeClip, processesInDir, tempDir, waitFor, removeTempDirs } from './harness.ts';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const root = new URL('../../..', import.meta.url).pathname;
const suffix = randomBytes(4).toString('hex');
const logger = createLogger('transcoding', 'silent');

let database: TestDatabase;
let s3: LocalS3;
let store: ObjectStore;
let db: TranscodingDb;
let bus: RedisEventBus;
let service: RunningTranscoding;
let config: TranscodingConfig;
let env: Record<string, string>;
let work: string;
let clip: string;
const children = new Set<ChildProcess>();
const pools: WorkerPool[] = [];
const queues: BullJobQueue[] = [];

/** A separate worker process (src/worker-main.ts) in its own process group, so a kill takes its ffmpeg too. */
async function spawnWorker(): Promise<{ child: ChildProcess; pid: number; workerId: string; nodePid: number }> {
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['subgraphs/transcoding/src/worker-main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const workerId = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const match = /worker (\S+) ready/.exec(d.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
  // tsx runs the worker in a child node process; the worker id carries that pid (host:pid:random).
  return { child, pid: child.pid!, workerId, nodePid: Number(workerId.split(':').at(-2)) };
}

/** Another worker inside the test process, on its own BullMQ connection. */
async function inProcessWorker(): Promise<WorkerPool> {
  const queue = new BullJobQueue(
    {
      redisUrl: REDIS_URL,
      name: config.QUEUE_NAME,
      prefix: config.QUEUE_PREFIX,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      maxStalledCount: 5,
    },
    logger,
  );
  queues.push(queue);
  const pool = await startWorkerPool({
    config: { ...config, WORKER_CONCURRENCY: 1 },
    db,
    bus,
    store,
    queue,
    binaries: await resolveFfmpeg(),
    logger,
  });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  [database, s3, work] = await Promise.all([createTestDatabase(), startLocalS3(), tempDir('failover')]);
  env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    ...s3.env,
    QUEUE_NAME: 'transcode',
    QUEUE_PREFIX: `vegshare-test-${suffix}`,
    EVENT_PREFIX: `vegshare-test-${suffix}:`,
    LOCK_DURATION_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '1',
    X264_PRESET: 'ultrafast',
    DRAIN_TIMEOUT_MS: '200',
    HEARTBEAT_MS: '1000',
    LOG_LEVEL: 'warn',
    WORK_DIR: join(work, 'jobs'),
  };
  config = loadTranscodingConfig({ ...env, PORT: '0', RUN_WORKERS: 'false' });
  store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  db = createTranscodingDb(database.url, 4);
  bus = new RedisEventBus(REDIS_URL, logger, env['EVENT_PREFIX']);
  service = await startTranscodingService(config, { logger, events: bus });
  // 360p, so the hls-360-240 ladder encodes both rungs.
  clip = join(work, 'clip.mp4');
  await makeClip(clip, 20, '640x360');
});
afterAll(async () => {
  for (const child of children) process.kill(-child.pid!, 'SIGKILL');
  for (const pool of pools) await pool.close(500);
  for (const queue of queues) await queue.close();
  await service?.stop(1000);
  await bus?.close();
  await db?.$disconnect();
  await s3?.stop();
  await database?.drop();
  await removeTempDirs();
});

describe('BullMQ worker pool', () => {
  it('finishes a job on another worker when its worker process is killed mid-job', async () => {
    const a = await spawnWorker();
    const jobs = createJobs(db, bus, store, config);
    const job = await jobs.vod(clip);
    const running = await waitFor(
      'running on worker A',
      async () => {
        const row = await db.transcodeJob.findUniqueOrThrow({ where: { id: job.id } });
        return row.status === 'RUNNING' && (row.processedMs ?? 0) > 0 && row;
      },
      30_000,
      100,
    );
    expect(running.workerId).toBe(a.workerId);
    // the whole process group dies at once, ffmpeg included: a crashed machine
    process.kill(-a.pid, 'SIGKILL');
    await waitFor('worker A gone', async () => (await processesInDir(job.id)).length === 0, 5_000);
    const b = await inProcessWorker();
    const done = await waitFor(
      'succeeded on worker B',
      async () => {
        const row = await db.transcodeJob.findUniqueOrThrow({ where: { id: job.id } });
        return ['SUCCEEDED', 'FAILED'].includes(row.status) && row;
      },
      90_000,
      250,
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', workerId: b.workerId, error: null });
    expect(done.attempts).toBe(2);
    expect(done.renditions).toEqual(['360p', '240p']);
    const keys = await listKeys(store, `vod/${job.id}/`);
    expect(keys).toContain(`vod/${job.id}/master.m3u8`);
    // 20 s in 2 s segments for 360p and 240p (audio muxed into each)
    for (const rendition of ['360p', '240p'])
      expect(
        keys.filter((k) => k.startsWith(`vod/${job.id}/${rendition}/`) && k.endsWith('.m4s')).length,
      ).toBeGreaterThanOrEqual(10);
  }, 150_000);

  it('drains on SIGTERM: the running job goes back to the queue and another worker finishes it', async () => {
    for (const pool of pools.splice(0)) await pool.close(500);
    const c = await spawnWorker();
    const jobs = createJobs(db, bus, store, config);
    const job = await jobs.vod(clip);
    await waitFor(
      'running on worker C',
      async () => {
        const row = await db.transcodeJob.findUniqueOrThrow({ where: { id: job.id } });
        return row.status === 'RUNNING' && row.workerId === c.workerId && (row.processedMs ?? 0) > 0;
      },
      30_000,
      100,
    );
    const exited = new Promise<number | null>((resolve) => c.child.on('exit', (code) => resolve(code)));
    process.kill(c.nodePid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(await db.workerNode.count({ where: { id: c.workerId } })).toBe(0);
    const requeued = await db.transcodeJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(requeued.status).toBe('QUEUED');
    const d = await inProcessWorker();
    const done = await waitFor(
      'succeeded on worker D',
      async () => {
        const row = await db.transcodeJob.findUniqueOrThrow({ where: { id: job.id } });
        return ['SUCCEEDED', 'FAILED'].includes(row.status) && row;
      },
      90_000,
      250,
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', workerId: d.workerId });
  }, 150_000);
});
