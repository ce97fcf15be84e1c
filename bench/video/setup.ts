import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, topics, MemoryEventBus, type LiveTranscodeStatus } from '@vegshare/kit';
import { publishCamera, type CameraPublisher } from '@vegshare/tools/demo-cameras/camera-publisher';
import { startRtmpServer, type RtmpServer } from '@vegshare/tools/demo-cameras/rtmp-server';
import { CAMERA_LIKE, ensureTestPattern } from '@vegshare/tools/demo-cameras/test-pattern';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { loadTranscodingConfig, startTranscodingService, type RunningTranscoding } from '@vegshare/transcoding';
import { createTranscodingDb, type TranscodingDb } from '@vegshare/transcoding/db';
import { resolveFfmpeg, type FfmpegBinaries } from '@vegshare/transcoding/domain/media/ffmpeg-binary';

/** What every part of the video benchmark shares: ffmpeg, a camera clip, an RTMP server, Postgres and S3. */
export interface BenchEnv {
  readonly binaries: FfmpegBinaries;
  readonly clip: string;
  readonly rtmp: RtmpServer;
  readonly database: TestDatabase;
  readonly s3: LocalS3;
  readonly dir: string;
  /** N cameras publishing the clip in real time to rtmp://…/bench/cam<i>. */
  cameras(n: number): CameraPublisher[];
  close(): Promise<void>;
}

export async function benchEnv(): Promise<BenchEnv> {
  const binaries = await resolveFfmpeg({
    ffmpegPath: process.env['FFMPEG_PATH'],
    ffprobePath: process.env['FFPROBE_PATH'],
  });
  const dir = await mkdtemp(join(tmpdir(), 'vegshare-bench-video-'));
  // A farm camera: 720p30 H.264 High, a keyframe every 2 s, AAC; looped with -c copy so cameras cost next to nothing.
  const clip = await ensureTestPattern(binaries.ffmpeg, join(dir, 'camera-720p.mp4'), CAMERA_LIKE);
  const [rtmp, database, s3] = await Promise.all([
    startRtmpServer(),
    createTestDatabase(),
    startLocalS3({ directory: join(dir, 's3') }),
  ]);
  const publishers: CameraPublisher[] = [];
  return {
    binaries,
    clip,
    rtmp,
    database,
    s3,
    dir,
    cameras(n) {
      const out = Array.from({ length: n }, (_, i) =>
        publishCamera(binaries.ffmpeg, clip, `${rtmp.url}/bench/cam${i}`),
      );
      publishers.push(...out);
      return out;
    },
    async close() {
      await Promise.all(publishers.map((p) => p.stop()));
      await rtmp.stop();
      await s3.stop();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Our transcoding service on the bench's Postgres and S3, with an in-process bus whose live statuses are recorded. */
export interface OursService {
  readonly service: RunningTranscoding;
  readonly bus: MemoryEventBus;
  readonly db: TranscodingDb;
  readonly statuses: (LiveTranscodeStatus & { receivedAt: number })[];
  close(): Promise<void>;
}

export async function startOurs(env: BenchEnv, vars: Record<string, string>): Promise<OursService> {
  const bus = new MemoryEventBus();
  const statuses: (LiveTranscodeStatus & { receivedAt: number })[] = [];
  await bus.subscribe(topics.liveTranscodeStatus, (s) => void statuses.push({ ...s, receivedAt: Date.now() }));
  const config = loadTranscodingConfig({
    DATABASE_URL: env.database.url,
    PORT: '0',
    ...env.s3.env,
    FFMPEG_PATH: env.binaries.ffmpeg,
    FFPROBE_PATH: env.binaries.ffprobe,
    WORK_DIR: join(env.dir, 'jobs'),
    SNAPSHOT_INTERVAL_SECONDS: '60',
    ...vars,
  });
  const service = await startTranscodingService(config, { logger: createLogger('transcoding', 'warn'), events: bus });
  const db = createTranscodingDb(env.database.url, 2);
  return {
    service,
    bus,
    db,
    statuses,
    async close() {
      await service.stop(2_000);
      await db.$disconnect();
      await bus.close();
    },
  };
}
