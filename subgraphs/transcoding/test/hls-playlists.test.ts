import fc from 'fast-check';
import * as HLS from 'hls-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MediaFragment } from '../src/domain/media/fmp4/fragment-stream.ts';
import { livePlaylist, masterPlaylist, vodPlaylist, type LivePlaylistInput } from '../src/domain/hls/playlists.ts';
import { partUri, RenditionTimeline, segmentUri, type Segment } from '../src/domain/hls/timeline.ts';

/**
 * The playlists as a player reads them: parsed with hls-parser (which checks RFC 8216bis rules as it parses) and
 * checked for the LL-HLS tags hls.js relies on.
 */

/**
 * Where hls-parser is stricter than RFC 8216bis, for live playlists: the RFC asks for parts to be removed after three
 * *target durations*, which hls-parser approximates as the last three segments.
 */
const STRICTER_THAN_RFC = [
  /Remove EXT-X-PART tags from the Playlist after they are greater than three target durations/,
];

/** Parses with every hls-parser complaint collected (not only the first, as strict mode would). */
function parse(text: string): { playlist: HLS.types.MediaPlaylist | HLS.types.MasterPlaylist; complaints: string[] } {
  const complaints: string[] = [];
  const spy = vi
    .spyOn(console, 'error')
    .mockImplementation((message: unknown) => void complaints.push(String(message)));
  try {
    HLS.setOptions({ strictMode: false, silent: false });
    return { playlist: HLS.parse(text), complaints };
  } finally {
    spy.mockRestore();
  }
}

/**
 * Parses a media playlist, failing on any complaint not `allowed`. hls-parser reads EXT-X-PRELOAD-HINT as a `hint`
 * part of the segment it belongs to (a new one when the last listed segment is complete); those are taken out here,
 * so `segments` are what the playlist lists, and the hint is checked on its own.
 */
function parseMedia(text: string, allowed: readonly RegExp[] = []): HLS.types.MediaPlaylist {
  const { playlist, complaints } = parse(text);
  expect(complaints.filter((c) => !allowed.some((a) => a.test(c)))).toEqual([]);
  expect(playlist.isMasterPlaylist).toBe(false);
  const media = playlist as HLS.types.MediaPlaylist;
  const hinted = media.segments.flatMap((s) => s.parts.filter((p) => p.hint));
  expect(hinted.length).toBeLessThanOrEqual(1);
  for (const s of media.segments) s.parts = s.parts.filter((p) => !p.hint);
  const last = media.segments.at(-1);
  if (hinted.length && last && !last.uri && last.parts.length === 0) media.segments.pop();
  return media;
}

/** The part a playlist hints (EXT-X-PRELOAD-HINT), as hls-parser reads it. */
function hintOf(text: string): string | null {
  const { playlist } = parse(text);
  return (
    (playlist as HLS.types.MediaPlaylist).segments.flatMap((s) => s.parts.filter((p) => p.hint).map((p) => p.uri))[0] ??
    null
  );
}

afterEach(() => HLS.setOptions({ strictMode: false, silent: false }));

const T0 = Date.UTC(2030, 4, 1, 12, 0, 0);

/** Rendition-wide id of part `index` of segment `msn` in these hand-made windows (unique, increasing). */
const partId = (msn: number, index: number): number => msn * 100 + index;

/** A complete (or open) segment of `partCount` parts of `partSeconds`, the first one independent. */
function segment(
  msn: number,
  options: {
    parts?: number;
    partSeconds?: number;
    complete?: boolean;
    discontinuity?: boolean;
    map?: string;
    at?: number;
    partsListable?: boolean;
  } = {},
): Segment {
  const partSeconds = options.partSeconds ?? 0.5;
  const parts = Array.from({ length: options.parts ?? 2 }, (_, index) => ({
    index,
    id: partId(msn, index),
    duration: partSeconds,
    independent: index === 0,
    uri: partUri(partId(msn, index)),
  }));
  return {
    msn,
    programDateTime: new Date(options.at ?? T0 + msn * 1000),
    discontinuity: options.discontinuity ?? false,
    map: options.map ?? 'init-a.mp4',
    independent: true,
    parts,
    partsListable: options.partsListable ?? true,
    duration: parts.reduce((t, p) => t + p.duration, 0),
    complete: options.complete ?? true,
  };
}

/** What RenditionOutput hints: the part after the last one of the newest segment. */
const nextPart = (segments: readonly Segment[]): string | null => {
  const last = segments.at(-1)?.parts.at(-1);
  return last ? partUri(last.id + 1) : null;
};

const live = (segments: Segment[], extra: Partial<LivePlaylistInput> = {}): string =>
  livePlaylist({
    segments,
    targetDuration: 4,
    partTarget: 0.5,
    partWindowSeconds: 2,
    discontinuitySequence: 0,
    renditionReports: [{ uri: '../360p/index.m3u8', lastMsn: 13, lastPart: 0 }],
    preloadHint: nextPart(segments),
    ...extra,
  });

describe('livePlaylist', () => {
  const window = [segment(10), segment(11), segment(12), segment(13, { parts: 1, complete: false })];
  const text = live(window);

  it('is an LL-HLS playlist: part target, blocking reload, hold-backs, rendition reports', () => {
    const playlist = parseMedia(text, STRICTER_THAN_RFC);
    expect(playlist.targetDuration).toBe(4);
    expect(playlist.mediaSequenceBase).toBe(10);
    expect(playlist.discontinuitySequenceBase).toBe(0);
    expect(playlist.endlist).toBe(false);
    expect(playlist.partTargetDuration).toBe(0.5);
    expect(playlist.lowLatencyCompatibility).toMatchObject({ canBlockReload: true, partHoldBack: 1.5, holdBack: 12 });
    expect(text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,HOLD-BACK=12\n');
    expect(playlist.renditionReports).toEqual([
      expect.objectContaining({ uri: '../360p/index.m3u8', lastMSN: 13, lastPart: 0 }),
    ]);
    // PART-HOLD-BACK is three part targets for any part target.
    for (const partTarget of [0.2, 0.333, 1])
      expect(live(window, { partTarget })).toContain(
        `PART-HOLD-BACK=${Math.round(partTarget * 3 * 100_000) / 100_000},`,
      );
  });

  it('lists the open segment by its parts only (no EXTINF, no URI), after the complete ones', () => {
    const playlist = parseMedia(text, STRICTER_THAN_RFC);
    expect(playlist.segments.map((s) => [s.mediaSequenceNumber, s.uri, s.duration ?? null])).toEqual([
      [10, segmentUri(10), 1],
      [11, segmentUri(11), 1],
      [12, segmentUri(12), 1],
      [13, '', null],
    ]);
    expect(playlist.segments.at(-1)!.parts.map((p) => [p.uri, p.duration, p.independent])).toEqual([
      [partUri(partId(13, 0)), 0.5, true],
    ]);
    const tail = text.slice(text.lastIndexOf('#EXT-X-PROGRAM-DATE-TIME'));
    expect(tail).not.toContain('#EXTINF');
    expect(tail).not.toContain(segmentUri(13));
    expect(text.match(/^#EXTINF:/gm)).toHaveLength(3);
  });

  it('marks independent parts and lists parts only for segments within the part window', () => {
    const playlist = parseMedia(text, STRICTER_THAN_RFC);
    // The edge is at 3.5 s; a 2 s part window reaches back into segment 11 (ends 1 s before the edge), not 10.
    expect(playlist.segments.map((s) => s.parts.length)).toEqual([0, 2, 2, 1]);
    for (const s of playlist.segments) {
      expect(s.parts.map((p) => p.independent ?? false)).toEqual(s.parts.map((_, i) => i === 0));
      if (s.parts.length && s.duration)
        expect(s.parts.reduce((t, p) => t + (p.duration ?? 0), 0)).toBeCloseTo(s.duration, 6);
    }
    expect(text).toContain(
      `#EXT-X-PART:DURATION=0.5,URI="${partUri(partId(12, 0))}",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0.5,URI="${partUri(partId(12, 1))}"\n`,
    );
    // A segment whose parts were deleted from storage lists none, even inside the window.
    const pruned = segment(12);
    pruned.parts.length = 0;
    expect(
      parseMedia(
        live([segment(11), pruned, segment(13, { parts: 1, complete: false })]),
        STRICTER_THAN_RFC,
      ).segments.map((s) => s.parts.length),
    ).toEqual([2, 0, 1]);
    // With a window of one part, only the open segment shows parts, and hls-parser has nothing to add.
    expect(parseMedia(live(window, { partWindowSeconds: 0.1 })).segments.map((s) => s.parts.length)).toEqual([
      0, 0, 0, 1,
    ]);
    // A segment whose parts overran the part target (a run's GOP-cache burst) is listed whole, even at the edge.
    const burst = parseMedia(
      live([segment(11), segment(12, { partsListable: false }), segment(13, { parts: 1, complete: false })]),
      STRICTER_THAN_RFC,
    );
    expect(burst.segments.map((s) => [s.mediaSequenceNumber, s.parts.length, s.uri])).toEqual([
      [11, 2, segmentUri(11)],
      [12, 0, segmentUri(12)],
      [13, 1, ''],
    ]);
  });

  it('hints the next part (EXT-X-PRELOAD-HINT) after the parts and before the rendition reports, never once ended', () => {
    expect(hintOf(text)).toBe(partUri(partId(13, 1)));
    // After a complete segment the hint opens the next one.
    expect(hintOf(live([segment(10), segment(11)]))).toBe(partUri(partId(11, 2)));
    const hint = `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${partUri(partId(13, 1))}"`;
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-PRELOAD-HINT'))).toEqual([hint]);
    expect(text.indexOf(hint)).toBeGreaterThan(text.lastIndexOf('#EXT-X-PART:'));
    expect(text.indexOf(hint)).toBeLessThan(text.indexOf('#EXT-X-RENDITION-REPORT'));
    // Without a hint (nothing cut yet), hls-parser asks for one: the playlist carries it whenever there are parts.
    const { complaints } = parse(live(window, { preloadHint: null }));
    expect(complaints.some((c) => /must contain an EXT-X-PRELOAD-HINT tag/.test(c))).toBe(true);
    expect(live(window, { ended: true, preloadHint: 'part9999.m4s' })).not.toContain('PRELOAD-HINT');
  });

  it('dates every segment and marks a new encoder run with a discontinuity and its own map', () => {
    const runs = [
      segment(20),
      segment(21),
      segment(22, { discontinuity: true, map: 'init-b.mp4', at: T0 + 60_000 }),
      segment(23, { map: 'init-b.mp4', at: T0 + 61_000 }),
      segment(24, { parts: 1, complete: false, map: 'init-b.mp4', at: T0 + 62_000 }),
    ];
    const text2 = live(runs, { discontinuitySequence: 3 });
    const playlist = parseMedia(text2, STRICTER_THAN_RFC);
    expect(playlist.discontinuitySequenceBase).toBe(3);
    expect(playlist.segments.map((s) => s.programDateTime?.getTime())).toEqual(
      runs.map((s) => s.programDateTime.getTime()),
    );
    expect(playlist.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, true, false, false]);
    expect(playlist.segments.slice(0, 4).map((s) => s.map?.uri)).toEqual([
      'init-a.mp4',
      'init-a.mp4',
      'init-b.mp4',
      'init-b.mp4',
    ]);
    expect(playlist.segments.slice(0, 4).map((s) => s.discontinuitySequence)).toEqual([3, 3, 4, 4]);
    // One EXT-X-MAP per run, written where the map changes (and first of all before the first segment).
    expect(text2.match(/^#EXT-X-MAP:URI="[^"]+"$/gm)).toEqual([
      '#EXT-X-MAP:URI="init-a.mp4"',
      '#EXT-X-MAP:URI="init-b.mp4"',
    ]);
    expect(text2.indexOf('#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-b.mp4"')).toBeGreaterThan(0);
    expect(text2.match(/^#EXT-X-PROGRAM-DATE-TIME:/gm)).toHaveLength(5);
  });

  it('closes an ended stream with ENDLIST, and without parts, blocking reload or reports', () => {
    const ended = live([segment(10), segment(11), segment(12)], { ended: true });
    HLS.setOptions({ strictMode: true });
    const playlist = HLS.parse(ended) as HLS.types.MediaPlaylist;
    expect(playlist.endlist).toBe(true);
    expect(playlist.segments.every((s) => s.parts.length === 0)).toBe(true);
    expect(playlist.renditionReports).toEqual([]);
    expect(ended).not.toContain('EXT-X-SERVER-CONTROL');
    expect(ended.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    // An empty playlist still parses (a stream that ended before its first segment).
    expect((HLS.parse(live([], { ended: true })) as HLS.types.MediaPlaylist).segments).toEqual([]);
  });

  it('stays valid for any sequence of fragments the timeline cuts (keyframes anywhere, restarts)', () => {
    // Fragments between 90% and 100% of the part target (what ladderArgs asks ffmpeg for; see ladder-plan.test.ts).
    const step = fc.record({
      duration: fc.integer({ min: 45, max: 50 }).map((n) => n / 100),
      independent: fc.boolean(),
      restart: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 1000 }),
        (steps, firstMsn) => {
          const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 }, firstMsn);
          timeline.startRun('init-0.mp4', false);
          const all: Segment[] = [];
          let media = 0;
          let runs = 0;
          for (const s of steps) {
            if (s.restart) {
              const closed = timeline.startRun(`init-${(runs += 1)}.mp4`, true);
              if (closed) all.push(closed);
              media = 0;
            }
            const f: MediaFragment = {
              start: media,
              duration: s.duration,
              independent: s.independent,
              runs: [],
              bytes: Buffer.alloc(0),
            };
            media += s.duration;
            const result = timeline.add(f, (m) => T0 / 1000 + m);
            if (result?.closed) all.push(result.closed);
          }
          const open = timeline.current;
          const window = [...all.slice(-6), ...(open ? [open] : [])];
          if (!window.length) return;
          const text = live(window, {
            discontinuitySequence: all.slice(0, -6).filter((s) => s.discontinuity).length,
            preloadHint: partUri(timeline.nextPartId),
          });
          const playlist = parseMedia(text, STRICTER_THAN_RFC);
          expect(playlist.segments.map((s) => s.mediaSequenceNumber)).toEqual(window.map((s) => s.msn));
          // Numbers run on without gaps, across restarts.
          window.forEach((s, i) => expect(s.msn).toBe(window[0]!.msn + i));
          for (const [i, parsed] of playlist.segments.entries()) {
            const source = window[i]!;
            expect(parsed.programDateTime?.getTime()).toBe(source.programDateTime.getTime());
            expect(parsed.discontinuity ?? false).toBe(source.discontinuity);
            if (source.complete) expect(Math.round(parsed.duration)).toBeLessThanOrEqual(4);
            else expect(parsed.uri).toBe('');
            if (parsed.parts.length) expect(parsed.parts[0]!.independent ?? false).toBe(source.parts[0]!.independent);
          }
          expect(text.match(/^#EXT-X-PROGRAM-DATE-TIME:/gm)).toHaveLength(window.length);
          // The hinted part is the next one the timeline will cut: a name no listed part has.
          const hint = hintOf(text);
          expect(hint).toBe(partUri(timeline.nextPartId));
          expect(playlist.segments.flatMap((s) => s.parts.map((p) => p.uri))).not.toContain(hint);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('vodPlaylist', () => {
  it('lists every segment as complete, dated, with discontinuities and maps, and ends', () => {
    const segments = [
      segment(0),
      segment(1, { parts: 5 }),
      segment(2, { discontinuity: true, map: 'init-b.mp4', parts: 3, partSeconds: 0.4 }),
      segment(3, { map: 'init-b.mp4', complete: false }),
    ];
    const text = vodPlaylist(segments);
    HLS.setOptions({ strictMode: true });
    const playlist = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(playlist.playlistType).toBe('VOD');
    expect(playlist.endlist).toBe(true);
    expect(playlist.targetDuration).toBe(3);
    expect(
      playlist.segments.map((s) => [
        s.uri,
        s.duration,
        s.discontinuity ?? false,
        s.map?.uri,
        s.programDateTime?.getTime(),
        s.parts.length,
      ]),
    ).toEqual([
      [segmentUri(0), 1, false, 'init-a.mp4', T0, 0],
      [segmentUri(1), 2.5, false, 'init-a.mp4', T0 + 1000, 0],
      [segmentUri(2), 1.2, true, 'init-b.mp4', T0 + 2000, 0],
      [segmentUri(3), 1, false, 'init-b.mp4', T0 + 3000, 0],
    ]);
    expect(text).not.toMatch(/PART|SERVER-CONTROL|RENDITION-REPORT/);
    expect(playlist.mediaSequenceBase).toBe(0);
    expect(vodPlaylist([segment(7)])).toContain('#EXT-X-MEDIA-SEQUENCE:7\n');
  });
});

describe('masterPlaylist', () => {
  it('lists the variants, highest bandwidth first, with codecs, resolution and frame rate', () => {
    const text = masterPlaylist(
      [
        {
          uri: '360p/index.m3u8',
          bandwidth: 900_000.4,
          averageBandwidth: 700_000,
          width: 640,
          height: 360,
          codecs: ['avc1.4d401e', 'mp4a.40.2'],
          frameRate: 25,
        },
        {
          uri: '720p/index.m3u8',
          bandwidth: 3_100_000,
          width: 1280,
          height: 720,
          codecs: ['avc1.64001f', 'mp4a.40.2'],
          frameRate: 29.97,
        },
        { uri: 'audio/index.m3u8', bandwidth: 130_000, width: null, height: null, codecs: ['mp4a.40.2'] },
      ],
      true,
    );
    HLS.setOptions({ strictMode: true });
    const playlist = HLS.parse(text) as HLS.types.MasterPlaylist;
    expect(playlist.isMasterPlaylist).toBe(true);
    expect(playlist.independentSegments).toBe(true);
    expect(
      playlist.variants.map((v) => [v.uri, v.bandwidth, v.averageBandwidth, v.codecs, v.resolution, v.frameRate]),
    ).toEqual([
      ['720p/index.m3u8', 3_100_000, undefined, 'avc1.64001f,mp4a.40.2', { width: 1280, height: 720 }, 29.97],
      ['360p/index.m3u8', 900_000, 700_000, 'avc1.4d401e,mp4a.40.2', { width: 640, height: 360 }, 25],
      ['audio/index.m3u8', 130_000, undefined, 'mp4a.40.2', undefined, undefined],
    ]);
    expect(masterPlaylist([], false)).not.toContain('INDEPENDENT-SEGMENTS');
  });
});
