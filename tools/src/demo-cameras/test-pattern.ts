import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

export interface TestPatternOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Keyframe interval in seconds (real cameras: 1–4 s). */
  readonly gopSeconds: number;
  readonly seconds: number;
  readonly videoKbps: number;
  readonly audio: boolean;
}

export const CAMERA_LIKE: TestPatternOptions = {
  width: 1280,
  height: 720,
  fps: 30,
  gopSeconds: 2,
  seconds: 20,
  videoKbps: 2500,
  audio: true,
};

/**
 * A clip like a farm camera sends (H.264 High, fixed keyframe interval, AAC), encoded once from ffmpeg's testsrc2 and
 * sine generators and kept at `file` (reused when present). Cameras then loop it with `-c copy`, which costs almost
 * nothing, so the CPU measured belongs to the pipeline under test rather than to the cameras.
 */
export async function ensureTestPattern(
  ffmpeg: string,
  file: string,
  options: TestPatternOptions = CAMERA_LIKE,
): Promise<string> {
  try {
    if ((await stat(file)).size > 0) return file;
  } catch {
    // make it
  }
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial.mp4`;
  const gop = Math.round(options.fps * options.gopSeconds);
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.width}x${options.height}:rate=${options.fps}:duration=${options.seconds}`,
  ];
  if (options.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${options.seconds}`);
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    '-b:v',
    `${options.videoKbps}k`,
    '-maxrate',
    `${Math.round(options.videoKbps * 1.2)}k`,
    '-bufsize',
    `${options.videoKbps * 2}k`,
  );
  if (options.audio) args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2');
  args.push('-movflags', '+faststart', partial);
  await promisify(execFile)(ffmpeg, args, { timeout: 120_000 });
  await rename(partial, file);
  return file;
}
