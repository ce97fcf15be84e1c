import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { clipArgs } from '@vegshare/tools/demo-cameras/test-pattern';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxesIn, Mp4FormatError, payloadOf, type Box } from '../src/domain/media/fmp4/boxes.ts';
import { FragmentStream, type MediaFragment } from '../src/domain/media/fmp4/fragment-stream.ts';
import { parseInitSegment, type InitSegment } from '../src/domain/media/fmp4/init-segment.ts';
import { parseFragment } from '../src/domain/media/fmp4/media-fragment.ts';

/**
 * The fMP4 reader against what real ffmpeg builds write: Debian's 5.1 and the 2018 4.1 build npm ships. ffprobe
 * (Debian's) is the oracle for codecs, timescales, durations and keyframes.
 */
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const BUILDS = [
  { name: 'Debian ffmpeg 5.1', path: '/usr/bin/ffmpeg' },
  { name: 'npm @ffmpeg-installer 4.1', path: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path },
] as const;
const FFPROBE = '/usr/bin/ffprobe';

/** 4.2 s of 25 fps H.264 High (keyframe every second, B-frames) + AAC-LC, as a live fragmented MP4 of ≤ 0.5 s fragments. */
const encodeArgs = (out: string): string[] =>
  clipArgs({ width: 320, height: 180, fps: 25, seconds: 4.2, gopSeconds: 1, high: true, audio: { frequency: 440 } }, [
    '-f',
    'mp4',
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration',
    '500000',
    out,
  ]);

interface Probe {
  readonly video: { profile: string; level: number; width: number; height: number; timescale: number };
  readonly audio: { profile: string; timescale: number; sampleRate: number };
  /** Video packets in decode order (seconds). */
  readonly packets: { dts: number; pts: number; duration: number; key: boolean }[];
  /** Decode times of the video and audio packets in their track's timescale. */
  readonly videoDts: number[];
  readonly audioDts: number[];
  /** Presentation times of the frames ffprobe decodes as key frames. */
  readonly keyFramePts: number[];
}

async function probe(file: string): Promise<Probe> {
  const json = async (args: string[]) =>
    JSON.parse(
      (await run(FFPROBE, ['-v', 'error', '-of', 'json', ...args, file], { maxBuffer: 64 << 20 })).stdout,
    ) as Record<string, Record<string, string | number>[]>;
  const streams = (await json(['-show_entries', 'stream=codec_type,profile,level,width,height,time_base,sample_rate']))
    .streams!;
  const v = streams.find((s) => s['codec_type'] === 'video')!;
  const a = streams.find((s) => s['codec_type'] === 'audio')!;
  const timescale = (tb: unknown) => Number(String(tb).split('/')[1]);
  const packets = (
    await json(['-select_streams', 'v:0', '-show_entries', 'packet=dts,dts_time,pts_time,duration_time,flags'])
  ).packets!;
  const audioPackets = (await json(['-select_streams', 'a:0', '-show_entries', 'packet=dts'])).packets!;
  const frames = (await json(['-select_streams', 'v:0', '-show_entries', 'frame=key_frame,best_effort_timestamp_time']))
    .frames!;
  return {
    video: {
      profile: String(v['profile']),
      level: Number(v['level']),
      width: Number(v['width']),
      height: Number(v['height']),
      timescale: timescale(v['time_base']),
    },
    audio: {
      profile: String(a['profile']),
      timescale: timescale(a['time_base']),
      sampleRate: Number(a['sample_rate']),
    },
    packets: packets.map((p) => ({
      dts: Number(p['dts_time']),
      pts: Number(p['pts_time']),
      duration: Number(p['duration_time']),
      key: String(p['flags']).startsWith('K'),
    })),
    videoDts: packets.map((p) => Number(p['dts'])),
    audioDts: audioPackets.map((p) => Number(p['dts'])),
    keyFramePts: frames.filter((f) => Number(f['key_frame']) === 1).map((f) => Number(f['best_effort_timestamp_time'])),
  };
}

interface Parsed {
  init: InitSegment | null;
  inits: number;
  fragments: MediaFragment[];
}

function parseAll(chunks: Iterable<Buffer>, maxBoxBytes?: number): Parsed {
  const out: Parsed = { init: null, inits: 0, fragments: [] };
  const stream = new FragmentStream(
    {
      init: (init) => {
        out.init = init;
        out.inits += 1;
      },
      fragment: (f) => out.fragments.push(f),
    },
    maxBoxBytes,
  );
  for (const chunk of chunks) stream.push(chunk);
  return out;
}

/** `data` cut at the given offsets (sorted, deduplicated, within the buffer). */
function split(data: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), data.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, data.length]) {
    if (p > at) out.push(Buffer.from(data.subarray(at, p)));
    at = p;
  }
  return out;
}

const box = (type: string, ...payload: Buffer[]): Buffer => {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
};
const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

/** Offset of the first box of `type` anywhere below `data` (walking the container boxes of a fragment and moov). */
function findBox(data: Buffer, type: string, base = 0): { offset: number; box: Box } | null {
  const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf']);
  let offset = 0;
  for (const b of boxesIn(data)) {
    if (b.type === type) return { offset: base + offset, box: b };
    if (containers.has(b.type)) {
      const inner = findBox(payloadOf(b), type, base + offset + b.headerSize);
      if (inner) return inner;
    }
    offset += b.bytes.length;
  }
  return null;
}

/** Only Mp4FormatError may escape; anything else (a RangeError from a Buffer read, a TypeError) is a bug. */
function expectOnlyFormatErrors(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof Mp4FormatError)) throw error;
  }
}

const dir = await mkdtemp(join(tmpdir(), 'vegshare-fmp4-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(BUILDS)('fragmented MP4 written by $name', (build) => {
  let file: Buffer;
  let facts: Probe;
  let parsed: Parsed;

  beforeAll(async () => {
    const out = join(dir, `${build.name.replace(/\W+/g, '-')}.mp4`);
    await run(build.path, encodeArgs(out), { timeout: 60_000 });
    file = await readFile(out);
    facts = await probe(out);
    parsed = parseAll([file]);
  }, 90_000);

  it('reads the tracks: RFC 6381 codec strings, picture size and timescales as ffprobe sees them', () => {
    expect(parsed.inits).toBe(1);
    const init = parsed.init!;
    const video = init.tracks.find((t) => t.kind === 'video')!;
    const audio = init.tracks.find((t) => t.kind === 'audio')!;
    expect(facts.video.profile).toBe('High');
    // avc1.PPCCLL: High is profile_idc 100 (0x64), no constraint flags, level_idc as ffprobe reports it.
    expect(video.codec).toBe(`avc1.6400${facts.video.level.toString(16).padStart(2, '0')}`);
    expect(video.codec).toMatch(/^avc1\.64[0-9a-f]{4}$/);
    expect([video.width, video.height]).toEqual([facts.video.width, facts.video.height]);
    expect([video.width, video.height]).toEqual([320, 180]);
    expect(video.timescale).toBe(facts.video.timescale);
    expect(facts.audio.profile).toBe('LC');
    expect(audio.codec).toBe('mp4a.40.2');
    expect(audio.timescale).toBe(facts.audio.timescale);
    expect(audio.width).toBeNull();
    // The initialisation segment is the file's head exactly (it becomes EXT-X-MAP).
    expect(init.bytes.equals(file.subarray(0, init.bytes.length))).toBe(true);
    expect([...boxesIn(init.bytes)].map((b) => b.type)).toEqual(['ftyp', 'moov']);
  });

  it('cuts fragments whose video durations add up to the media duration, back to back from 0', () => {
    const { fragments } = parsed;
    expect(fragments.length).toBeGreaterThanOrEqual(8);
    const total = fragments.reduce((t, f) => t + f.duration, 0);
    const probed = facts.packets.reduce((t, p) => t + p.duration, 0);
    expect(total).toBeCloseTo(probed, 6);
    expect(total).toBeCloseTo(4.2, 6);
    let expected = 0;
    for (const f of fragments) {
      expect(f.start).toBeCloseTo(expected, 6);
      expected += f.duration;
      // -frag_duration 500000: no fragment is longer than half a second plus one frame.
      expect(f.duration).toBeLessThanOrEqual(0.5 + 0.04 + 1e-9);
    }
  });

  it('reads the decode time and sample count of every run as ffprobe sees the packets, video and audio', () => {
    for (const track of parsed.init!.tracks) {
      const dts = track.kind === 'video' ? facts.videoDts : facts.audioDts;
      let index = 0;
      let end = 0;
      for (const f of parsed.fragments) {
        const r = f.runs.find((x) => x.trackId === track.id);
        if (!r) continue;
        // Each run starts at the decode time of its first packet, right where the previous run ended.
        expect(r.baseTime).toBe(dts[index]);
        expect(r.baseTime).toBe(end);
        index += r.samples;
        end = r.baseTime + r.duration;
      }
      expect(index).toBe(dts.length);
      expect(end).toBeGreaterThan(dts.at(-1)!);
    }
  });

  it('marks a fragment independent exactly when it starts with a keyframe', () => {
    const keyDts = facts.packets.filter((p) => p.key).map((p) => p.dts);
    // ffprobe's decoded key frames are the packets it flags K.
    expect(facts.keyFramePts.map((t) => t.toFixed(4))).toEqual(
      facts.packets.filter((p) => p.key).map((p) => p.pts.toFixed(4)),
    );
    expect(keyDts.map((t) => t.toFixed(3))).toEqual(['0.000', '1.000', '2.000', '3.000', '4.000']);
    const independentStarts = parsed.fragments.filter((f) => f.independent).map((f) => f.start.toFixed(3));
    expect(independentStarts).toEqual(keyDts.map((t) => t.toFixed(3)));
    // frag_keyframe: every keyframe starts a fragment, and fragments between keyframes exist (0.5 s parts).
    expect(parsed.fragments.some((f) => !f.independent)).toBe(true);
  });

  it('hands over each fragment as moof + mdat, the bytes that follow the init segment in the file', () => {
    let offset = parsed.init!.bytes.length;
    for (const f of parsed.fragments) {
      expect([...boxesIn(f.bytes)].map((b) => b.type)).toEqual(['moof', 'mdat']);
      expect(f.bytes.equals(file.subarray(offset, offset + f.bytes.length))).toBe(true);
      offset += f.bytes.length;
    }
    // What is left is the index ffmpeg appends at the end (mfra), which is not media.
    expect([...boxesIn(file.subarray(offset))].map((b) => b.type).every((t) => t === 'mfra')).toBe(true);
  });

  it('gives the same init segment and fragments wherever the byte stream is cut', () => {
    const describeAll = (p: Parsed) => ({
      init: p.init?.bytes.toString('base64'),
      inits: p.inits,
      fragments: p.fragments.map((f) => ({
        start: f.start,
        duration: f.duration,
        independent: f.independent,
        bytes: f.bytes.toString('base64'),
      })),
    });
    const whole = describeAll(parsed);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: file.length }), { maxLength: 60 }), (cuts) => {
        expect(describeAll(parseAll(split(file, cuts)))).toEqual(whole);
      }),
      { numRuns: 60 },
    );
    // Byte by byte around the first boxes (every header split in every way).
    expect(
      describeAll(
        parseAll(
          split(
            file,
            Array.from({ length: 2048 }, (_, i) => i),
          ),
        ),
      ),
    ).toEqual(whole);
  });

  it('refuses the truncated initialisation segment with Mp4FormatError at every length', () => {
    const init = parsed.init!.bytes;
    for (let n = 1; n < init.length; n += 1)
      expect(() => parseInitSegment(init.subarray(0, n))).toThrow(Mp4FormatError);
  });

  it('throws only Mp4FormatError, and quickly, for a stream with corrupted bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (edits, inHeader) => {
          const corrupt = Buffer.from(file);
          // Half the runs aim at the boxes' fields (first 4 KiB and each moof), where parsing decisions are made.
          const region = inHeader ? Math.min(4096, corrupt.length) : corrupt.length;
          for (const { at, value } of edits) corrupt[at % region] = value;
          const started = Date.now();
          expectOnlyFormatErrors(() => parseAll([corrupt], 1 << 20));
          expect(Date.now() - started).toBeLessThan(2_000);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('throws only Mp4FormatError for corrupted fields of every moof', () => {
    const init = parsed.init!;
    fc.assert(
      fc.property(
        fc.nat(parsed.fragments.length - 1),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (which, at, value) => {
          const fragment = parsed.fragments[which]!;
          const [moof] = boxesIn(fragment.bytes);
          const bytes = Buffer.from(moof!.bytes);
          bytes[8 + (at % (bytes.length - 8))] = value;
          expectOnlyFormatErrors(() => {
            for (const b of boxesIn(bytes)) parseFragment(b, init);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a trun that claims billions of samples instead of counting them (no hang)', () => {
    const fragment = parsed.fragments[0]!;
    const bytes = Buffer.from(fragment.bytes);
    const trun = findBox(bytes, 'trun')!;
    // trun: size, type, version+flags, sample_count. No per-sample fields: every sample takes the defaults.
    bytes.writeUInt32BE(0, trun.offset + 8);
    bytes.writeUInt32BE(0xffffffff, trun.offset + 12);
    const started = Date.now();
    expect(() => parseAll([parsed.init!.bytes, bytes])).toThrow(Mp4FormatError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a fragment of a track the init segment does not have, and a traf without tfdt', () => {
    const fragment = parsed.fragments[0]!;
    const unknown = Buffer.from(fragment.bytes);
    const tfhd = findBox(unknown, 'tfhd')!;
    unknown.writeUInt32BE(99, tfhd.offset + 12);
    expect(() => parseAll([parsed.init!.bytes, unknown])).toThrow(/unknown track 99/);
    const noTfdt = Buffer.from(fragment.bytes);
    const tfdt = findBox(noTfdt, 'tfdt')!;
    noTfdt.write('free', tfdt.offset + 4, 'latin1');
    expect(() => parseAll([parsed.init!.bytes, noTfdt])).toThrow(Mp4FormatError);
  });
});

describe('FragmentStream on hand-made boxes', () => {
  it('refuses box sizes below a header, 64-bit sizes below 16 and boxes over the limit', () => {
    const tiny = Buffer.concat([u32(7), Buffer.from('ftyp')]);
    expect(() => parseAll([tiny])).toThrow(Mp4FormatError);
    const zero = Buffer.concat([u32(0), Buffer.from('mdat')]);
    expect(() => parseAll([zero])).toThrow(Mp4FormatError);
    const short64 = Buffer.concat([u32(1), Buffer.from('free'), u32(0, 12), Buffer.alloc(8)]);
    expect(() => parseAll([short64])).toThrow(Mp4FormatError);
    const huge64 = Buffer.concat([u32(1), Buffer.from('mdat'), u32(0xffffffff, 0xffffffff)]);
    expect(() => parseAll([huge64])).toThrow(/over the/);
    expect(() => parseAll([Buffer.concat([u32(1025), Buffer.from('free')])], 1024)).toThrow(/over the 1024 byte limit/);
  });

  it('waits for more bytes on a truncated box, whatever its size claims', () => {
    const header = Buffer.concat([u32(64 << 20), Buffer.from('mdat')]);
    const parsed = parseAll([header, Buffer.alloc(1000)]);
    expect(parsed.init).toBeNull();
    expect(parsed.fragments).toEqual([]);
  });

  it('refuses an initialisation segment without video, or with a track missing its boxes', () => {
    const ftyp = box('ftyp', Buffer.from('isom'), u32(512), Buffer.from('isomiso6mp41'));
    expect(() => parseAll([ftyp, box('moov', box('mvhd', Buffer.alloc(100)))])).toThrow(/without a video track/);
    expect(() => parseAll([ftyp, box('moov', box('trak', box('tkhd', Buffer.alloc(84))))])).toThrow(/trak has no mdia/);
    expect(() => parseAll([ftyp, box('moov', box('trak', box('tkhd', Buffer.alloc(2))))])).toThrow(Mp4FormatError);
    expect(() => parseInitSegment(ftyp)).toThrow(/without moov/);
  });

  it('assembles a large mdat pushed in small chunks in linear time', () => {
    // A 24 MiB box in 4 KiB chunks: re-joining everything buffered on every chunk would copy ~75 GB.
    const size = 24 << 20;
    const header = Buffer.concat([u32(size), Buffer.from('free')]);
    const chunk = Buffer.alloc(4096);
    const seen: string[] = [];
    const stream = new FragmentStream({ init: () => seen.push('init'), fragment: () => seen.push('fragment') });
    const started = Date.now();
    stream.push(header);
    for (let sent = 8; sent < size; sent += chunk.length)
      stream.push(chunk.subarray(0, Math.min(chunk.length, size - sent)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toEqual([]);
    expect(stream.init).toBeNull();
  });
});
