import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ladderArgs, type LadderPlan } from '@vegshare/transcoding/domain/hls/ladder-plan';
import { toArgs } from '@vegshare/transcoding/domain/media/run-ffmpeg';
import { liveInputArgs } from '@vegshare/transcoding/domain/media/live-input';
import type { FfmpegBinaries } from '@vegshare/transcoding/domain/media/ffmpeg-binary';

/** A plain ffmpeg process and how far its output has got (from `-progress`). */
export interface PlainRun {
  readonly process: ChildProcess;
  /** Output media time written so far, seconds. */
  outSeconds(): number;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function run(ffmpeg: string, args: string[]): PlainRun {
  const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-progress', 'pipe:1', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = 0;
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const m = /^out_time_(?:ms|us)=(\d+)/.exec(line);
      if (m) out = Number(m[1]) / 1_000_000;
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    outSeconds: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The same ladder our pipeline runs (the same ffmpeg arguments, from ladder-plan.ts), with each rendition written to a
 * local fragmented-MP4 file instead of our socket: ffmpeg's share of the work, without our segmenter, uploads or events.
 */
export async function plainLadder(
  binaries: FfmpegBinaries,
  source: string,
  plan: LadderPlan,
  dir: string,
  partSeconds: number,
): Promise<PlainRun> {
  await mkdir(dir, { recursive: true });
  const args = ladderArgs(plan, {
    outputs: new Map(plan.renditions.map((r) => [r.name, join(dir, `${r.name}.mp4`)])),
    inputOptions: liveInputArgs(source, binaries, 3_000),
    partSeconds,
    segmentSeconds: 2,
    preset: 'superfast',
    live: true,
    encoderThreads: 1,
  });
  const argv = [...toArgs(args.inputOptions), '-i', source];
  for (const output of args.outputs) argv.push(...toArgs(output.options), '-y', output.path);
  return run(binaries.ffmpeg, argv);
}

/** ffmpeg's own HLS muxer on the camera (copied, 1 s target segments, dates in the playlist): the plain way to serve it. */
export async function plainHls(binaries: FfmpegBinaries, source: string, dir: string): Promise<PlainRun> {
  await mkdir(dir, { recursive: true });
  return run(binaries.ffmpeg, [
    ...liveInputArgs(source, binaries, 3_000),
    '-i',
    source,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '6',
    '-hls_flags',
    'independent_segments+program_date_time+delete_segments+temp_file',
    '-hls_segment_filename',
    join(dir, 'seg_%d.ts'),
    join(dir, 'index.m3u8'),
  ]);
}
