import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';

export interface ProbeResult {
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  readonly durationSeconds: number | null;
}

interface FfprobeJson {
  streams?: { codec_type?: string }[];
  format?: { duration?: string };
}

/** What an input holds. Without ffprobe (npm-shipped ffmpeg only) it assumes video and audio. */
export async function probeInput(binaries: FfmpegBinaries, input: string, inputOptions: readonly string[] = [], timeoutMs = 15_000): Promise<ProbeResult> {
  if (!binaries.ffprobe) return { hasVideo: true, hasAudio: true, durationSeconds: null };
  const args = [...inputOptions.flatMap((o) => {
    const i = o.indexOf(' ');
    return i < 0 ? [o] : [o.slice(0, i), o.slice(i + 1)];
  }), '-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', input];
  const { stdout } = await promisify(execFile)(binaries.ffprobe, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 });
  const json = JSON.parse(stdout) as FfprobeJson;
  const types = new Set((json.streams ?? []).map((s) => s.codec_type));
  const duration = json.format?.duration ? Number.parseFloat(json.format.duration) : Number.NaN;
  return { hasVideo: types.has('video'), hasAudio: types.has('audio'), durationSeconds: Number.isFinite(duration) ? duration : null };
}
