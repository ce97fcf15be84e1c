import { boxesIn, Mp4FormatError, type Box } from './boxes.ts';
import { parseInitSegment, type InitSegment } from './init-segment.ts';
import { parseFragment, type FragmentInfo } from './media-fragment.ts';

export interface MediaFragment extends FragmentInfo {
  /** moof + mdat (and any boxes between them): one CMAF chunk, an LL-HLS part. */
  readonly bytes: Buffer;
}

export interface FragmentStreamHandlers {
  init(init: InitSegment): void;
  fragment(fragment: MediaFragment): void;
}

/**
 * Turns the byte stream of a fragmented MP4 (ffmpeg `-f mp4 -movflags +frag_keyframe+empty_moov+default_base_moof`)
 * into its initialisation segment and its fragments, as they complete. A box larger than `maxBoxBytes` or a
 * malformed one throws: the caller treats the stream as broken.
 */
export class FragmentStream {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #header: Buffer[] = [];
  #init: InitSegment | null = null;
  #moof: Box | null = null;
  #fragmentBoxes: Buffer[] = [];

  constructor(
    private readonly handlers: FragmentStreamHandlers,
    private readonly maxBoxBytes = 64 * 1024 * 1024,
  ) {}

  get init(): InitSegment | null {
    return this.#init;
  }

  push(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    for (;;) {
      const box = this.#nextBox();
      if (!box) return;
      this.#onBox(box);
    }
  }

  /** The first `n` buffered bytes (fewer when fewer are buffered), joining only the chunks they span. */
  #head(n: number): Buffer {
    const spanned: Buffer[] = [];
    let length = 0;
    for (const chunk of this.#pending) {
      if (length >= n) break;
      spanned.push(chunk);
      length += chunk.length;
    }
    return spanned.length === 1 ? spanned[0]! : Buffer.concat(spanned, Math.min(n, length));
  }

  /**
   * The next complete top-level box, if the buffered bytes hold one. The chunks are joined only once the box is
   * complete: joining on every chunk would copy a large mdat over and over (quadratic in its number of chunks).
   */
  #nextBox(): Box | null {
    if (this.#pendingBytes < 8) return null;
    const head = this.#head(16);
    let size = head.readUInt32BE(0);
    if (size === 1) {
      if (head.length < 16) return null;
      size = Number(head.readBigUInt64BE(8));
    }
    if (size < 8) throw new Mp4FormatError(`box of ${size} bytes in the stream`);
    if (size > this.maxBoxBytes)
      throw new Mp4FormatError(`box of ${size} bytes is over the ${this.maxBoxBytes} byte limit`);
    if (this.#pendingBytes < size) return null;
    if (this.#pending.length > 1) this.#pending = [Buffer.concat(this.#pending, this.#pendingBytes)];
    const data = this.#pending[0]!;
    const bytes = data.subarray(0, size);
    const rest = data.subarray(size);
    this.#pending = rest.length ? [rest] : [];
    this.#pendingBytes = rest.length;
    const [box] = boxesIn(bytes);
    return box ?? null;
  }

  #onBox(box: Box): void {
    if (!this.#init) {
      this.#header.push(Buffer.from(box.bytes));
      if (box.type === 'moov') {
        this.#init = parseInitSegment(Buffer.concat(this.#header));
        this.#header = [];
        this.handlers.init(this.#init);
      }
      return;
    }
    if (box.type === 'moof') {
      this.#moof = { ...box, bytes: Buffer.from(box.bytes) };
      this.#fragmentBoxes = [this.#moof.bytes];
      return;
    }
    if (!this.#moof) return; // mfra/mfro at the end, free/skip boxes: not media
    this.#fragmentBoxes.push(Buffer.from(box.bytes));
    if (box.type === 'mdat') {
      const info = parseFragment(this.#moof, this.#init);
      this.handlers.fragment({ ...info, bytes: Buffer.concat(this.#fragmentBoxes) });
      this.#moof = null;
      this.#fragmentBoxes = [];
    }
  }
}
