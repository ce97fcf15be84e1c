// Benchmark of the default ladder on this machine (issue 6):
//   npm run bench -w @vegshare/transcoding            (BENCH_SECONDS=20 BENCH_PRESET=veryfast by default)
// Reports encode speed (×realtime), time from job start to the first playable segment in S3 (master + a segment of
// every rendition), and CPU per rendition; and the same ladder as one plain ffmpeg command, so the overhead of our
// pipeline (fluent-ffmpeg, progress parsing, S3 upload as written, DASH) shows as a ratio.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, createObjectStore } from '@vegshare/kit';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { ladderPlan } from '../src/media/commands.ts';
import { resolveFfmpeg } from '../src/media/ffmpeg-binary.ts';
import { DEFAULT_PROFILE, profiles, type LadderProfile } from '../src/media/profiles.ts';
import { toArgs } from '../src/media/run-ffmpeg.ts';
import { runVod } from '../src/jobs/run-vod.ts';
import type { JobRun } from '../src/jobs/job-run.ts';
import { loadWorkerConfigForBench } from './bench-config.ts';
import type { TranscodeJob } from '../src/generated/prisma/client.ts';

const run = promisify(execFile);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 20);
const preset = process.env['BENCH_PRESET'] ?? 'veryfast';
const profile = profiles[DEFAULT_PROFILE]!;

/** Runs ffmpeg with -benchmark; returns wall and CPU (user+sys) seconds. */
async function plainFfmpeg(ffmpeg: string, input: string, cwd: string, ladder: LadderProfile): Promise<{ wall: number; cpu: number }> {
  await mkdir(cwd, { recursive: true });
  const plan = ladderPlan({ profile: ladder, segmentSeconds: 2, preset, hasAudio: true });
  const args = ['-hide_banner', '-nostdin', '-y', '-benchmark', '-i', input, '-filter_complex', plan.complexFilter!, ...toArgs(plan.outputs[0]!.options), plan.outputs[0]!.path];
  const started = performance.now();
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(ffmpeg, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
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
  const binaries = await resolveFfmpeg();
  const source = join(dir, 'source.mp4');
  await run(binaries.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-c:a', 'aac', '-shortest', source]);
  const store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  await store.ensureBucket();
  await store.client.fPutObject(store.bucket, 'bench/source.mp4', source, {});

  // 1. Plain ffmpeg, same ladder, local disk only.
  const plain = await plainFfmpeg(binaries.ffmpeg, source, join(dir, 'plain'), profile);
  // 2. CPU per rendition: the ladder with one rung at a time.
  const perRendition: Record<string, number> = {};
  for (const r of profile.renditions) perRendition[r.name] = (await plainFfmpeg(binaries.ffmpeg, source, join(dir, `one-${r.name}`), { ...profile, renditions: [r] })).cpu;

  // 3. Our pipeline: download from S3, fluent-ffmpeg, progress parsing, upload as written, DASH manifest.
  const config = loadWorkerConfigForBench({ ...s3.env, X264_PRESET: preset, WORK_DIR: join(dir, 'work'), THUMBNAIL_INTERVAL_SECONDS: '10' });
  const job = { id: '00000000-0000-4000-8000-00000000bench', kind: 'VOD', source: 's3://bench/source.mp4', profile: DEFAULT_PROFILE } as TranscodeJob;
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const marks: { firstPlayable: number | null } = { firstPlayable: null };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const poll = setInterval(() => {
    if (marks.firstPlayable !== null) return;
    void store.client.statObject(store.bucket, `vod/${job.id}/master.m3u8`).then(
      () => void (marks.firstPlayable ??= (performance.now() - started) / 1000),
      () => undefined,
    );
  }, 50);
  let speed = 0;
  const jobRun: JobRun = {
    job, config, binaries, store, db: undefined as never, logger: createLogger('bench', 'silent'), workDir,
    signal: new AbortController().signal,
    progress: (p) => void (p.speed !== null && (speed = p.speed)),
    update: async () => undefined,
    live: async () => undefined,
  };
  await runVod(jobRun);
  const wall = (performance.now() - started) / 1000;
  clearInterval(poll);
  const nodeCpu = process.cpuUsage(cpuBefore);

  const report = {
    machine: { cores: (await import('node:os')).availableParallelism(), ffmpeg: binaries.version },
    input: { seconds, size: '1280x720@30', preset, ladder: profile.renditions.map((r) => r.name) },
    plain: { wallSeconds: +plain.wall.toFixed(2), speedX: +(seconds / plain.wall).toFixed(2), cpuSeconds: +plain.cpu.toFixed(2) },
    pipeline: {
      wallSeconds: +wall.toFixed(2),
      speedX: +(seconds / wall).toFixed(2),
      lastReportedFfmpegSpeedX: speed,
      firstPlayableSeconds: marks.firstPlayable === null ? null : +marks.firstPlayable.toFixed(2),
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
