import { execFile } from 'node:child_process';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

/**
 * A synthetic clip from ffmpeg's testsrc2 and sine generators: the one recipe behind the demo cameras, the test clips
 * and the video benches, so every synthetic source differs only in what its caller says.
 */
export interface ClipSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  /** A keyframe exactly every this many seconds (scene cuts off), as cameras send; absent: the encoder's choice. */
  readonly gopSeconds?: number;
  /** x264 preset (default veryfast). */
  readonly preset?: 'ultrafast' | 'superfast' | 'veryfast';
  /** H.264 High profile, as cameras send; absent: the encoder's choice. */
  readonly high?: boolean;
  /** Constant bit rate-ish (kbps, with a 1.2× max rate) or constant quality (crf); absent: the encoder's default. */
  readonly video?: { readonly kbps: number } | { readonly crf: number };
  /** AAC from a sine tone; absent: no audio. */
  readonly audio?: { readonly frequency: number; readonly kbps?: number; readonly stereo?: boolean };
}

/** ffmpeg's arguments encoding `spec` into `output` (its container options and path, last). */
export function clipArgs(spec: ClipSpec, output: readonly string[]): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push(
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}:duration=${spec.seconds}`,
  );
  if (spec.audio)
    args.push('-f', 'lavfi', '-i', `sine=frequency=${spec.audio.frequency}:sample_rate=48000:duration=${spec.seconds}`);
  args.push('-c:v', 'libx264', '-preset', spec.preset ?? 'veryfast', '-pix_fmt', 'yuv420p');
  if (spec.high) args.push('-profile:v', 'high');
  if (spec.gopSeconds !== undefined) {
    const gop = String(Math.round(spec.fps * spec.gopSeconds));
    args.push('-g', gop, '-keyint_min', gop, '-sc_threshold', '0');
  }
  if (spec.video && 'kbps' in spec.video) {
    const { kbps } = spec.video;
    args.push('-b:v', `${kbps}k`, '-maxrate', `${Math.round(kbps * 1.2)}k`, '-bufsize', `${kbps * 2}k`);
  } else if (spec.video) args.push('-crf', String(spec.video.crf));
  if (spec.audio) {
    args.push('-c:a', 'aac', '-b:a', `${spec.audio.kbps ?? 64}k`);
    if (spec.audio.stereo) args.push('-ac', '2');
  }
  return [...args, ...output];
}

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

/** The tests' camera: CAMERA_LIKE in a 10 s loop at 2 Mbit/s (quicker to make, as real to the pipeline). */
export const TEST_CAMERA_LIKE: TestPatternOptions = { ...CAMERA_LIKE, seconds: 10, videoKbps: 2000 };

/**
 * A clip like a farm camera sends (H.264 High, fixed keyframe interval, AAC), encoded once and kept at `file` (reused
 * when present). Cameras then loop it with `-c copy`, which costs almost nothing, so the CPU measured belongs to the
 * pipeline under test rather than to the cameras.
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
  const args = clipArgs(
    {
      width: options.width,
      height: options.height,
      fps: options.fps,
      seconds: options.seconds,
      gopSeconds: options.gopSeconds,
      high: true,
      video: { kbps: options.videoKbps },
      ...(options.audio ? { audio: { frequency: 440, kbps: 96, stereo: true } } : {}),
    },
    ['-movflags', '+faststart', partial],
  );
  await promisify(execFile)(ffmpeg, args, { timeout: 120_000 });
  await rename(partial, file);
  return file;
}
