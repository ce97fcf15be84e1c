import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as HLS from 'hls-parser';
import { clipArgs } from '@vegshare/tools/demo-cameras/test-pattern';
import {
  ladderArgs,
  partTargetSeconds,
  planLadder,
  type LadderArgsOptions,
  type LadderPlan,
} from '../src/domain/hls/ladder-plan.ts';
import { livePlaylist } from '../src/domain/hls/playlists.ts';
import { RenditionTimeline } from '../src/domain/hls/timeline.ts';
import type { FfmpegBinaries } from '../src/domain/media/ffmpeg-binary.ts';
import { FragmentStream, type MediaFragment } from '../src/domain/media/fmp4/fragment-stream.ts';
import type { InitSegment } from '../src/domain/media/fmp4/init-segment.ts';
import { probeInput, type ProbeResult, type VideoStreamInfo } from '../src/domain/media/probe.ts';
import { profiles, type LadderProfile } from '../src/domain/media/profiles.ts';
import { runFfmpeg, toArgs } from '../src/domain/media/run-ffmpeg.ts';

const LIVE = profiles['live-hls-ladder']!;
const VOD = profiles['hls-720-480-360']!;

const h264 = (over: Partial<VideoStreamInfo> = {}): VideoStreamInfo => ({
  codec: 'h264',
  profile: 'High',
  pixelFormat: 'yuv420p',
  width: 1280,
  height: 720,
  fps: 25,
  bitRate: null,
  ...over,
});
const probe = (
  video: VideoStreamInfo | null,
  audio: ProbeResult['audio'] = { codec: 'aac', profile: 'LC', sampleRate: 48_000, channels: 2 },
): ProbeResult => ({ video, audio, durationSeconds: null });
const summary = (plan: LadderPlan) => plan.renditions.map((r) => `${r.name}:${r.mode}`);

describe('planLadder', () => {
  it('passes an H.264 High yuv420p 720p camera through and encodes only the 360p rung', () => {
    const plan = planLadder(LIVE, probe(h264()), { passThrough: true });
    expect(summary(plan)).toEqual(['720p:copy', '360p:encode']);
    expect(plan.renditions[0]).toMatchObject({ height: 720, videoKbps: null });
    expect(plan.renditions[1]).toMatchObject({ height: 360, videoKbps: 800 });
    expect(plan.audio).toBe('copy');
    expect(plan.passThroughRefused).toBeNull();
    // Constrained baseline, main, yuvj420p (many IP cameras) and a 1080p camera pass through as well.
    for (const video of [
      h264({ profile: 'Constrained Baseline' }),
      h264({ profile: 'Main' }),
      h264({ pixelFormat: 'yuvj420p' }),
    ])
      expect(summary(planLadder(LIVE, probe(video), { passThrough: true }))).toEqual(['720p:copy', '360p:encode']);
    expect(summary(planLadder(LIVE, probe(h264({ width: 1920, height: 1080 })), { passThrough: true }))).toEqual([
      '1080p:copy',
      '720p:encode',
      '360p:encode',
    ]);
  });

  it('encodes every rung for HEVC, 10-bit, 4:4:4, High 10 or a source above 1080p, and says why', () => {
    const cases: [VideoStreamInfo, RegExp][] = [
      [h264({ codec: 'hevc', profile: 'Main' }), /codec hevc/],
      [h264({ pixelFormat: 'yuv420p10le' }), /pixel format yuv420p10le/],
      [h264({ pixelFormat: 'yuv444p' }), /pixel format yuv444p/],
      [h264({ profile: 'High 10' }), /profile High 10/],
      [h264({ profile: 'High 4:4:4 Predictive' }), /profile High 4:4:4/],
      [h264({ width: 2560, height: 1440 }), /2560×1440 above 1080p/],
      [h264({ width: 3840, height: 1080 }), /above 1080p/],
    ];
    for (const [video, reason] of cases) {
      const plan = planLadder(LIVE, probe(video), { passThrough: true });
      expect(plan.passThroughRefused).toMatch(reason);
      expect(plan.renditions.every((r) => r.mode === 'encode')).toBe(true);
      expect(plan.renditions.length).toBeGreaterThan(0);
      expect(plan.renditions.every((r) => r.height <= video.height)).toBe(true);
      // Encoded video, so the audio is encoded too (its timestamps are not followed from the source).
      expect(plan.audio).toBe('encode');
    }
    expect(summary(planLadder(LIVE, probe(h264({ codec: 'hevc' })), { passThrough: true }))).toEqual([
      '720p:encode',
      '360p:encode',
    ]);
  });

  it('copies a 360p camera only (no rung below it), and encodes a source smaller than every rung at its own size', () => {
    expect(summary(planLadder(LIVE, probe(h264({ width: 640, height: 360 })), { passThrough: true }))).toEqual([
      '360p:copy',
    ]);
    // Within 8 lines of a rung counts as that rung (368p source: no extra 360p).
    expect(summary(planLadder(LIVE, probe(h264({ width: 654, height: 368 })), { passThrough: true }))).toEqual([
      '368p:copy',
    ]);
    expect(summary(planLadder(LIVE, probe(h264({ width: 656, height: 369 })), { passThrough: true }))).toEqual([
      '369p:copy',
      '360p:encode',
    ]);
    const tiny = planLadder(VOD, probe(h264({ codec: 'mpeg4', width: 320, height: 241 })), { passThrough: false });
    expect(tiny.renditions).toEqual([{ name: '242p', mode: 'encode', height: 242, videoKbps: 800 }]);
  });

  it('encodes everything when pass-through is off or the profile encodes every rung', () => {
    const off = planLadder(LIVE, probe(h264()), { passThrough: false });
    expect(summary(off)).toEqual(['720p:encode', '360p:encode']);
    expect(off.passThroughRefused).toBe('pass-through is turned off');
    const vod = planLadder(VOD, probe(h264()), { passThrough: true });
    expect(summary(vod)).toEqual(['720p:encode', '480p:encode', '360p:encode']);
    expect(vod.passThroughRefused).toBe('the profile encodes every rung');
  });

  it('copies AAC audio beside a copied video, encodes any other audio, and plans none without audio', () => {
    expect(planLadder(LIVE, probe(h264()), { passThrough: true }).audio).toBe('copy');
    expect(
      planLadder(LIVE, probe(h264(), { codec: 'pcm_alaw', profile: null, sampleRate: 8000, channels: 1 }), {
        passThrough: true,
      }).audio,
    ).toBe('encode');
    expect(
      planLadder(LIVE, probe(h264(), { codec: 'opus', profile: null, sampleRate: 48_000, channels: 2 }), {
        passThrough: true,
      }).audio,
    ).toBe('encode');
    expect(planLadder(LIVE, probe(h264(), null), { passThrough: true }).audio).toBe('none');
    expect(() => planLadder(LIVE, probe(null), { passThrough: true })).toThrow(/no video/);
  });
});

describe('partTargetSeconds', () => {
  it('is the part length plus one frame, rounded up to 10 ms', () => {
    expect(partTargetSeconds(0.5, 1 / 25)).toBe(0.54);
    expect(partTargetSeconds(0.5, 1 / 30)).toBe(0.54);
    expect(partTargetSeconds(0.5, 1001 / 30_000)).toBe(0.54);
    expect(partTargetSeconds(0.5, 1 / 24)).toBe(0.55);
    expect(partTargetSeconds(0.5, 1 / 10)).toBe(0.6);
    expect(partTargetSeconds(0.33, 1 / 30)).toBe(0.37);
    // Unknown frame rate: a fifteenth of a second.
    expect(partTargetSeconds(0.5, null)).toBe(0.57);
    expect(partTargetSeconds(0.5, undefined)).toBe(0.57);
    expect(planLadder(LIVE, probe(h264({ fps: 25 })), { passThrough: true }).frameSeconds).toBe(0.04);
    expect(planLadder(LIVE, probe(h264({ fps: null })), { passThrough: true }).frameSeconds).toBeNull();
  });
});

describe('ladderArgs', () => {
  const outputs = new Map([
    ['720p', 'unix:///tmp/ladder/720p.sock'],
    ['360p', 'unix:///tmp/ladder/360p.sock'],
    ['480p', 'unix:///tmp/ladder/480p.sock'],
  ]);
  const base: LadderArgsOptions = {
    outputs,
    inputOptions: ['-rw_timeout 3000000'],
    partSeconds: 0.5,
    segmentSeconds: 2,
    preset: 'veryfast',
    live: true,
    encoderThreads: 1,
  };
  const argv = (options: readonly string[]) => toArgs(options);

  it('live pass-through: the copied rung is remuxed, the encoded rung takes its keyframes from the source', () => {
    const plan = planLadder(LIVE, probe(h264()), { passThrough: true });
    const args = ladderArgs(plan, base);
    expect(args.inputOptions).toEqual(['-rw_timeout 3000000', '-copyts']);
    expect(args.outputs.map((o) => o.path)).toEqual(['unix:///tmp/ladder/720p.sock', 'unix:///tmp/ladder/360p.sock']);
    const [copy, encoded] = args.outputs.map((o) => argv(o.options));
    expect(copy).toEqual(
      expect.arrayContaining([
        '-c:v',
        'copy',
        '-c:a',
        'copy',
        '-f',
        'mp4',
        '-movflags',
        '+frag_keyframe+empty_moov+default_base_moof',
        '-frag_duration',
      ]),
    );
    expect(copy).not.toContain('libx264');
    expect(encoded).toEqual(
      expect.arrayContaining([
        '-c:v',
        'libx264',
        '-tune',
        'zerolatency',
        '-threads',
        '1',
        '-force_key_frames',
        'source',
        '-vf',
        'scale=-2:360:flags=bilinear',
        '-b:v',
        '800k',
      ]),
    );
    expect(encoded!.join(' ')).not.toContain('n_forced');
    // Every output is one fragmented MP4 with bounded fragments: the LL-HLS parts.
    for (const o of [copy!, encoded!]) expect(o[o.indexOf('-frag_duration') + 1]).toMatch(/^\d+$/);
  });

  it('fully encoded: keyframes on a fixed beat; VOD: no -frag_duration, no -copyts, no zerolatency', () => {
    const plan = planLadder(VOD, probe(h264()), { passThrough: false });
    const args = ladderArgs(plan, { ...base, live: false, partSeconds: null, encoderThreads: null, inputOptions: [] });
    expect(args.inputOptions).toEqual([]);
    for (const o of args.outputs) {
      const a = argv(o.options);
      expect(a).toEqual(
        expect.arrayContaining(['-force_key_frames', 'expr:gte(t,n_forced*2)', '-c:a', 'aac', '-ar', '48000']),
      );
      expect(a).not.toContain('-frag_duration');
      expect(a).not.toContain('zerolatency');
      expect(a).not.toContain('-threads');
    }
    expect(() => ladderArgs(plan, { ...base, outputs: new Map() })).toThrow(/no output for rendition 720p/);
  });

  // (Live snapshots for timelapses are not an ffmpeg output: they are taken from finished segments.)
  it('adds a thumbnail output when asked, and no audio mapping without audio', () => {
    const plan = planLadder(LIVE, probe(h264(), null), { passThrough: true });
    const args = ladderArgs(plan, { ...base, thumbnails: { pattern: 'thumbs/t_%05d.jpg', everySeconds: 5 } });
    expect(args.outputs.map((o) => o.path)).toEqual([
      'unix:///tmp/ladder/720p.sock',
      'unix:///tmp/ladder/360p.sock',
      'thumbs/t_%05d.jpg',
    ]);
    expect(argv(args.outputs[2]!.options)).toEqual([
      '-map',
      '0:v:0',
      '-vf',
      'fps=1/5,scale=-2:180',
      '-q:v',
      '5',
      '-f',
      'image2',
    ]);
    for (const o of args.outputs.slice(0, 2)) expect(o.options.join(' ')).not.toContain('0:a');
    expect(ladderArgs(plan, base).outputs).toHaveLength(2);
  });
});

/**
 * The arguments run by both ffmpeg builds on a real H.264 + AAC source: every output is an fMP4 our reader takes,
 * the encoded rung's keyframes fall where the source's do, and live parts stay within the part target.
 */
const require = createRequire(import.meta.url);
const BUILDS = [
  { name: 'Debian ffmpeg 5.1', ffmpeg: '/usr/bin/ffmpeg' },
  { name: 'npm @ffmpeg-installer 4.1', ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path },
] as const;
/** A small pass-through profile: the 360p source copied, a 180p rung encoded. */
const SMALL: LadderProfile = {
  name: 'small',
  passThrough: true,
  audioKbps: 64,
  renditions: [
    { name: '360p', height: 360, videoKbps: 600 },
    { name: '180p', height: 180, videoKbps: 200 },
  ],
};

interface Output {
  init: InitSegment | null;
  fragments: MediaFragment[];
}

async function readOutput(path: string): Promise<Output> {
  const out: Output = { init: null, fragments: [] };
  new FragmentStream({ init: (i) => (out.init = i), fragment: (f) => out.fragments.push(f) }).push(
    await readFile(path),
  );
  return out;
}

const dir = await mkdtemp(join(tmpdir(), 'vegshare-ladder-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(BUILDS)('ladderArgs run by $name', (build) => {
  const binaries: FfmpegBinaries = {
    ffmpeg: build.ffmpeg,
    ffprobe: '/usr/bin/ffprobe',
    version: build.name,
    ffmpegSource: 'config',
    ffprobeSource: 'path',
    rtspTimeoutOption: 'timeout',
  };
  const source = join(dir, `${build.name.replace(/\W+/g, '-')}-source.mp4`);
  let sourceProbe: ProbeResult;

  beforeAll(async () => {
    // A camera-like source: 25 fps H.264 High, a keyframe every second, AAC.
    await promisify(execFile)(
      build.ffmpeg,
      clipArgs({ width: 640, height: 360, fps: 25, seconds: 4, gopSeconds: 1, high: true, audio: { frequency: 300 } }, [
        source,
      ]),
      { timeout: 60_000 },
    );
    sourceProbe = await probeInput(binaries, source);
  }, 90_000);

  async function runLadder(name: string, live: boolean): Promise<{ plan: LadderPlan; outputs: Map<string, Output> }> {
    const plan = planLadder(SMALL, sourceProbe, { passThrough: true });
    expect(summary(plan)).toEqual(['360p:copy', '180p:encode']);
    const paths = new Map(plan.renditions.map((r) => [r.name, join(dir, `${name}-${r.name}.mp4`)]));
    const outcome = await runFfmpeg({
      binaries,
      input: source,
      plan: ladderArgs(plan, {
        outputs: paths,
        inputOptions: [],
        partSeconds: live ? 0.5 : null,
        segmentSeconds: 1,
        preset: 'veryfast',
        live,
        encoderThreads: 1,
      }),
      cwd: dir,
      signal: new AbortController().signal,
      killGraceMs: 1_000,
    });
    expect(outcome).toEqual({ kind: 'finished' });
    const outputs = new Map<string, Output>();
    for (const [rendition, path] of paths) outputs.set(rendition, await readOutput(path));
    return { plan, outputs };
  }

  it('live: both rungs are fMP4 with the source codec copied, keyframes aligned, and parts within the part target', async () => {
    const { plan, outputs } = await runLadder(`${build.name.replace(/\W+/g, '-')}-live`, true);
    const copy = outputs.get('360p')!;
    const encoded = outputs.get('180p')!;
    const video = (o: Output) => o.init!.tracks.find((t) => t.kind === 'video')!;
    expect(video(copy)).toMatchObject({ width: 640, height: 360 });
    expect(video(copy).codec).toMatch(/^avc1\.64/);
    expect(video(encoded)).toMatchObject({ width: 320, height: 180 });
    expect(video(encoded).codec).toMatch(/^avc1\.4d/);
    for (const o of [copy, encoded]) expect(o.init!.tracks.find((t) => t.kind === 'audio')?.codec).toBe('mp4a.40.2');
    // -force_key_frames source: the encoded rung starts a GOP wherever the source does (segments line up).
    const keyStarts = (o: Output) =>
      o.fragments.filter((f) => f.independent).map((f) => f.start - o.fragments[0]!.start);
    expect(keyStarts(copy)).toHaveLength(4);
    expect(keyStarts(encoded)).toHaveLength(4);
    keyStarts(encoded).forEach((t, i) => expect(Math.abs(t - keyStarts(copy)[i]!)).toBeLessThan(0.05));
    // LL-HLS: no part is longer than the PART-TARGET the playlist announces, and every part but the last before a
    // keyframe is at least 85% of it (RFC 8216bis EXT-X-PART).
    const target = partTargetSeconds(0.5, plan.frameSeconds);
    expect(target).toBe(0.54);
    for (const o of [copy, encoded]) {
      expect(Math.max(...o.fragments.map((f) => f.duration))).toBeLessThanOrEqual(target);
      o.fragments.forEach((f, i) => {
        const next = o.fragments[i + 1];
        if (next && !next.independent) expect(f.duration).toBeGreaterThanOrEqual(0.85 * target);
      });
      expect(o.fragments.reduce((t, f) => t + f.duration, 0)).toBeCloseTo(4, 1);
      // The playlist cut from these fragments is one hls-parser finds nothing wrong with but the optional preload hint.
      const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
      timeline.startRun('init-a.mp4', false);
      const segments = o.fragments.flatMap((f) => timeline.add(f, (m) => 1_900_000_000 + m)?.closed ?? []);
      const text = livePlaylist({
        segments: [...segments, timeline.current!],
        targetDuration: 4,
        partTarget: target,
        partWindowSeconds: 1.5,
        discontinuitySequence: 0,
        renditionReports: [],
      });
      const complaints: string[] = [];
      HLS.setOptions({ strictMode: false, silent: false });
      const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void complaints.push(String(m)));
      try {
        HLS.parse(text);
      } finally {
        spy.mockRestore();
      }
      expect(complaints.filter((c) => !/EXT-X-PRELOAD-HINT/.test(c))).toEqual([]);
    }
  }, 90_000);

  it('VOD: one fragment per keyframe interval', async () => {
    const { outputs } = await runLadder(`${build.name.replace(/\W+/g, '-')}-vod`, false);
    for (const o of outputs.values()) {
      expect(o.fragments.length).toBe(4);
      expect(o.fragments.every((f) => f.independent)).toBe(true);
    }
  }, 90_000);
});
