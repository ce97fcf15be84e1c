/**
 * ISO BMFF (MP4) boxes: just what a live fMP4 stream from ffmpeg needs — walking boxes, reading big-endian fields.
 * Every read is bounds-checked: a malformed box throws a Mp4FormatError instead of reading past its end.
 */
export class Mp4FormatError extends Error {
  override readonly name = 'Mp4FormatError';
}

export interface Box {
  readonly type: string;
  /** The whole box, header included. */
  readonly bytes: Buffer;
  /** Offset of the payload within `bytes` (8, or 16 for a 64-bit size). */
  readonly headerSize: number;
}

export const payloadOf = (box: Box): Buffer => box.bytes.subarray(box.headerSize);

/** The boxes laid end to end in `data`. */
export function* boxesIn(data: Buffer): Generator<Box> {
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < 8) throw new Mp4FormatError(`truncated box header at ${offset}`);
    let size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    let headerSize = 8;
    if (size === 1) {
      if (data.length - offset < 16) throw new Mp4FormatError(`truncated 64-bit box size at ${offset}`);
      size = Number(data.readBigUInt64BE(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = data.length - offset;
    }
    if (size < headerSize || offset + size > data.length)
      throw new Mp4FormatError(`box ${JSON.stringify(type)} of ${size} bytes overruns its parent`);
    yield { type, bytes: data.subarray(offset, offset + size), headerSize };
    offset += size;
  }
}

export const childrenOf = (box: Box, skip = 0): Box[] => [...boxesIn(payloadOf(box).subarray(skip))];

export function child(box: Box, type: string, skip = 0): Box | null {
  return childrenOf(box, skip).find((b) => b.type === type) ?? null;
}

export function requireChild(box: Box, type: string, skip = 0): Box {
  const found = child(box, type, skip);
  if (!found) throw new Mp4FormatError(`${box.type} has no ${type}`);
  return found;
}

/** A cursor over a box payload; throws Mp4FormatError on a read past the end. */
export class Reader {
  #offset = 0;
  constructor(private readonly data: Buffer) {}
  get offset(): number {
    return this.#offset;
  }
  #need(n: number): number {
    const at = this.#offset;
    if (at + n > this.data.length)
      throw new Mp4FormatError(`read of ${n} bytes past the end (${this.data.length}) at ${at}`);
    this.#offset += n;
    return at;
  }
  skip(n: number): this {
    this.#need(n);
    return this;
  }
  u8(): number {
    return this.data.readUInt8(this.#need(1));
  }
  u16(): number {
    return this.data.readUInt16BE(this.#need(2));
  }
  u32(): number {
    return this.data.readUInt32BE(this.#need(4));
  }
  i32(): number {
    return this.data.readInt32BE(this.#need(4));
  }
  u64(): number {
    const value = this.data.readBigUInt64BE(this.#need(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Mp4FormatError('64-bit value beyond what a double holds exactly');
    return Number(value);
  }
  /** Version and flags of a full box. */
  fullBox(): { version: number; flags: number } {
    const word = this.u32();
    return { version: word >>> 24, flags: word & 0xffffff };
  }
  ascii(n: number): string {
    const at = this.#need(n);
    return this.data.toString('latin1', at, at + n);
  }
}
