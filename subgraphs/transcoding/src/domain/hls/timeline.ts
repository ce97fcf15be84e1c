import type { MediaFragment } from '../media/fmp4/fragment-stream.ts';

/** A part of a segment (LL-HLS EXT-X-PART): one fMP4 fragment. */
export interface Part {
  /** Position within its segment. */
  readonly index: number;
  /** Rendition-wide number: the next part's name is always known in advance (EXT-X-PRELOAD-HINT). */
  readonly id: number;
  readonly duration: number;
  readonly independent: boolean;
  /** File name below the rendition's folder. */
  readonly uri: string;
}

export interface Segment {
  /** Media sequence number. */
  readonly msn: number;
  /**
   * Wall-clock time of the segment's first frame (EXT-X-PROGRAM-DATE-TIME). For a segment cut here it is read from
   * the run's clock each time, so a segment opened during a burst of old frames gets the date the whole burst shows.
   */
  readonly programDateTime: Date;
  /** First segment after a restart of the encoder: EXT-X-DISCONTINUITY, and the init section of its run. */
  readonly discontinuity: boolean;
  /** File name of the run's initialisation segment (EXT-X-MAP). */
  readonly map: string;
  readonly independent: boolean;
  readonly parts: Part[];
  /**
   * Every part so far is within the part target, so the parts may be listed (EXT-X-PART). The first segment of a run
   * often is not: it replays the relay's GOP cache in longer fragments; it is then listed as a whole segment only.
   */
  partsListable: boolean;
  duration: number;
  /** Set once the segment's last part is known: its URI is then listed (EXTINF). */
  complete: boolean;
}

export const segmentUri = (msn: number): string => `s${msn}.m4s`;
export const partUri = (id: number): string => `part${id}.m4s`;
/** Part ids of a session continue after its segments: a worker taking the job over never reuses a name. */
export const firstPartIdAfter = (msn: number): number => msn * 1000;

export interface TimelineOptions {
  /** Segments close at the first keyframe once they are at least this long. */
  readonly segmentSeconds: number;
  /** A segment never grows past this (EXT-X-TARGETDURATION): it closes even without a keyframe. */
  readonly maxSegmentSeconds: number;
  /** EXT-X-PART-INF's PART-TARGET: a longer fragment makes its segment's parts unlistable. */
  readonly partTarget?: number;
}

/** What a fragment changed: the part it became, and the segment it completed (if any). */
export interface TimelineStep {
  readonly segment: Segment;
  readonly part: Part;
  /** The segment this fragment closed before opening `segment`. */
  readonly closed: Segment | null;
}

/**
 * Cuts a rendition's fragments into HLS segments and parts. Segments start at keyframes (or when one would exceed
 * the target duration), are numbered from `nextMsn`, and carry wall-clock times from the run's clock anchor.
 * A new run (the encoder restarted after the camera dropped) continues the numbering after a discontinuity.
 */
export class RenditionTimeline {
  #current: Segment | null = null;
  #nextMsn: number;
  #nextPartId: number;
  #pendingDiscontinuity = false;
  #map = '';

  constructor(
    private readonly options: TimelineOptions,
    firstMsn = 0,
  ) {
    this.#nextMsn = firstMsn;
    this.#nextPartId = firstPartIdAfter(firstMsn);
  }

  /** The id the next part will get. */
  get nextPartId(): number {
    return this.#nextPartId;
  }

  get current(): Segment | null {
    return this.#current;
  }

  get nextMsn(): number {
    return this.#nextMsn;
  }

  /** A new encoder run with its own initialisation segment: the open segment ends, the next one is a discontinuity. */
  startRun(map: string, discontinuity: boolean): Segment | null {
    const closed = this.close();
    this.#map = map;
    this.#pendingDiscontinuity = discontinuity;
    return closed;
  }

  /** Closes the open segment (end of a run or of the stream); returns it if it had media. */
  close(): Segment | null {
    const open = this.#current;
    this.#current = null;
    if (!open || open.parts.length === 0) return null;
    open.complete = true;
    return open;
  }

  /**
   * Adds a fragment; `wallClockOf(mediaSeconds)` maps media time to wall clock. Returns null for a fragment that
   * cannot start a segment (no keyframe yet at the start of a run, or no video).
   */
  add(fragment: MediaFragment, wallClockOf: (mediaSeconds: number) => number): TimelineStep | null {
    if (!Number.isFinite(fragment.start) || fragment.duration <= 0) return null;
    let closed: Segment | null = null;
    const open = this.#current;
    if (open) {
      const long = open.duration >= this.options.segmentSeconds - 1e-3;
      const overflow = open.duration + fragment.duration > this.options.maxSegmentSeconds + 1e-3;
      if ((fragment.independent && long) || overflow) closed = this.close();
    } else if (!fragment.independent) {
      return null;
    }
    if (!this.#current) {
      const mediaStart = fragment.start;
      this.#current = {
        msn: this.#nextMsn,
        // Not fixed when the segment opens: the clock anchor only learns how old a burst was from its last fragment.
        get programDateTime() {
          return new Date(Math.round(wallClockOf(mediaStart) * 1000));
        },
        discontinuity: this.#pendingDiscontinuity,
        map: this.#map,
        independent: fragment.independent,
        parts: [],
        partsListable: true,
        duration: 0,
        complete: false,
      };
      this.#nextMsn += 1;
      this.#pendingDiscontinuity = false;
    }
    const segment = this.#current;
    const id = this.#nextPartId;
    this.#nextPartId += 1;
    const part: Part = {
      index: segment.parts.length,
      id,
      duration: fragment.duration,
      independent: fragment.independent,
      uri: partUri(id),
    };
    segment.parts.push(part);
    segment.duration += fragment.duration;
    if (this.options.partTarget !== undefined && fragment.duration > this.options.partTarget + 1e-3)
      segment.partsListable = false;
    return { segment, part, closed };
  }
}

/**
 * Maps a run's media time to the wall clock: the smallest (arrival − media end) seen so far, i.e. the moment a
 * frame reached us when nothing delayed it. A burst of old frames at the start (a server's GOP cache) is placed
 * correctly because its last fragment arrives when its media is "now".
 */
export class ClockAnchor {
  #offset = Number.POSITIVE_INFINITY;

  observe(fragment: Pick<MediaFragment, 'start' | 'duration'>, arrivedAtMs: number): void {
    if (!Number.isFinite(fragment.start)) return;
    this.#offset = Math.min(this.#offset, arrivedAtMs / 1000 - (fragment.start + fragment.duration));
  }

  /** Wall clock (seconds since the epoch) of a media time; only valid after a first observation. */
  wallClockOf(mediaSeconds: number): number {
    return mediaSeconds + (Number.isFinite(this.#offset) ? this.#offset : Date.now() / 1000 - mediaSeconds);
  }
}
