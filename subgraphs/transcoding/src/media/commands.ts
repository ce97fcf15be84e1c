import type { LadderProfile } from './profiles.ts';

/** Arguments of one ffmpeg run, in the shape fluent-ffmpeg takes them ("-option value" strings). */
export interface FfmpegPlan {
  readonly inputOptions: readonly string[];
  readonly complexFilter: string | null;
  readonly outputs: readonly { readonly path: string; readonly options: readonly string[] }[];
}

export interface LadderPlanOptions {
  readonly profile: LadderProfile;
  readonly segmentSeconds: number;
  readonly preset: string;
  readonly hasAudio: boolean;
  /** Live: a sliding window of this many segments; absent for VOD. */
  readonly liveWindowSegments?: number;
  /** A JPEG every this many seconds into thumbnails/, absent for none. */
  readonly thumbnailEverySeconds?: number;
  readonly inputOptions?: readonly string[];
}

/**
 * The HLS ladder: every rendition H.264 at a fixed frame rate with a keyframe exactly every `segmentSeconds`
 * (GOP = fps × seconds, forced keyframes, no scene-cut keyframes) so segments of all renditions align; AAC audio as
 * its own rendition group; fMP4 (CMAF) segments so the same files also serve DASH; master playlist with
 * BANDWIDTH/RESOLUTION/CODECS. Output paths are relative to the job's working directory.
 */
export function ladderPlan(options: LadderPlanOptions): FfmpegPlan {
  const { profile, segmentSeconds } = options;
  const n = profile.renditions.length;
  const thumbs = options.thumbnailEverySeconds !== undefined;
  const splits = n + (thumbs ? 1 : 0);
  const labels = Array.from({ length: splits }, (_, i) => `[s${i}]`).join('');
  const scales = profile.renditions.map((r, i) => `[s${i}]scale=-2:${r.height}[v${i}]`);
  if (thumbs) scales.push(`[s${n}]fps=1/${options.thumbnailEverySeconds},scale=-2:180[thumb]`);
  const complexFilter = `[0:v]fps=${profile.fps},split=${splits}${labels};${scales.join(';')}`;

  const gop = profile.fps * segmentSeconds;
  const hls: string[] = [];
  profile.renditions.forEach((r, i) => {
    hls.push(`-map [v${i}]`, `-b:v:${i} ${r.videoKbps}k`, `-maxrate:v:${i} ${Math.round(r.videoKbps * 1.07)}k`, `-bufsize:v:${i} ${Math.round(r.videoKbps * 1.5)}k`);
  });
  if (options.hasAudio) hls.push('-map 0:a:0', '-c:a aac', `-b:a ${profile.audioKbps}k`, '-ac 2', '-ar 48000');
  hls.push(
    '-c:v libx264',
    `-preset ${options.preset}`,
    '-profile:v main',
    '-pix_fmt yuv420p',
    `-g ${gop}`,
    `-keyint_min ${gop}`,
    '-sc_threshold 0',
    `-force_key_frames expr:gte(t,n_forced*${segmentSeconds})`,
    '-f hls',
    `-hls_time ${segmentSeconds}`,
    '-hls_segment_type fmp4',
    '-hls_fmp4_init_filename init.mp4',
    '-master_pl_name master.m3u8',
  );
  const streams = profile.renditions.map((r, i) => `v:${i}${options.hasAudio ? ',agroup:aud' : ''},name:${r.name}`);
  if (options.hasAudio) streams.push('a:0,agroup:aud,name:audio');
  hls.push(`-var_stream_map ${streams.join(' ')}`);
  if (options.liveWindowSegments !== undefined) {
    hls.push(
      `-hls_list_size ${options.liveWindowSegments}`,
      '-hls_flags independent_segments+temp_file+delete_segments+program_date_time+discont_start',
      '-hls_delete_threshold 2',
      // Sequence numbers from the clock, so a restart after a reconnect continues the numbering.
      '-hls_start_number_source datetime',
      '-hls_segment_filename %v/seg_%d.m4s',
    );
  } else {
    // EVENT while encoding so playlists (and the master) appear as segments do; the uploader publishes the
    // finished playlist as VOD.
    hls.push('-hls_playlist_type event', '-hls_flags independent_segments+temp_file', '-hls_segment_filename %v/seg_%05d.m4s');
  }
  const outputs: { path: string; options: string[] }[] = [{ path: '%v/index.m3u8', options: hls }];
  if (thumbs) {
    // Live names carry the wall-clock time, so a restart after a reconnect never reuses a name.
    const live = options.liveWindowSegments !== undefined;
    outputs.push({ path: live ? 'thumbnails/thumb_%Y%m%d-%H%M%S.jpg' : 'thumbnails/thumb_%05d.jpg', options: ['-map [thumb]', '-f image2', '-q:v 5', ...(live ? ['-strftime 1'] : [])] });
  }
  return { inputOptions: options.inputOptions ?? [], complexFilter, outputs };
}

/** Input options for a live source: fail fast on a dead connection so the job can reconnect. */
export function liveInputOptions(url: string, timeoutMs = 5_000): string[] {
  const micro = String(timeoutMs * 1000);
  if (url.startsWith('rtsp://') || url.startsWith('rtsps://')) return ['-rtsp_transport tcp', `-timeout ${micro}`, '-fflags +genpts'];
  return [`-rw_timeout ${micro}`, '-fflags +genpts'];
}

/** A timelapse: still frames at `frameRate` (snapshots), or a recording sped up by `speedUp`. */
export function timelapsePlan(input: { kind: 'frames'; frameRate: number } | { kind: 'recording'; speedUp: number }, preset: string, output: string): FfmpegPlan {
  const base = ['-c:v libx264', `-preset ${preset}`, '-pix_fmt yuv420p', '-movflags +faststart', '-an'];
  if (input.kind === 'frames') {
    return {
      inputOptions: [`-framerate ${input.frameRate}`],
      complexFilter: null,
      outputs: [{ path: output, options: ['-vf scale=-2:720:flags=bicubic,fps=30', ...base] }],
    };
  }
  return {
    inputOptions: [],
    complexFilter: null,
    outputs: [{ path: output, options: [`-vf setpts=PTS/${input.speedUp},fps=30,scale=-2:720`, ...base] }],
  };
}

/** Thumbnails only: one JPEG every `everySeconds`. */
export function thumbnailPlan(everySeconds: number): FfmpegPlan {
  return { inputOptions: [], complexFilter: null, outputs: [{ path: 'thumbnails/thumb_%05d.jpg', options: ['-map 0:v:0', `-vf fps=1/${everySeconds},scale=-2:360`, '-f image2', '-q:v 4'] }] };
}
