import type { ObjectStore } from '@vegshare/kit';
import type { MediaFragment } from '../media/fmp4/fragment-stream.ts';
import type { InitSegment } from '../media/fmp4/init-segment.ts';
import { objectMeta } from './media-types.ts';
import { livePlaylist, vodPlaylist } from './playlists.ts';
import { partUri, RenditionTimeline, segmentUri, type Part, type Segment } from './timeline.ts';

/** Where finished segments are remembered (Postgres): the recording and a worker taking the job over read them. */
export interface SegmentLog {
  /** The highest sequence number stored for the rendition, or null. */
  lastMsn(rendition: string): Promise<number | null>;
  append(rendition: string, segment: Segment): Promise<void>;
  /** Every stored segment of the rendition, oldest first. */
  all(rendition: string): Promise<Segment[]>;
}

export interface RenditionOutputOptions {
  readonly store: ObjectStore;
  /** S3 key prefix of this rendition, ending in '/'. */
  readonly prefix: string;
  readonly name: string;
  readonly segmentSeconds: number;
  readonly partSeconds: number;
  /** Complete segments kept in the live playlist. */
  readonly windowSegments: number;
  readonly log: SegmentLog;
  /** After each playlist update: the last part now listed (for blocking playlist reloads elsewhere). */
  readonly onPublished: (state: {
    rendition: string;
    msn: number;
    part: number;
    partId: number;
    segments: number;
  }) => void;
  /** Other renditions' positions for EXT-X-RENDITION-REPORT. */
  readonly reports: () => readonly { uri: string; lastMsn: number; lastPart: number }[];
  /** Parts waiting for upload beyond this mean storage cannot keep up: the output fails. */
  readonly maxBacklog?: number;
}

class StorageBacklogError extends Error {
  override readonly name = 'StorageBacklogError';
}

/**
 * One rendition of a live ladder: cuts its fMP4 fragments into segments and parts (RenditionTimeline), uploads each
 * part before the playlist that lists it, each finished segment (its parts joined) before the playlist lists it as a
 * segment, and the LL-HLS playlist after every part. Uploads of one rendition run strictly in order.
 */
export class RenditionOutput {
  readonly #timeline: RenditionTimeline;
  readonly #window: Segment[] = [];
  readonly #openBytes: Buffer[] = [];
  #chain: Promise<void> = Promise.resolve();
  #backlog = 0;
  #failure: Error | null = null;
  #discontinuities = 0;
  #init: InitSegment | null = null;
  #targetDuration: number;
  #published = { msn: -1, part: -1, partId: -1 };
  #completeSegments = 0;
  #bytes = 0;
  #seconds = 0;
  #peakBitsPerSecond = 0;
  #ended = false;
  #latest: { init: Buffer; media: Buffer; at: Date; msn: number } | null = null;

  private constructor(
    private readonly options: RenditionOutputOptions,
    firstMsn: number,
  ) {
    // Segments close at keyframes; a camera whose keyframes are further apart than this is cut between them.
    const longest = Math.max(options.segmentSeconds * 2, 4);
    this.#timeline = new RenditionTimeline(
      { segmentSeconds: options.segmentSeconds, maxSegmentSeconds: longest, partTarget: options.partSeconds },
      firstMsn,
    );
    this.#targetDuration = Math.ceil(longest);
  }

  /** Continues after the segments already logged for this job (a restart or a take-over), never reusing a number. */
  static async open(options: RenditionOutputOptions): Promise<RenditionOutput> {
    const last = await options.log.lastMsn(options.name);
    return new RenditionOutput(options, last === null ? 0 : last + 1);
  }

  get name(): string {
    return this.options.name;
  }
  get init(): InitSegment | null {
    return this.#init;
  }
  get failure(): Error | null {
    return this.#failure;
  }
  /** Complete segments uploaded by this output. */
  get completeSegments(): number {
    return this.#completeSegments;
  }
  /** Last part listed in the uploaded playlist. */
  get published(): { readonly msn: number; readonly part: number } {
    return this.#published;
  }
  /** Bits per second: peak over a segment, and the mean so far (for the master playlist's BANDWIDTH). */
  get bitrate(): { peak: number; average: number } {
    return { peak: this.#peakBitsPerSecond, average: this.#seconds > 0 ? (this.#bytes * 8) / this.#seconds : 0 };
  }

  #enqueue(task: () => Promise<void>): void {
    const limit = this.options.maxBacklog ?? 60;
    this.#backlog += 1;
    if (this.#backlog > limit && !this.#failure)
      this.#failure = new StorageBacklogError(
        `${this.options.name}: ${this.#backlog} uploads waiting; storage is not keeping up`,
      );
    this.#chain = this.#chain
      .then(async () => {
        if (!this.#failure) await task();
      })
      .catch((error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.#backlog -= 1;
      });
  }

  async #put(name: string, body: Buffer | string): Promise<void> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    await this.options.store.client.putObject(
      this.options.store.bucket,
      this.options.prefix + name,
      data,
      data.length,
      objectMeta(name),
    );
  }

  /** A new encoder run: its initialisation segment, under a name of its own so earlier segments keep theirs. */
  startRun(init: InitSegment, runId: string): void {
    const first = this.#init === null && this.#completeSegments === 0 && this.#timeline.nextMsn === 0;
    this.#init = init;
    const map = `init-${runId}.mp4`;
    const closed = this.#timeline.startRun(map, !first);
    const bytes = this.#openBytes.splice(0);
    if (closed) this.#enqueue(() => this.#finishSegment(closed, bytes));
    this.#enqueue(() => this.#put(map, init.bytes));
  }

  add(fragment: MediaFragment, wallClockOf: (media: number) => number): void {
    if (this.#ended) return;
    const step = this.#timeline.add(fragment, wallClockOf);
    if (!step) return;
    const closedBytes = step.closed ? this.#openBytes.splice(0) : null;
    this.#openBytes.push(fragment.bytes);
    const { closed, part, segment } = step;
    this.#enqueue(async () => {
      await this.#put(part.uri, fragment.bytes);
      if (closed && closedBytes) await this.#storeSegment(closed, closedBytes);
      await this.#publish(segment, part);
    });
  }

  /** The newest finished segment with its initialisation segment (snapshots are taken from it). */
  get latestSegment(): {
    readonly init: Buffer;
    readonly media: Buffer;
    readonly at: Date;
    readonly msn: number;
  } | null {
    return this.#latest;
  }

  async #storeSegment(segment: Segment, bytes: Buffer[]): Promise<void> {
    const body = Buffer.concat(bytes);
    await this.#put(segmentUri(segment.msn), body);
    if (this.#init)
      this.#latest = { init: this.#init.bytes, media: body, at: segment.programDateTime, msn: segment.msn };
    await this.options.log.append(this.options.name, segment);
    this.#bytes += body.length;
    this.#seconds += segment.duration;
    if (segment.duration > 0)
      this.#peakBitsPerSecond = Math.max(this.#peakBitsPerSecond, (body.length * 8) / segment.duration);
    this.#completeSegments += 1;
    this.#window.push(segment);
    while (this.#window.length > this.options.windowSegments) {
      const gone = this.#window.shift()!;
      // EXT-X-DISCONTINUITY-SEQUENCE counts the discontinuity tags that have left the playlist.
      if (gone.discontinuity) this.#discontinuities += 1;
      await this.#removeParts(gone);
    }
    // Parts stop being listed after the part window; their objects go one more segment later, so that a player
    // holding the previous playlist still finds them (the segments themselves stay for the recording).
    const keep = new Set(this.#recent(this.#partWindowSeconds + this.options.segmentSeconds * 2).map((s) => s.msn));
    for (const s of this.#window) if (!keep.has(s.msn) && s.parts.length) await this.#removeParts(s);
  }

  get #partWindowSeconds(): number {
    return this.options.partSeconds * 6;
  }

  async #finishSegment(segment: Segment, bytes: Buffer[]): Promise<void> {
    await this.#storeSegment(segment, bytes);
    await this.#publishPlaylist();
  }

  /** Complete segments within `window` seconds of the live edge, newest first. */
  #recent(window: number): Segment[] {
    const out: Segment[] = [];
    let age = 0;
    for (const s of [...this.#window].reverse()) {
      if (age >= window) break;
      out.push(s);
      age += s.duration;
    }
    return out;
  }

  async #removeParts(segment: Segment): Promise<void> {
    const keys = segment.parts.map((p) => this.options.prefix + p.uri);
    segment.parts.length = 0;
    if (keys.length) await this.options.store.client.removeObjects(this.options.store.bucket, keys);
  }

  #playlist(open: Segment | null, ended: boolean): string {
    return livePlaylist({
      preloadHint: ended ? null : partUri(this.#timeline.nextPartId),
      segments: open ? [...this.#window, open] : [...this.#window],
      targetDuration: this.#targetDuration,
      partTarget: this.options.partSeconds,
      partWindowSeconds: this.#partWindowSeconds,
      discontinuitySequence: this.#discontinuities,
      renditionReports: this.options.reports(),
      ended,
    });
  }

  async #publish(open: Segment, part: Part): Promise<void> {
    await this.#put('index.m3u8', this.#playlist(open.complete ? null : open, false));
    this.#published = { msn: open.msn, part: part.index, partId: part.id };
    this.options.onPublished({
      rendition: this.options.name,
      msn: open.msn,
      part: part.index,
      partId: part.id,
      segments: this.#completeSegments,
    });
  }

  async #publishPlaylist(): Promise<void> {
    const last = this.#window.at(-1);
    await this.#put('index.m3u8', this.#playlist(null, false));
    if (last) {
      const lastPart = last.parts.at(-1);
      this.#published = {
        msn: last.msn,
        part: Math.max(0, last.parts.length - 1),
        partId: lastPart?.id ?? this.#published.partId,
      };
      this.options.onPublished({
        rendition: this.options.name,
        msn: last.msn,
        part: this.#published.part,
        partId: this.#published.partId,
        segments: this.#completeSegments,
      });
    }
  }

  /** Waits for every upload so far; rejects with the first upload failure. */
  async flush(): Promise<void> {
    await this.#chain;
    if (this.#failure) throw this.#failure;
  }

  /** End of a run (the encoder stopped): the open segment is finished and listed. */
  endRun(): void {
    const closed = this.#timeline.close();
    const bytes = this.#openBytes.splice(0);
    if (closed) this.#enqueue(() => this.#finishSegment(closed, bytes));
  }

  /** End of the stream: the playlist becomes the complete VOD playlist of the session (every logged segment). */
  async end(): Promise<void> {
    this.endRun();
    this.#ended = true;
    await this.flush();
    const segments = await this.options.log.all(this.options.name);
    await this.#put('index.m3u8', segments.length ? vodPlaylist(segments) : this.#playlist(null, true));
    for (const s of this.#window) if (s.parts.length) await this.#removeParts(s);
  }
}
