import { boxesIn, child, childrenOf, Mp4FormatError, payloadOf, Reader, requireChild, type Box } from './boxes.ts';

interface TrackInfo {
  readonly id: number;
  readonly kind: 'video' | 'audio' | 'other';
  readonly timescale: number;
  /** RFC 6381 codec string for HLS CODECS (avc1.64001f, mp4a.40.2 …), null when not recognised. */
  readonly codec: string | null;
  readonly width: number | null;
  readonly height: number | null;
  /** trex defaults, used when a fragment does not say. */
  readonly defaultSampleDuration: number;
  readonly defaultSampleFlags: number;
}

export interface InitSegment {
  /** ftyp + moov exactly as received: the EXT-X-MAP of every playlist. */
  readonly bytes: Buffer;
  readonly tracks: readonly TrackInfo[];
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** avc1.PPCCLL from the avcC record (profile, constraint flags, level). */
function avcCodec(entry: Box): string | null {
  // VisualSampleEntry: 8 header + 6 reserved + 2 data_reference_index + 70 of visual fields, then child boxes.
  const avcC = child(entry, 'avcC', 78);
  if (!avcC) return null;
  const r = new Reader(payloadOf(avcC)).skip(1);
  return `${entry.type}.${hex2(r.u8())}${hex2(r.u8())}${hex2(r.u8())}`;
}

/** Length of an MPEG-4 descriptor: up to four bytes of seven bits each. */
function descriptorLength(r: Reader): number {
  let length = 0;
  for (let i = 0; i < 4; i += 1) {
    const byte = r.u8();
    length = (length << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  return length;
}

/** mp4a.40.<audio object type> from the esds descriptor chain. */
function aacCodec(entry: Box): string | null {
  // AudioSampleEntry: 8 header + 6 reserved + 2 data_reference_index + 20 of audio fields, then child boxes.
  const esds = child(entry, 'esds', 28);
  if (!esds) return null;
  const r = new Reader(payloadOf(esds));
  r.fullBox();
  if (r.u8() !== 0x03) return null;
  descriptorLength(r);
  r.skip(2);
  const esFlags = r.u8();
  if (esFlags & 0x80) r.skip(2);
  if (esFlags & 0x40) r.skip(r.u8());
  if (esFlags & 0x20) r.skip(2);
  if (r.u8() !== 0x04) return null;
  descriptorLength(r);
  const objectType = r.u8();
  r.skip(12);
  if (objectType !== 0x40) return `mp4a.${hex2(objectType)}`;
  if (r.u8() !== 0x05) return 'mp4a.40.2';
  descriptorLength(r);
  const first = r.u8();
  let aot = first >> 3;
  if (aot === 31) aot = 32 + (((first & 0x07) << 3) | (r.u8() >> 5));
  return `mp4a.40.${aot}`;
}

function trackOf(trak: Box, trex: ReadonlyMap<number, { duration: number; flags: number }>): TrackInfo {
  const tkhd = new Reader(payloadOf(requireChild(trak, 'tkhd')));
  const { version: tkhdVersion } = tkhd.fullBox();
  tkhd.skip(tkhdVersion === 1 ? 16 : 8);
  const id = tkhd.u32();
  const mdia = requireChild(trak, 'mdia');
  const mdhd = new Reader(payloadOf(requireChild(mdia, 'mdhd')));
  const { version: mdhdVersion } = mdhd.fullBox();
  mdhd.skip(mdhdVersion === 1 ? 16 : 8);
  const timescale = mdhd.u32();
  if (timescale <= 0) throw new Mp4FormatError(`track ${id} has timescale 0`);
  const hdlr = new Reader(payloadOf(requireChild(mdia, 'hdlr')));
  hdlr.fullBox();
  hdlr.skip(4);
  const handler = hdlr.ascii(4);
  const stsd = requireChild(requireChild(requireChild(mdia, 'minf'), 'stbl'), 'stsd');
  // stsd: version/flags and entry count, then the sample entries.
  const entry = childrenOf(stsd, 8)[0] ?? null;
  let codec: string | null = null;
  let width: number | null = null;
  let height: number | null = null;
  if (entry && /^(avc1|avc3)$/.test(entry.type)) codec = avcCodec(entry);
  else if (entry && /^(hvc1|hev1)$/.test(entry.type)) codec = entry.type;
  else if (entry?.type === 'mp4a') codec = aacCodec(entry);
  if (entry && handler === 'vide') {
    const r = new Reader(payloadOf(entry)).skip(24);
    width = r.u16();
    height = r.u16();
  }
  const defaults = trex.get(id) ?? { duration: 0, flags: 0 };
  return {
    id,
    kind: handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other',
    timescale,
    codec,
    width,
    height,
    defaultSampleDuration: defaults.duration,
    defaultSampleFlags: defaults.flags,
  };
}

/** Parses ftyp + moov of a fragmented MP4 (an HLS/CMAF initialisation segment). */
export function parseInitSegment(bytes: Buffer): InitSegment {
  const top = [...boxesIn(bytes)];
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) throw new Mp4FormatError('initialisation segment without moov');
  const trex = new Map<number, { duration: number; flags: number }>();
  const mvex = child(moov, 'mvex');
  for (const box of mvex ? childrenOf(mvex) : []) {
    if (box.type !== 'trex') continue;
    const r = new Reader(payloadOf(box));
    r.fullBox();
    const trackId = r.u32();
    r.skip(4);
    const duration = r.u32();
    r.skip(4);
    trex.set(trackId, { duration, flags: r.u32() });
  }
  const tracks = childrenOf(moov)
    .filter((b) => b.type === 'trak')
    .map((t) => trackOf(t, trex));
  if (!tracks.some((t) => t.kind === 'video')) throw new Mp4FormatError('initialisation segment without a video track');
  return { bytes, tracks };
}
