import { describe, expect, it } from 'vitest';
import { CapacityView, workerCapacitySchema } from '../src/domain/capacity-view.ts';
import { HlsProgressBoard, reachedMsn, reachedPart } from '../src/domain/hls-progress.ts';

const STREAM = '50000000-0000-4000-8000-000000000001';
const OTHER = '50000000-0000-4000-8000-000000000002';
/**
 * A rendition's position as the transcoder reports it. Part ids run on across segments (here: ten a segment, as if
 * every segment had ten parts), so a later segment's part always has the higher id.
 */
const progress = (msn: number, part: number, jobId = 'job-1', rendition = '720p', streamId = STREAM) => ({
  streamId,
  jobId,
  rendition,
  msn,
  part,
  partId: msn * 10 + part,
});

/** Whether a promise has settled by the time the current microtasks ran (it never waits for a timer). */
async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  const marker = Symbol('pending');
  const value = await Promise.race([promise, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return value === marker ? { done: false } : { done: true, value: value as T };
}

describe('HlsProgressBoard', () => {
  it('answers at once when the playlist already lists the part', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(5, 2));
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(5, 2), 10_000)).resolves.toBe(true);
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(5, 0), 10_000)).resolves.toBe(true);
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(4, 7), 10_000)).resolves.toBe(true);
    expect(board.waiting).toBe(0);
    expect(board.position(STREAM, '720p')).toMatchObject({ jobId: 'job-1', msn: 5, part: 2 });
    expect(board.position(STREAM, '360p')).toBeNull();
  });

  it('holds a blocking reload until its part is listed, and only then', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(5, 2));
    const next = board.waitUntil(STREAM, '720p', reachedMsn(5, 3), 10_000);
    const nextSegment = board.waitUntil(STREAM, '720p', reachedMsn(6, 0), 10_000);
    const other = board.waitUntil(STREAM, '360p', reachedMsn(5, 3), 10_000);
    const otherStream = board.waitUntil(OTHER, '720p', reachedMsn(5, 3), 10_000);
    expect(board.waiting).toBe(4);
    board.update(progress(5, 3));
    expect(await settled(next)).toEqual({ done: true, value: true });
    expect((await settled(nextSegment)).done).toBe(false);
    // Another rendition or stream at the same numbers is a different playlist.
    expect((await settled(other)).done).toBe(false);
    expect((await settled(otherStream)).done).toBe(false);
    // A later segment satisfies a wait for an earlier part.
    board.update(progress(6, 0));
    expect(await settled(nextSegment)).toEqual({ done: true, value: true });
    board.update(progress(5, 9, 'job-1', '360p'));
    board.update(progress(7, 0, 'job-1', '720p', OTHER));
    expect(await settled(other)).toEqual({ done: true, value: true });
    expect(await settled(otherStream)).toEqual({ done: true, value: true });
    expect(board.waiting).toBe(0);
  });

  it('releases many waiters of one playlist together', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(1, 0));
    const waits = Array.from({ length: 50 }, () => board.waitUntil(STREAM, '720p', reachedMsn(1, 1), 10_000));
    const farther = board.waitUntil(STREAM, '720p', reachedMsn(1, 2), 10_000);
    board.update(progress(1, 1));
    await expect(Promise.all(waits)).resolves.toEqual(Array(50).fill(true));
    expect(board.waiting).toBe(1);
    board.update(progress(1, 2));
    await expect(farther).resolves.toBe(true);
  });

  it('gives up after the timeout (the playlist is then served as it is)', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(1, 0));
    const started = Date.now();
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(3, 0), 60)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(board.waiting).toBe(0);
    // A part reached after the timeout changes nothing for the request that gave up.
    board.update(progress(3, 0));
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(3, 0), 60)).resolves.toBe(true);
  });

  it('keeps a session moving forward only, and starts over for a new job', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(40, 3));
    // A late (reordered) event of the same job does not move the position back.
    board.update(progress(39, 5));
    board.update(progress(40, 1));
    expect(board.position(STREAM, '720p')).toMatchObject({ msn: 40, part: 3 });
    // A new session restarts the numbering: its first part counts, and waits are measured against it.
    board.update(progress(0, 0, 'job-2'));
    expect(board.position(STREAM, '720p')).toMatchObject({ jobId: 'job-2', msn: 0, part: 0 });
    const wait = board.waitUntil(STREAM, '720p', reachedMsn(0, 1), 10_000);
    expect((await settled(wait)).done).toBe(false);
    board.update(progress(0, 1, 'job-2'));
    await expect(wait).resolves.toBe(true);
  });

  it('without _HLS_part, waits for the whole segment, not its first parts (RFC 8216bis blocking reload)', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(7, 3));
    const whole = board.waitUntil(STREAM, '720p', reachedMsn(8, null), 10_000);
    // Segment 8 opens: its parts are listed, but it is not complete yet.
    board.update(progress(8, 0));
    board.update(progress(8, 1));
    expect((await settled(whole)).done).toBe(false);
    // Segment 9 begins: 8 is complete in the playlist.
    board.update(progress(9, 0));
    expect(await settled(whole)).toEqual({ done: true, value: true });
    await expect(board.waitUntil(STREAM, '720p', reachedMsn(8, null), 10_000)).resolves.toBe(true);
  });
});

describe('HlsProgressBoard and preload-hinted parts', () => {
  it('holds a request for a hinted part until that part (by its rendition-wide id) is in S3', async () => {
    const board = new HlsProgressBoard();
    board.update(progress(5, 9)); // part 59, the last of segment 5
    await expect(board.waitUntil(STREAM, '720p', reachedPart(59), 10_000)).resolves.toBe(true);
    await expect(board.waitUntil(STREAM, '720p', reachedPart(12), 10_000)).resolves.toBe(true);
    // The hint names part 60: the first part of segment 6, whose number the player does not need to know.
    const hinted = board.waitUntil(STREAM, '720p', reachedPart(60), 10_000);
    const later = board.waitUntil(STREAM, '720p', reachedPart(61), 10_000);
    const otherRendition = board.waitUntil(STREAM, '360p', reachedPart(60), 10_000);
    expect((await settled(hinted)).done).toBe(false);
    board.update(progress(6, 0));
    expect(await settled(hinted)).toEqual({ done: true, value: true });
    expect((await settled(later)).done).toBe(false);
    expect((await settled(otherRendition)).done).toBe(false);
    board.update(progress(6, 1));
    expect(await settled(later)).toEqual({ done: true, value: true });
    board.update(progress(6, 0, 'job-1', '360p'));
    expect(await settled(otherRendition)).toEqual({ done: true, value: true });
    // A part that never comes (the camera stopped): the request gives up after the timeout.
    await expect(board.waitUntil(STREAM, '720p', reachedPart(99), 30)).resolves.toBe(false);
    expect(board.waiting).toBe(0);
  });
});

describe('CapacityView', () => {
  const report = (workerId: string, liveHeadroom: number, liveJobCost: number) => ({
    workerId,
    liveHeadroom,
    liveJobCost,
    at: new Date().toISOString(),
  });

  it('refuses only when every worker that reported recently lacks room', () => {
    const view = new CapacityView(15_000);
    // No reports at all (transcoding starting, events not arriving): the start goes ahead.
    expect(view.exhausted()).toBe(false);
    view.update(report('w1', 0.1, 0.2));
    expect(view.exhausted()).toBe(true);
    view.update(report('w2', 0.5, 0.2));
    expect(view.exhausted()).toBe(false);
    view.update(report('w2', 0.19, 0.2));
    expect(view.exhausted()).toBe(true);
    // Exactly one job's room is room.
    view.update(report('w2', 0.2, 0.2));
    expect(view.exhausted()).toBe(false);
  });

  it('forgets reports that are not fresh: a silent worker neither blocks nor counts', () => {
    const view = new CapacityView(15_000);
    view.update(report('w1', 0, 0.2));
    const now = Date.now();
    expect(view.exhausted(now + 14_000)).toBe(true);
    expect(view.exhausted(now + 16_000)).toBe(false);
    // Dropped for good: it takes a new report to block again.
    expect(view.exhausted(now)).toBe(false);
    view.update(report('w1', 0, 0.2));
    expect(view.exhausted()).toBe(true);
  });

  it('counts a burst of starts against the workers until their next report', () => {
    const view = new CapacityView(15_000);
    view.update(report('w1', 1, 0.3));
    view.update(report('w2', 0.35, 0.3));
    // 1 core at 0.3 a stream: three starts on w1, one on w2; the fifth is refused without waiting for a heartbeat.
    const admitted: boolean[] = [];
    for (let i = 0; i < 6; i += 1) {
      const ok = !view.exhausted();
      admitted.push(ok);
      if (ok) view.reserve();
    }
    expect(admitted).toEqual([true, true, true, true, false, false]);
    // The next heartbeat says what is really free.
    view.update(report('w1', 0.7, 0.3));
    expect(view.exhausted()).toBe(false);
    // Reserving with no room anywhere changes nothing.
    const full = new CapacityView();
    full.update(report('w1', 0.1, 0.3));
    full.reserve();
    expect(full.exhausted()).toBe(true);
  });

  it('validates the heartbeat it is given', () => {
    expect(workerCapacitySchema.safeParse(report('w1', 0.5, 0.2)).success).toBe(true);
    for (const bad of [
      report('', 1, 1),
      report('w', -1, 0.2),
      report('w', 1, Number.NaN),
      { ...report('w', 1, 1), at: 'yesterday' },
      { workerId: 'w', liveHeadroom: 1 },
    ]) {
      expect(workerCapacitySchema.safeParse(bad).success).toBe(false);
    }
  });
});
