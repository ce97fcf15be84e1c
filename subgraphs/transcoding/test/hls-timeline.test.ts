import { describe, expect, it } from 'vitest';
import type { MediaFragment } from '../src/domain/media/fmp4/fragment-stream.ts';
import {
  ClockAnchor,
  firstPartIdAfter,
  partUri,
  RenditionTimeline,
  segmentUri,
  type Segment,
  type TimelineStep,
} from '../src/domain/hls/timeline.ts';

/** A fragment as FragmentStream hands it over; the timeline looks only at its times and independence. */
const fragment = (start: number, duration: number, independent: boolean): MediaFragment => ({
  start,
  duration,
  independent,
  runs: [
    {
      trackId: 1,
      baseTime: Math.round(start * 90_000),
      duration: Math.round(duration * 90_000),
      samples: 1,
      startsWithSync: independent,
    },
  ],
  bytes: Buffer.alloc(0),
});

/** Fragments of `partSeconds` back to back from `from`, a keyframe every `gopSeconds` (as ffmpeg's frag_keyframe cuts them). */
function fragments(from: number, until: number, partSeconds: number, gopSeconds: number): MediaFragment[] {
  const out: MediaFragment[] = [];
  let t = from;
  while (t < until - 1e-9) {
    const nextKey = Math.floor(t / gopSeconds + 1e-9) * gopSeconds + gopSeconds;
    const end = Math.min(t + partSeconds, nextKey, until);
    const independent = Math.abs(t / gopSeconds - Math.round(t / gopSeconds)) < 1e-9;
    out.push(fragment(t, end - t, independent));
    t = end;
  }
  return out;
}

const EPOCH = Date.UTC(2030, 0, 1) / 1000;
const fixedClock = (media: number): number => EPOCH + media;

function feed(
  timeline: RenditionTimeline,
  list: readonly MediaFragment[],
  clock: (media: number) => number = fixedClock,
): { steps: (TimelineStep | null)[]; closed: Segment[] } {
  const steps = list.map((f) => timeline.add(f, clock));
  return { steps, closed: steps.flatMap((s) => (s?.closed ? [s.closed] : [])) };
}

describe('RenditionTimeline', () => {
  it('closes a segment at the first keyframe once it is segmentSeconds long', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    timeline.startRun('init-a.mp4', false);
    // 0.5 s parts, keyframe every second: two parts a segment.
    const { closed } = feed(timeline, fragments(0, 4, 0.5, 1));
    expect(closed.map((s) => [s.msn, s.duration, s.parts.length, s.independent, s.complete])).toEqual([
      [0, 1, 2, true, true],
      [1, 1, 2, true, true],
      [2, 1, 2, true, true],
    ]);
    expect(timeline.current).toMatchObject({ msn: 3, duration: 1, complete: false });
    // Keyframes every 1.5 s with 1 s segments: a segment waits for the keyframe (never cut before one).
    const slow = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    slow.startRun('init-a.mp4', false);
    const gops = feed(slow, fragments(0, 6, 0.5, 1.5)).closed;
    expect(gops.map((s) => s.duration)).toEqual([1.5, 1.5, 1.5]);
    expect(gops.every((s) => s.independent)).toBe(true);
    // Keyframes every 0.5 s with 2 s segments: four keyframe parts a segment.
    const dense = new RenditionTimeline({ segmentSeconds: 2, maxSegmentSeconds: 4 });
    dense.startRun('init-a.mp4', false);
    expect(feed(dense, fragments(0, 6.5, 0.5, 0.5)).closed.map((s) => [s.duration, s.parts.length])).toEqual([
      [2, 4],
      [2, 4],
      [2, 4],
    ]);
  });

  it('lists each fragment as a part of the open segment, with its own URI and independence', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 }, 7);
    timeline.startRun('init-a.mp4', false);
    // Part ids run on across segments, from a start that follows the first segment number (no name is reused when
    // another worker takes the session over after segment 7 was logged).
    expect(timeline.nextPartId).toBe(firstPartIdAfter(7));
    const { steps } = feed(timeline, [fragment(0, 0.52, true), fragment(0.52, 0.48, false), fragment(1, 0.52, true)]);
    expect(
      steps.map(
        (s) => s && [s.segment.msn, s.part.index, s.part.id, s.part.uri, s.part.independent, s.closed?.msn ?? null],
      ),
    ).toEqual([
      [7, 0, 7000, partUri(7000), true, null],
      [7, 1, 7001, partUri(7001), false, null],
      [8, 0, 7002, partUri(7002), true, 7],
    ]);
    // The next part's name is known before it exists (EXT-X-PRELOAD-HINT).
    expect(timeline.nextPartId).toBe(7003);
    expect(partUri(7001)).toBe('part7001.m4s');
    expect(segmentUri(7)).toBe('s7.m4s');
    expect(firstPartIdAfter(8)).toBeGreaterThan(7002);
  });

  it('lists a segment by its parts only while every part is within the part target', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4, partTarget: 0.54 });
    timeline.startRun('init-a.mp4', false);
    // A run's first segment replays the relay's GOP cache in one long fragment; the next ones come in parts.
    const { closed } = feed(timeline, [fragment(0, 1, true), ...fragments(1, 3.5, 0.52, 1)]);
    expect(closed.map((s) => [s.msn, s.partsListable])).toEqual([
      [0, false],
      [1, true],
      [2, true],
    ]);
    expect(timeline.current).toMatchObject({ msn: 3, partsListable: true });
    // A part that overruns the target (by more than rounding) spoils its own segment only.
    const overrun = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4, partTarget: 0.54 });
    overrun.startRun('init-a.mp4', false);
    const steps = feed(overrun, [
      fragment(0, 0.5, true),
      fragment(0.5, 0.6, false),
      fragment(1.1, 0.5, true),
      fragment(1.6, 0.5405, false),
      fragment(2.1405, 0.5, true),
    ]).closed;
    // (0.5405 s is within the millisecond of rounding the target allows.)
    expect(steps.map((s) => [s.msn, s.partsListable])).toEqual([
      [0, false],
      [1, true],
    ]);
    // Without a part target every segment lists its parts.
    const free = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    free.startRun('init-a.mp4', false);
    expect(
      feed(free, [fragment(0, 1.5, true), fragment(1.5, 0.5, true), fragment(2, 0.5, true)]).closed.map(
        (s) => s.partsListable,
      ),
    ).toEqual([true]);
  });

  it('cuts a segment past maxSegmentSeconds even without a keyframe', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 2 });
    timeline.startRun('init-a.mp4', false);
    // One keyframe, then 5 s without one (a camera with a long GOP).
    const { closed } = feed(timeline, fragments(0, 5, 0.5, 100));
    expect(closed.map((s) => [s.duration, s.independent])).toEqual([
      [2, true],
      [2, false],
    ]);
    expect(timeline.current).toMatchObject({ duration: 1, independent: false });
    for (const s of closed) expect(s.duration).toBeLessThanOrEqual(2);
    // A segment exactly at the maximum is not cut early.
    const exact = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 1.5 });
    exact.startRun('init-a.mp4', false);
    expect(feed(exact, fragments(0, 3, 0.5, 100)).closed.map((s) => s.duration)).toEqual([1.5]);
  });

  it('drops fragments before the first keyframe of a run, and fragments without video time', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    timeline.startRun('init-a.mp4', false);
    const { steps } = feed(timeline, [fragment(0, 0.5, false), fragment(0.5, 0.5, false), fragment(1, 0.5, true)]);
    expect(steps.slice(0, 2)).toEqual([null, null]);
    expect(steps[2]).toMatchObject({ segment: { msn: 0, independent: true }, part: { index: 0 } });
    expect(timeline.current?.parts).toHaveLength(1);
    // Audio-only fragments (no video run) and empty ones change nothing.
    expect(timeline.add(fragment(Number.NaN, 0, false), fixedClock)).toBeNull();
    expect(timeline.add(fragment(1.5, 0, true), fixedClock)).toBeNull();
    expect(timeline.current?.parts).toHaveLength(1);
    expect(timeline.nextMsn).toBe(1);
  });

  it('starts a new run with a discontinuity and its own map, numbering on', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 }, 40);
    expect(timeline.startRun('init-a.mp4', false)).toBeNull();
    const first = feed(timeline, fragments(0, 2.5, 0.5, 1)).closed;
    expect(first.map((s) => [s.msn, s.discontinuity, s.map])).toEqual([
      [40, false, 'init-a.mp4'],
      [41, false, 'init-a.mp4'],
    ]);
    // The encoder restarts: the open (half) segment is closed and returned complete.
    const closed = timeline.startRun('init-b.mp4', true);
    expect(closed).toMatchObject({ msn: 42, duration: 0.5, complete: true, map: 'init-a.mp4' });
    expect(timeline.current).toBeNull();
    // The new run's timestamps start again at 0 and begin mid-GOP: dropped until its first keyframe.
    const second = feed(timeline, [fragment(0.5, 0.5, false), ...fragments(1, 3, 0.5, 1)]);
    expect(second.steps[0]).toBeNull();
    expect(second.closed.map((s) => [s.msn, s.discontinuity, s.map])).toEqual([[43, true, 'init-b.mp4']]);
    expect(timeline.current).toMatchObject({ msn: 44, discontinuity: false, map: 'init-b.mp4' });
    // Closing with nothing open returns nothing; a run that never produced a keyframe leaves no segment.
    expect(timeline.close()).toMatchObject({ msn: 44 });
    expect(timeline.close()).toBeNull();
    timeline.startRun('init-c.mp4', true);
    feed(timeline, [fragment(0, 0.5, false)]);
    expect(timeline.startRun('init-d.mp4', true)).toBeNull();
    feed(timeline, fragments(0, 1, 0.5, 1));
    // The discontinuity of the empty run is carried by the next segment that exists.
    expect(timeline.current).toMatchObject({ msn: 45, discontinuity: true, map: 'init-d.mp4' });
  });

  it('dates each segment from the clock it is given, back to back', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    timeline.startRun('init-a.mp4', false);
    const { closed } = feed(timeline, fragments(10, 14.5, 0.5, 1));
    expect(closed.map((s) => s.programDateTime.getTime())).toEqual([10, 11, 12, 13].map((t) => (EPOCH + t) * 1000));
  });
});

describe('ClockAnchor', () => {
  /** Delivers fragments to an anchor and a timeline at the given arrival times (ms), as LiveLadder does. */
  function deliver(
    timeline: RenditionTimeline,
    anchor: ClockAnchor,
    arrivals: readonly { fragment: MediaFragment; at: number }[],
  ): Segment[] {
    const closed: Segment[] = [];
    for (const { fragment: f, at } of arrivals) {
      anchor.observe(f, at);
      const step = timeline.add(f, (media) => anchor.wallClockOf(media));
      if (step?.closed) closed.push(step.closed);
    }
    return closed;
  }

  it('maps media time to the arrival of frames that nothing delayed', () => {
    const anchor = new ClockAnchor();
    const t0 = 1_900_000_000_000;
    // Fragments arrive when their last frame is complete, some late by jitter; the earliest arrival sets the clock.
    anchor.observe({ start: 5, duration: 0.5 }, t0 + 5_500 + 80);
    anchor.observe({ start: 5.5, duration: 0.5 }, t0 + 6_000 + 10);
    anchor.observe({ start: 6, duration: 0.5 }, t0 + 6_500 + 40);
    expect(anchor.wallClockOf(5)).toBeCloseTo(t0 / 1000 + 5.01, 6);
    expect(anchor.wallClockOf(7) - anchor.wallClockOf(5)).toBeCloseTo(2, 9);
    // A fragment without video time says nothing.
    anchor.observe({ start: Number.NaN, duration: 0 }, 0);
    expect(anchor.wallClockOf(5)).toBeCloseTo(t0 / 1000 + 5.01, 6);
  });

  it('dates every segment right when a burst of old fragments (an RTMP server GOP cache) arrives at once', () => {
    const timeline = new RenditionTimeline({ segmentSeconds: 1, maxSegmentSeconds: 4 });
    timeline.startRun('init-a.mp4', false);
    const anchor = new ClockAnchor();
    const now = 1_900_000_000_000;
    // The server replays the last 2 s (media 100–102) in one go at `now`, then frames come in real time.
    const burst = fragments(100, 102, 0.5, 1).map((f) => ({ fragment: f, at: now }));
    const live = fragments(102, 105.5, 0.5, 1).map((f) => ({
      fragment: f,
      at: now + (f.start + f.duration - 102) * 1000,
    }));
    const closed = deliver(timeline, anchor, [...burst, ...live]);
    // Media 102 was "now": so media 100 happened 2 s before, and each segment follows the previous one.
    expect(closed.map((s) => [s.msn, s.programDateTime.getTime()])).toEqual([
      [0, now - 2_000],
      [1, now - 1_000],
      [2, now],
      [3, now + 1_000],
      [4, now + 2_000],
    ]);
    for (let i = 1; i < closed.length; i += 1) {
      expect(closed[i]!.programDateTime.getTime() - closed[i - 1]!.programDateTime.getTime()).toBe(
        closed[i - 1]!.duration * 1000,
      );
    }
  });
});
