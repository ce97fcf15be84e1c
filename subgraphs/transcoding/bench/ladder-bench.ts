// Benchmark of the default VOD ladder on this machine:
//   npm run bench -w @vegshare/transcoding            (BENCH_SECONDS=20 BENCH_PRESET=veryfast by default)
// Our VOD pipeline on an uploaded file (S3 download, probe, fluent-ffmpeg writing fragmented MP4 into local sockets,
// Node cutting segments and uploading them as they complete, playlists, DASH manifest, thumbnails) against the same
// ffmpeg command writing the same renditions to local files, so the pipeline's overhead shows as a ratio; plus the
// time to the first segment of every rendition and to the master playlist in S3, and CPU per rendition.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, createObjectStore, MemoryEventBus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { clipArgs } from '@vegshare/tools/demo-cameras/test-pattern';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { ladderArgs, planLadder, type LadderPlan } from '../src/domain/hls/ladder-plan.ts';
import { prepareFfmpeg } from '../src/domain/media/ffmpeg-capabilities.ts';
import { probeInput } from '../src/domain/media/probe.ts';
import { DEFAULT_PROFILE, profiles } from '../src/domain/media/profiles.ts';
import { runFfmpeg, toArgs } from '../src/domain/media/run-ffmpeg.ts';
import { runVod } from '../src/domain/jobs/run-vod.ts';
import type { JobRun } from '../src/domain/jobs/job-run.ts';
import { loadWorkerConfigForBench } from './bench-config.ts';
import type { TranscodeJob } from '../src/generated/prisma/client.ts';

const run = promisify(execFile);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 20);
const preset = process.env['BENCH_PRESET'] ?? 'veryfast';
const profile = profiles[DEFAULT_PROFILE]!;
const SEGMENT_SECONDS = 2;
const THUMBNAIL_SECONDS = 10;

/** The ladder's ffmpeg command with -benchmark, each rendition to a local fragmented MP4; wall and CPU (user+sys) seconds. */
async function plainFfmpeg(
  ffmpeg: string,
  input: string,
  cwd: string,
  plan: LadderPlan,
): Promise<{ wall: number; cpu: number }> {
  await mkdir(cwd, { recursive: true });
  const args = ladderArgs(plan, {
    outputs: new Map(plan.renditions.map((r) => [r.name, `${r.name}.mp4`])),
    inputOptions: [],
    partSeconds: null,
    segmentSeconds: SEGMENT_SECONDS,
    preset,
    live: false,
    encoderThreads: null,
    thumbnails: { pattern: 'thumb_%05d.jpg', everySeconds: THUMBNAIL_SECONDS },
  });
  const argv = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-benchmark',
    ...toArgs(args.inputOptions),
    '-i',
    input,
    ...args.outputs.flatMap((o) => [...toArgs(o.options), o.path]),
  ];
  const started = performance.now();
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(ffmpeg, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(err.slice(-500)))));
  });
  const wall = (performance.now() - started) / 1000;
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : Number.NaN };
}

const dir = await mkdtemp(join(tmpdir(), 'vegshare-bench-'));
const s3 = await startLocalS3();
try {
  const binaries = await prepareFfmpeg();
  const source = join(dir, 'source.mp4');
  await run(
    binaries.ffmpeg,
    clipArgs(
      {
        width: 1280,
        height: 720,
        fps: 30,
        seconds,
        preset: 'ultrafast',
        video: { crf: 18 },
        audio: { frequency: 440 },
      },
      [source],
    ),
  );
  const store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  await store.ensureBucket();
  // Where a farmer's PUT to the presigned upload URL puts the file.
  const uploadKey = `uploads/${demo.farms.greenAcres}/${randomUUID()}/source`;
  await store.client.fPutObject(store.bucket, uploadKey, source, { 'Content-Type': 'video/mp4' });

  // 1. Plain ffmpeg, same ladder, local disk only.
  const plan = planLadder(profile, await probeInput(binaries, source), { passThrough: false });
  const plain = await plainFfmpeg(binaries.ffmpeg, source, join(dir, 'plain'), plan);
  // 2. CPU per rendition: the ladder with one rung at a time.
  const perRendition: Record<string, number> = {};
  for (const r of plan.renditions)
    perRendition[r.name] = (
      await plainFfmpeg(binaries.ffmpeg, source, join(dir, `one-${r.name}`), { ...plan, renditions: [r] })
    ).cpu;

  // 3. Our pipeline, as a worker runs a VOD job (without the niceness it gives batch work).
  const config = loadWorkerConfigForBench({
    ...s3.env,
    X264_PRESET: preset,
    WORK_DIR: join(dir, 'work'),
    THUMBNAIL_INTERVAL_SECONDS: String(THUMBNAIL_SECONDS),
    HLS_SEGMENT_SECONDS: String(SEGMENT_SECONDS),
  });
  const job = {
    id: randomUUID(),
    kind: 'VOD',
    source: `s3://${uploadKey}`,
    profile: DEFAULT_PROFILE,
    renditions: [] as string[],
  } as unknown as TranscodeJob;
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const prefix = `vod/${job.id}/`;
  const marks: { firstSegments: number | null; master: number | null } = { firstSegments: null, master: null };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const since = () => (performance.now() - started) / 1000;
  const exists = (key: string) =>
    store.client.statObject(store.bucket, key).then(
      () => true,
      () => false,
    );
  let polling = false;
  const poll = setInterval(() => {
    if (polling || marks.master !== null) return;
    polling = true;
    void (async () => {
      if (
        marks.firstSegments === null &&
        (await Promise.all(plan.renditions.map((r) => exists(`${prefix}${r.name}/s0.m4s`)))).every(Boolean)
      )
        marks.firstSegments = since();
      if (await exists(`${prefix}master.m3u8`)) marks.master = since();
    })().finally(() => (polling = false));
  }, 50);
  let speed = 0;
  const controller = new AbortController();
  const jobRun: JobRun = {
    job,
    config,
    binaries,
    store,
    db: undefined as never,
    bus: new MemoryEventBus(),
    logger: createLogger('bench', 'silent'),
    workDir,
    signal: controller.signal,
    progress: (p) => void (p.speed !== null && (speed = p.speed)),
    ffmpeg: (options) =>
      runFfmpeg({
        ...options,
        signal: options.signal ?? controller.signal,
        binaries,
        killGraceMs: options.killGraceMs ?? config.CANCEL_GRACE_MS,
        onProgress: (p) => void (p.speed !== null && (speed = p.speed)),
      }),
    update: async () => undefined,
    live: async () => undefined,
    hlsProgress: () => undefined,
  };
  await runVod(jobRun);
  const wall = since();
  clearInterval(poll);
  marks.master ??= (await exists(`${prefix}master.m3u8`)) ? wall : null;
  const nodeCpu = process.cpuUsage(cpuBefore);

  const report = {
    machine: { cores: availableParallelism(), ffmpeg: binaries.version },
    input: { seconds, size: '1280x720@30', preset, ladder: plan.renditions.map((r) => r.name) },
    plain: {
      wallSeconds: +plain.wall.toFixed(2),
      speedX: +(seconds / plain.wall).toFixed(2),
      cpuSeconds: +plain.cpu.toFixed(2),
    },
    pipeline: {
      wallSeconds: +wall.toFixed(2),
      speedX: +(seconds / wall).toFixed(2),
      lastReportedFfmpegSpeedX: speed,
      firstSegmentOfEveryRenditionSeconds: marks.firstSegments === null ? null : +marks.firstSegments.toFixed(2),
      masterPlaylistSeconds: marks.master === null ? null : +marks.master.toFixed(2),
      nodeCpuSeconds: +((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(2),
    },
    cpuSecondsPerRendition: Object.fromEntries(Object.entries(perRendition).map(([k, v]) => [k, +v.toFixed(2)])),
    overheadRatio: +(wall / plain.wall).toFixed(3),
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
}
