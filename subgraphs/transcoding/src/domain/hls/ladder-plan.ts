import type { FfmpegPlan } from '../media/commands.ts';
import type { ProbeResult, VideoStreamInfo } from '../media/probe.ts';
import type { LadderProfile } from '../media/profiles.ts';

/** One rendition as it will be produced: passed through from the source, or encoded. */
export interface PlannedRendition {
  readonly name: string;
  readonly mode: 'copy' | 'encode';
  readonly height: number;
  /** Encoded rungs: target video bitrate. */
  readonly videoKbps: number | null;
}

export interface LadderPlan {
  readonly renditions: readonly PlannedRendition[];
  readonly audio: 'copy' | 'encode' | 'none';
  readonly audioKbps: number;
  /** Why the source is not passed through, when it is not (for logs and the job's record). */
  readonly passThroughRefused: string | null;
  /** One frame of the source (every rung keeps its frame rate), when the probe knew it: how far parts overrun. */
  readonly frameSeconds?: number | null;
}

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/** Whether browsers' MSE and every player can take the source's H.264 as it is. */
export function passThroughProblem(video: VideoStreamInfo): string | null {
  if (video.codec !== 'h264') return `source codec ${video.codec} (only H.264 is passed through)`;
  if (video.pixelFormat && !/^yuvj?420p$/.test(video.pixelFormat)) return `source pixel format ${video.pixelFormat}`;
  if (video.profile && !/^(constrained baseline|baseline|main|high)$/i.test(video.profile))
    return `source H.264 profile ${video.profile}`;
  if (video.height > 1080 || video.width > 1920) return `source resolution ${video.width}×${video.height} above 1080p`;
  return null;
}

/**
 * The ladder for a source: with a pass-through profile and an H.264 source, the source is the top rung (copied)
 * and only the profile's rungs below it are encoded; otherwise every rung up to the source's height is encoded.
 */
export function planLadder(profile: LadderProfile, probe: ProbeResult, options: { passThrough: boolean }): LadderPlan {
  const video = probe.video;
  if (!video) throw new Error('the source has no video');
  const problem = !profile.passThrough
    ? 'the profile encodes every rung'
    : !options.passThrough
      ? 'pass-through is turned off'
      : passThroughProblem(video);
  const renditions: PlannedRendition[] = [];
  if (!problem) {
    renditions.push({ name: `${video.height}p`, mode: 'copy', height: video.height, videoKbps: null });
    for (const r of profile.renditions)
      if (r.height < video.height - 8)
        renditions.push({ name: r.name, mode: 'encode', height: r.height, videoKbps: r.videoKbps });
  } else {
    for (const r of profile.renditions)
      if (r.height <= video.height)
        renditions.push({ name: r.name, mode: 'encode', height: r.height, videoKbps: r.videoKbps });
    if (!renditions.length) {
      const lowest = profile.renditions.at(-1);
      renditions.push({
        name: `${even(video.height)}p`,
        mode: 'encode',
        height: even(video.height),
        videoKbps: lowest?.videoKbps ?? 800,
      });
    }
  }
  const audio = !probe.audio ? 'none' : probe.audio.codec === 'aac' && !problem ? 'copy' : 'encode';
  return {
    renditions,
    audio,
    audioKbps: profile.audioKbps,
    passThroughRefused: problem,
    frameSeconds: video.fps ? 1 / video.fps : null,
  };
}

/**
 * The longest LL-HLS part (EXT-X-PART-INF PART-TARGET) that `-frag_duration partSeconds` produces. ffmpeg closes a
 * fragment before the first packet that finds it at least that long, so a fragment runs up to one frame past it
 * (0.52 s parts at 25 fps for 0.5 s), and RFC 8216bis makes PART-TARGET the maximum part duration. One frame more,
 * rounded up to 10 ms (timestamps of RTMP cameras jitter by a millisecond); a fifteenth of a second when the frame
 * rate is unknown.
 */
export function partTargetSeconds(partSeconds: number, frameSeconds: number | null | undefined): number {
  const frame = frameSeconds && frameSeconds > 0 && frameSeconds < 1 ? frameSeconds : 1 / 15;
  return Math.ceil((partSeconds + frame) * 100 - 1e-9) / 100;
}

export interface LadderArgsOptions {
  /** Where each rendition's fMP4 goes (unix:// or tcp://), by rendition name. */
  readonly outputs: ReadonlyMap<string, string>;
  readonly inputOptions: readonly string[];
  /** Live: fragments of about this long (LL-HLS parts, at most partTargetSeconds); VOD: one per keyframe interval. */
  readonly partSeconds: number | null;
  /** Keyframe interval of encoded rungs when the source's keyframes are not followed. */
  readonly segmentSeconds: number;
  readonly preset: string;
  readonly live: boolean;
  /** x264 threads per encoded rung (live: 1 keeps many cameras from fighting over cores). */
  readonly encoderThreads: number | null;
  /** VOD thumbnails: one every `everySeconds` into `pattern` (numbered). */
  readonly thumbnails?: { readonly pattern: string; readonly everySeconds: number } | undefined;
}

/** ffmpeg arguments for a plan: one fragmented-MP4 output per rendition (plus stills), timestamps kept in step. */
export function ladderArgs(plan: LadderPlan, options: LadderArgsOptions): FfmpegPlan {
  const followSource = plan.renditions.some((r) => r.mode === 'copy');
  const movflags = ['-f mp4', '-movflags +frag_keyframe+empty_moov+default_base_moof'];
  // ffmpeg starts a new fragment once one reaches this duration: parts of at most `partSeconds`.
  if (options.partSeconds !== null) movflags.push(`-frag_duration ${Math.round(options.partSeconds * 1_000_000)}`);
  const audio: string[] =
    plan.audio === 'none'
      ? []
      : plan.audio === 'copy'
        ? ['-map 0:a:0', '-c:a copy']
        : ['-map 0:a:0', '-c:a aac', `-b:a ${plan.audioKbps}k`, '-ac 2', '-ar 48000'];
  const outputs: { path: string; options: string[] }[] = [];
  for (const r of plan.renditions) {
    const path = options.outputs.get(r.name);
    if (!path) throw new Error(`no output for rendition ${r.name}`);
    const video: string[] = ['-map 0:v:0'];
    if (r.mode === 'copy') video.push('-c:v copy');
    else {
      const kbps = r.videoKbps ?? 800;
      video.push(
        '-c:v libx264',
        `-preset ${options.preset}`,
        ...(options.live ? ['-tune zerolatency'] : []),
        ...(options.encoderThreads ? [`-threads ${options.encoderThreads}`] : []),
        '-profile:v main',
        '-pix_fmt yuv420p',
        `-vf scale=-2:${r.height}:flags=bilinear`,
        `-b:v ${kbps}k`,
        `-maxrate ${Math.round(kbps * 1.1)}k`,
        `-bufsize ${Math.round(kbps * 1.5)}k`,
        '-sc_threshold 0',
        // Keyframes exactly where the source has them (so every rung's segments line up), or on a fixed beat.
        followSource ? '-force_key_frames source' : `-force_key_frames expr:gte(t,n_forced*${options.segmentSeconds})`,
        '-g 9999',
      );
    }
    outputs.push({ path, options: [...video, ...audio, ...movflags] });
  }
  if (options.thumbnails) {
    outputs.push({
      path: options.thumbnails.pattern,
      options: ['-map 0:v:0', `-vf fps=1/${options.thumbnails.everySeconds},scale=-2:180`, '-q:v 5', '-f image2'],
    });
  }
  return {
    inputOptions: [...options.inputOptions, ...(options.live ? ['-copyts'] : [])],
    complexFilter: null,
    outputs,
  };
}
