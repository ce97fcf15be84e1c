import type { ObjectStore } from '@vegshare/kit';
import { FragmentStream, type MediaFragment } from '../media/fmp4/fragment-stream.ts';
import { partTargetSeconds, type LadderPlan } from './ladder-plan.ts';
import { objectMeta } from './media-types.ts';
import { masterPlaylist, type MasterVariant } from './playlists.ts';
import { RenditionOutput, type SegmentLog } from './rendition-output.ts';
import { ClockAnchor } from './timeline.ts';

interface LadderProgress {
  readonly rendition: string;
  readonly msn: number;
  readonly part: number;
  readonly partId: number;
}

export interface LiveLadderOptions {
  readonly store: ObjectStore;
  /** S3 prefix of the session, ending in '/': master.m3u8 and one folder per rendition below it. */
  readonly prefix: string;
  readonly plan: LadderPlan;
  readonly segmentSeconds: number;
  readonly partSeconds: number;
  readonly windowSegments: number;
  readonly log: SegmentLog;
  readonly onProgress: (progress: LadderProgress) => void;
}

/** The byte sinks of one encoder run, by rendition. */
export interface LadderRun {
  readonly id: string;
  push(rendition: string, chunk: Buffer): void;
  /** Wall-clock time (ms) of the last fragment of any rendition in this run, or null before the first. */
  readonly lastFragmentAt: number | null;
  /** Renditions that have delivered at least one fragment in this run. */
  readonly renditionsFlowing: number;
}

/**
 * A live session's HLS ladder in S3: one RenditionOutput per rendition, a master playlist once every rendition has a
 * finished segment (bandwidths measured, codecs from the initialisation segments), and a clock anchor per encoder run
 * shared by all renditions so their EXT-X-PROGRAM-DATE-TIME values agree.
 */
export class LiveLadder {
  #masterWritten = false;
  #runs = 0;

  private constructor(
    private readonly options: LiveLadderOptions,
    private readonly outputs: ReadonlyMap<string, RenditionOutput>,
  ) {}

  static async create(options: LiveLadderOptions): Promise<LiveLadder> {
    const outputs = new Map<string, RenditionOutput>();
    let ladder: LiveLadder | null = null;
    for (const r of options.plan.renditions) {
      outputs.set(
        r.name,
        await RenditionOutput.open({
          store: options.store,
          prefix: `${options.prefix}${r.name}/`,
          name: r.name,
          segmentSeconds: options.segmentSeconds,
          // What the playlist announces as PART-TARGET: the longest part ffmpeg cuts for this part length.
          partSeconds: partTargetSeconds(options.partSeconds, options.plan.frameSeconds),
          windowSegments: options.windowSegments,
          log: options.log,
          onPublished: (p) =>
            options.onProgress({ rendition: p.rendition, msn: p.msn, part: p.part, partId: p.partId }),
          reports: () => (ladder ? ladder.#reportsExcept(r.name) : []),
        }),
      );
    }
    ladder = new LiveLadder(options, outputs);
    return ladder;
  }

  get renditions(): string[] {
    return [...this.outputs.keys()];
  }

  get masterKey(): string {
    return `${this.options.prefix}master.m3u8`;
  }

  #reportsExcept(name: string): { uri: string; lastMsn: number; lastPart: number }[] {
    return [...this.outputs.values()]
      .filter((o) => o.name !== name && o.published.msn >= 0)
      .map((o) => ({ uri: `../${o.name}/index.m3u8`, lastMsn: o.published.msn, lastPart: o.published.part }));
  }

  /** The first upload failure of any rendition. */
  get failure(): Error | null {
    for (const output of this.outputs.values()) if (output.failure) return output.failure;
    return null;
  }

  /** Every rendition has a finished segment in S3 and the master playlist is there: a player can start. */
  get playable(): boolean {
    return this.#masterWritten;
  }

  /** Starts an encoder run: fragments of every rendition share its clock anchor. */
  beginRun(): LadderRun {
    this.#runs += 1;
    const id = `${Date.now().toString(36)}${this.#runs}`;
    const anchor = new ClockAnchor();
    const streams = new Map<string, FragmentStream>();
    const flowing = new Set<string>();
    let lastFragmentAt: number | null = null;
    for (const [name, output] of this.outputs) {
      streams.set(
        name,
        new FragmentStream({
          init: (init) => output.startRun(init, id),
          fragment: (fragment: MediaFragment) => {
            const now = Date.now();
            lastFragmentAt = now;
            flowing.add(name);
            anchor.observe(fragment, now);
            output.add(fragment, (media) => anchor.wallClockOf(media));
          },
        }),
      );
    }
    return {
      id,
      push: (rendition, chunk) => streams.get(rendition)?.push(chunk),
      get lastFragmentAt() {
        return lastFragmentAt;
      },
      get renditionsFlowing() {
        return flowing.size;
      },
    };
  }

  /** Writes the master playlist once every rendition has a finished segment; true once it is written. */
  async publishMasterWhenReady(): Promise<boolean> {
    if (this.#masterWritten) return true;
    const outputs = [...this.outputs.values()];
    if (!outputs.every((o) => o.completeSegments > 0 && o.init)) return false;
    await Promise.all(outputs.map((o) => o.flush()));
    const variants: MasterVariant[] = this.options.plan.renditions.map((r) => {
      const output = this.outputs.get(r.name)!;
      const init = output.init!;
      const video = init.tracks.find((t) => t.kind === 'video');
      const codecs = init.tracks.map((t) => t.codec).filter((c): c is string => c !== null);
      const { peak, average } = output.bitrate;
      const configured =
        (r.videoKbps ?? 0) * 1100 + (this.options.plan.audio === 'none' ? 0 : this.options.plan.audioKbps * 1000);
      return {
        uri: `${r.name}/index.m3u8`,
        bandwidth: Math.max(peak * 1.2, configured),
        averageBandwidth: average || undefined,
        width: video?.width ?? null,
        height: video?.height ?? null,
        codecs,
      } as MasterVariant;
    });
    const text = masterPlaylist(variants, true);
    await this.options.store.client.putObject(
      this.options.store.bucket,
      this.masterKey,
      Buffer.from(text),
      Buffer.byteLength(text),
      objectMeta('master.m3u8'),
    );
    this.#masterWritten = true;
    return true;
  }

  /** The encoder stopped: open segments are finished. */
  async endRun(): Promise<void> {
    for (const output of this.outputs.values()) output.endRun();
    await this.flush();
  }

  async flush(): Promise<void> {
    await Promise.all([...this.outputs.values()].map((o) => o.flush()));
  }

  /** The session is over: each rendition's playlist becomes the VOD playlist of everything recorded. */
  async end(): Promise<void> {
    await Promise.all([...this.outputs.values()].map((o) => o.end()));
    if (!this.#masterWritten) await this.publishMasterWhenReady();
  }

  /** The newest finished segment of the top rendition, if newer than `afterMsn`. */
  latestSegment(
    afterMsn: number,
  ): { readonly init: Buffer; readonly media: Buffer; readonly at: Date; readonly msn: number } | null {
    const top = this.outputs.get(this.options.plan.renditions[0]?.name ?? '');
    const latest = top?.latestSegment ?? null;
    return latest && latest.msn > afterMsn ? latest : null;
  }

  /** Seconds recorded in the longest rendition (for the recording's length). */
  get recordedRenditions(): number {
    return [...this.outputs.values()].filter((o) => o.completeSegments > 0).length;
  }
}
