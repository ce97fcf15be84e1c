import type { ObjectStore } from '@vegshare/kit';
import { FragmentStream } from '../media/fmp4/fragment-stream.ts';
import type { InitSegment } from '../media/fmp4/init-segment.ts';
import type { LadderPlan } from './ladder-plan.ts';
import { objectMeta } from './media-types.ts';
import { masterPlaylist, vodPlaylist, type MasterVariant } from './playlists.ts';
import { RenditionTimeline, segmentUri, type Segment } from './timeline.ts';

class VodRendition {
  readonly #timeline: RenditionTimeline;
  readonly #segments: Segment[] = [];
  #open: Buffer[] = [];
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  #init: InitSegment | null = null;
  #bytes = 0;
  #peak = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    segmentSeconds: number,
  ) {
    this.#timeline = new RenditionTimeline({ segmentSeconds, maxSegmentSeconds: segmentSeconds * 3 });
  }

  get init(): InitSegment | null {
    return this.#init;
  }
  get segments(): readonly Segment[] {
    return this.#segments;
  }
  get bitrate(): { peak: number; average: number } {
    const seconds = this.#segments.reduce((t, s) => t + s.duration, 0);
    return { peak: this.#peak, average: seconds ? (this.#bytes * 8) / seconds : 0 };
  }

  #then(task: () => Promise<void>): void {
    this.#chain = this.#chain
      .then(async () => {
        if (this.#failure === null) await task();
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
  }

  async #put(name: string, body: Buffer | string): Promise<void> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    await this.store.client.putObject(this.store.bucket, this.prefix + name, data, data.length, objectMeta(name));
  }

  #store(segment: Segment, parts: Buffer[]): void {
    const body = Buffer.concat(parts);
    this.#bytes += body.length;
    if (segment.duration > 0) this.#peak = Math.max(this.#peak, (body.length * 8) / segment.duration);
    this.#segments.push(segment);
    this.#then(() => this.#put(segmentUri(segment.msn), body));
  }

  stream(): FragmentStream {
    return new FragmentStream({
      init: (init) => {
        this.#init = init;
        this.#timeline.startRun('init.mp4', false);
        this.#then(() => this.#put('init.mp4', init.bytes));
      },
      fragment: (fragment) => {
        // VOD media time is its own clock: the "wall clock" of a segment is its offset from the epoch start.
        const step = this.#timeline.add(fragment, (media) => media);
        if (!step) return;
        if (step.closed) this.#store(step.closed, this.#open.splice(0));
        this.#open.push(fragment.bytes);
      },
    });
  }

  async finish(): Promise<string> {
    const last = this.#timeline.close();
    if (last) this.#store(last, this.#open.splice(0));
    const playlist = vodPlaylist(
      this.#segments.map((s) => ({ ...s, discontinuity: false })),
      { dated: false },
    );
    this.#then(() => this.#put('index.m3u8', playlist));
    await this.#chain;
    if (this.#failure !== null) throw this.#failure instanceof Error ? this.#failure : new Error(String(this.#failure));
    return playlist;
  }
}

/**
 * A VOD ladder in S3 from ffmpeg's fragmented-MP4 outputs: segments cut at the forced keyframes, uploaded as they
 * complete, then each rendition's VOD playlist and the master playlist.
 */
export class VodLadder {
  readonly #renditions = new Map<string, VodRendition>();
  readonly #streams = new Map<string, FragmentStream>();

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly plan: LadderPlan,
    segmentSeconds: number,
  ) {
    for (const r of plan.renditions) {
      const rendition = new VodRendition(store, `${prefix}${r.name}/`, segmentSeconds);
      this.#renditions.set(r.name, rendition);
      this.#streams.set(r.name, rendition.stream());
    }
  }

  push(rendition: string, chunk: Buffer): void {
    this.#streams.get(rendition)?.push(chunk);
  }

  /** Writes the playlists; returns the master's key and every media playlist by its URI in the master. */
  async finish(): Promise<{ masterKey: string; master: string; media: Map<string, string> }> {
    const media = new Map<string, string>();
    const variants: MasterVariant[] = [];
    for (const r of this.plan.renditions) {
      const rendition = this.#renditions.get(r.name)!;
      media.set(`${r.name}/index.m3u8`, await rendition.finish());
      const init = rendition.init;
      if (!init || !rendition.segments.length) throw new Error(`rendition ${r.name} produced no media`);
      const video = init.tracks.find((t) => t.kind === 'video');
      const { peak, average } = rendition.bitrate;
      variants.push({
        uri: `${r.name}/index.m3u8`,
        bandwidth: Math.max(1, peak * 1.1),
        averageBandwidth: Math.max(1, average),
        width: video?.width ?? null,
        height: video?.height ?? null,
        codecs: init.tracks.map((t) => t.codec).filter((c): c is string => c !== null),
      });
    }
    const master = masterPlaylist(variants, true);
    const masterKey = `${this.prefix}master.m3u8`;
    await this.store.client.putObject(
      this.store.bucket,
      masterKey,
      Buffer.from(master),
      Buffer.byteLength(master),
      objectMeta('master.m3u8'),
    );
    return { masterKey, master, media };
  }
}
