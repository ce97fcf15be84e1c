import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';

export interface VideoStreamInfo {
  readonly codec: string;
  /** e.g. "High", "Main", "Constrained Baseline". */
  readonly profile: string | null;
  readonly pixelFormat: string | null;
  readonly width: number;
  readonly height: number;
  readonly fps: number | null;
  readonly bitRate: number | null;
}

export interface AudioStreamInfo {
  readonly codec: string;
  readonly profile: string | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

export interface ProbeResult {
  readonly video: VideoStreamInfo | null;
  readonly audio: AudioStreamInfo | null;
  readonly durationSeconds: number | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  sample_rate?: string;
  channels?: number;
}
interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { duration?: string };
}

const rate = (text: string | undefined): number | null => {
  if (!text) return null;
  const [n, d] = text.split('/').map(Number);
  const value = d ? (n ?? 0) / d : Number(n);
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : null;
};
const num = (text: string | undefined): number | null => {
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : null;
};

/** ffprobe's view of an input: its first video and audio streams and its duration. */
export async function probeInput(
  binaries: FfmpegBinaries,
  input: string,
  inputArgs: readonly string[] = [],
  timeoutMs = 15_000,
): Promise<ProbeResult> {
  const args = [...inputArgs, '-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', input];
  const { stdout } = await promisify(execFile)(binaries.ffprobe, args, {
    timeout: timeoutMs,
    maxBuffer: 4 * 1024 * 1024,
  });
  const json = JSON.parse(stdout) as FfprobeJson;
  const v = json.streams?.find((s) => s.codec_type === 'video' && s.width && s.height);
  const a = json.streams?.find((s) => s.codec_type === 'audio');
  return {
    video: v
      ? {
          codec: v.codec_name ?? 'unknown',
          profile: v.profile ?? null,
          pixelFormat: v.pix_fmt ?? null,
          width: v.width ?? 0,
          height: v.height ?? 0,
          fps: rate(v.avg_frame_rate) ?? rate(v.r_frame_rate),
          bitRate: num(v.bit_rate),
        }
      : null,
    audio: a
      ? {
          codec: a.codec_name ?? 'unknown',
          profile: a.profile ?? null,
          sampleRate: num(a.sample_rate),
          channels: a.channels ?? null,
        }
      : null,
    durationSeconds: num(json.format?.duration),
  };
}
