import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@vegshare/kit';
import type { FfmpegBinaries } from '../media/ffmpeg-binary.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
import { objectMeta } from './media-types.ts';

/** S3 key of a camera's snapshot taken at `at`: snapshots/<camera>/<YYYY-MM-DD>/<HHMMSS.mmm>.jpg (UTC). */
function snapshotKey(cameraId: string, at: Date): string {
  const iso = at.toISOString();
  return `snapshots/${cameraId}/${iso.slice(0, 10)}/${iso.slice(11, 23).replace(/:/g, '')}.jpg`;
}

/** A finished segment as viewers got it: its initialisation segment, its bytes, and when its first frame was taken. */
export interface SegmentSample {
  readonly init: Buffer;
  readonly media: Buffer;
  readonly at: Date;
}

/**
 * A still of what the camera showed, every `everyMs`, taken from the newest finished segment of the stream (one frame
 * decoded, once a minute by default) rather than by a decoder running on every frame: a passed-through camera costs
 * no decoding for it. The stills are the frames of the day's timelapse.
 */
export class SnapshotTaker {
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #taken = 0;

  constructor(
    private readonly options: {
      readonly binaries: FfmpegBinaries;
      readonly store: ObjectStore;
      readonly cameraId: string;
      readonly dir: string;
      /** The newest finished segment, if there is one newer than the last still. */
      readonly latest: () => SegmentSample | null;
      readonly onError: (error: unknown) => void;
    },
  ) {}

  get taken(): number {
    return this.#taken;
  }

  start(everyMs: number): void {
    this.#timer = setInterval(() => void this.takeOne(), everyMs);
    this.#timer.unref();
  }

  /** Takes one still now (if a new segment is there); errors go to `onError`. */
  async takeOne(): Promise<boolean> {
    if (this.#busy) return false;
    const sample = this.options.latest();
    if (!sample) return false;
    this.#busy = true;
    const source = join(this.options.dir, `still-${this.#taken}.mp4`);
    const still = join(this.options.dir, `still-${this.#taken}.jpg`);
    try {
      await mkdir(this.options.dir, { recursive: true });
      await writeFile(source, Buffer.concat([sample.init, sample.media]));
      const outcome = await runFfmpeg({
        binaries: this.options.binaries,
        input: source,
        plan: {
          inputOptions: [],
          complexFilter: null,
          outputs: [
            {
              path: still,
              options: ['-map 0:v:0', '-frames:v 1', "-vf scale=-2:'min(720,ih)'", '-q:v 4', '-f image2', '-y'],
            },
          ],
        },
        cwd: this.options.dir,
        signal: AbortSignal.timeout(15_000),
        killGraceMs: 500,
      });
      if (outcome.kind !== 'finished')
        throw new Error(outcome.kind === 'failed' ? outcome.message : 'snapshot timed out');
      const bytes = await readFile(still);
      await this.options.store.client.putObject(
        this.options.store.bucket,
        snapshotKey(this.options.cameraId, sample.at),
        bytes,
        bytes.length,
        objectMeta('still.jpg'),
      );
      this.#taken += 1;
      return true;
    } catch (error) {
      this.options.onError(error);
      return false;
    } finally {
      this.#busy = false;
      await rm(source, { force: true });
      await rm(still, { force: true });
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
