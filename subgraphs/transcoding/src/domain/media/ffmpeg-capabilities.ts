import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveFfmpeg, type FfmpegBinaries, type ResolveOptions } from './ffmpeg-binary.ts';

const run = async (binary: string, args: readonly string[]): Promise<string> => {
  const { stdout, stderr } = await promisify(execFile)(binary, ['-hide_banner', ...args], {
    timeout: 15_000,
    maxBuffer: 8 * 1024 * 1024,
  });
  return `${stdout}\n${stderr}`;
};

/** Names listed by `ffmpeg -encoders|-muxers|-demuxers|-filters`: the second column of each entry line. */
function listed(output: string): Set<string> {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /^\s*[A-Z.]{1,8}\s+(\S+)/.exec(line);
    if (match?.[1]) for (const name of match[1].split(',')) names.add(name);
  }
  return names;
}

/** `ffmpeg -protocols` prints "Input:" and "Output:" sections with one name per line. */
function protocols(output: string): { input: Set<string>; output: Set<string> } {
  const result = { input: new Set<string>(), output: new Set<string>() };
  let section: Set<string> | null = null;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (/^Input:?$/.test(line)) section = result.input;
    else if (/^Output:?$/.test(line)) section = result.output;
    else if (section && /^[a-z0-9_]+$/.test(line)) section.add(line);
  }
  return result;
}

/** What the live ladder, VOD, snapshots and timelapses ask of ffmpeg. */
export const REQUIRED = {
  encoders: ['libx264', 'aac', 'mjpeg'],
  decoders: ['h264', 'aac', 'mjpeg'],
  muxers: ['mp4', 'image2'],
  demuxers: ['flv', 'rtsp', 'mov', 'image2', 'concat', 'mpegts'],
  filters: ['scale', 'fps', 'split', 'setpts'],
  inputProtocols: ['rtmp', 'tcp', 'file'],
  outputProtocols: ['unix', 'file'],
  /** fMP4 fragments of a bounded duration (LL-HLS parts), cut at keyframes. */
  mp4Options: ['frag_duration', 'frag_keyframe', 'empty_moov', 'default_base_moof'],
} as const;

export interface CapabilityReport {
  readonly version: string;
  readonly missing: readonly string[];
  readonly rtspTimeoutOption: FfmpegBinaries['rtspTimeoutOption'];
}

/** Asks the binaries what they can do; `missing` names every required part they lack. */
export async function checkCapabilities(binaries: FfmpegBinaries): Promise<CapabilityReport> {
  const missing: string[] = [];
  // A question the binary cannot answer (exits non-zero, times out) counts as lacking its answer: it is reported
  // with the rest, in the one-line refusal, not thrown as a multi-line "Command failed".
  const ask = (args: readonly string[]): Promise<string> =>
    run(binaries.ffmpeg, args).catch((error: unknown) => {
      missing.push(`an answer to "ffmpeg ${args.join(' ')}" (${(error as Error).message.split('\n')[0] ?? 'failed'})`);
      return '';
    });
  const [encoders, decoders, muxers, demuxers, filters, protos, mp4, rtsp] = await Promise.all([
    ask(['-encoders']).then(listed),
    ask(['-decoders']).then(listed),
    ask(['-muxers']).then(listed),
    ask(['-demuxers']).then(listed),
    ask(['-filters']).then(listed),
    ask(['-protocols']).then(protocols),
    ask(['-h', 'muxer=mp4']),
    ask(['-h', 'demuxer=rtsp']),
  ]);
  for (const name of REQUIRED.encoders) if (!encoders.has(name)) missing.push(`encoder ${name}`);
  for (const name of REQUIRED.decoders) if (!decoders.has(name)) missing.push(`decoder ${name}`);
  for (const name of REQUIRED.muxers) if (!muxers.has(name)) missing.push(`muxer ${name}`);
  for (const name of REQUIRED.demuxers) if (!demuxers.has(name)) missing.push(`demuxer ${name}`);
  for (const name of REQUIRED.filters) if (!filters.has(name)) missing.push(`filter ${name}`);
  for (const name of REQUIRED.inputProtocols) if (!protos.input.has(name)) missing.push(`input protocol ${name}`);
  for (const name of REQUIRED.outputProtocols) if (!protos.output.has(name)) missing.push(`output protocol ${name}`);
  for (const option of REQUIRED.mp4Options)
    if (!new RegExp(`\\b${option}\\b`).test(mp4)) missing.push(`mp4 muxer option ${option}`);
  try {
    await run(binaries.ffprobe, ['-version']);
  } catch (error) {
    missing.push(
      `a working ffprobe (${binaries.ffprobe}: ${(error as Error).message.split('\n')[0] ?? 'does not run'})`,
    );
  }
  return { version: binaries.version, missing, rtspTimeoutOption: /-stimeout\b/.test(rtsp) ? 'stimeout' : 'timeout' };
}

/** Thrown at start when the ffmpeg found cannot run our commands: the message is one line, for the operator. */
export class FfmpegUnfitError extends Error {
  override readonly name = 'FfmpegUnfitError';
}

/**
 * Finds ffmpeg/ffprobe and checks once that they can do everything we ask of them; refuses (one line naming the
 * binary, its version and what it lacks) rather than letting every job fail later.
 */
export async function prepareFfmpeg(options: ResolveOptions = {}): Promise<FfmpegBinaries> {
  const binaries = await resolveFfmpeg(options);
  const report = await checkCapabilities(binaries);
  if (report.missing.length) {
    throw new FfmpegUnfitError(
      `ffmpeg at ${binaries.ffmpeg} (${report.version}) cannot run our media commands; missing: ${report.missing.join(', ')}. Set FFMPEG_PATH/FFPROBE_PATH to a full build (e.g. apt-get install ffmpeg).`,
    );
  }
  return { ...binaries, rtspTimeoutOption: report.rtspTimeoutOption };
}
