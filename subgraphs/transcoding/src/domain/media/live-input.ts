import type { FfmpegBinaries } from './ffmpeg-binary.ts';

/**
 * Input options for a live camera, as argv: fail fast on a dead connection (the job reconnects itself), RTSP over
 * TCP, one decoder thread (a camera stream decodes easily on one core; many cameras share the machine).
 */
export function liveInputArgs(
  url: string,
  binaries: Pick<FfmpegBinaries, 'rtspTimeoutOption'>,
  timeoutMs: number,
): string[] {
  const micro = String(Math.round(timeoutMs * 1000));
  const common = ['-fflags', '+genpts+nobuffer', '-threads', '1'];
  if (/^rtsps?:\/\//i.test(url)) return ['-rtsp_transport', 'tcp', `-${binaries.rtspTimeoutOption}`, micro, ...common];
  return ['-rw_timeout', micro, ...common];
}

/** The same, as ffprobe takes them (no decoder options). */
export function liveProbeArgs(
  url: string,
  binaries: Pick<FfmpegBinaries, 'rtspTimeoutOption'>,
  timeoutMs: number,
): string[] {
  const micro = String(Math.round(timeoutMs * 1000));
  if (/^rtsps?:\/\//i.test(url)) return ['-rtsp_transport', 'tcp', `-${binaries.rtspTimeoutOption}`, micro];
  return ['-rw_timeout', micro];
}
