// A separate ffmpeg worker process: takes jobs from the shared BullMQ queue (REDIS_URL), no HTTP.
// Run as many as the machine allows; set RUN_WORKERS=false on the service when only these do the work.
import { createLogger, createObjectStore, RedisEventBus, runAsProcess } from '@vegshare/kit';
import { loadWorkerConfig } from './env.ts';
import { createTranscodingDb } from './db.ts';
import { prepareFfmpeg } from './domain/media/ffmpeg-capabilities.ts';
import { jobQueueFromConfig } from './adapters/queue/queue-from-config.ts';
import { startWorkerPool } from './adapters/workers/worker-pool.ts';

await runAsProcess('transcoding-worker', async () => {
  const config = loadWorkerConfig();
  const logger = createLogger('transcoding-worker', config.LOG_LEVEL);
  const db = createTranscodingDb(config.DATABASE_URL, 4);
  const bus = new RedisEventBus(config.REDIS_URL, logger, config.EVENT_PREFIX);
  const queue = jobQueueFromConfig(config, logger);
  const store = createObjectStore(config);
  const binaries = await prepareFfmpeg({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH });
  const pool = await startWorkerPool({ config, db, bus, store, queue, binaries, logger });
  process.stdout.write(`worker ${pool.workerId} ready\n`);
  return {
    async stop(graceMs?: number) {
      // DRAIN_TIMEOUT_MS bounds the drain (runAsProcess offers its own, longer default).
      await pool.close(Math.min(graceMs ?? Number.POSITIVE_INFINITY, config.DRAIN_TIMEOUT_MS));
      await queue.close();
      await bus.close();
      await db.$disconnect();
    },
  };
});
