import { childrenOf, Mp4FormatError, payloadOf, Reader, type Box } from './boxes.ts';
import type { InitSegment } from './init-segment.ts';

/** sample_is_non_sync_sample in ISO/IEC 14496-12 sample flags. */
const NON_SYNC = 0x00010000;
/**
 * More samples than any fragment of a live or VOD ladder holds (a minute of 48 kHz AAC is ~2,800). A trun without
 * per-sample fields takes no bytes per sample, so its count is checked here rather than by the reads.
 */
const MAX_SAMPLES_PER_RUN = 1 << 20;

interface TrackRun {
  readonly trackId: number;
  /** Decode time of the first sample, in the track's timescale. */
  readonly baseTime: number;
  /** Sum of the sample durations, in the track's timescale. */
  readonly duration: number;
  readonly samples: number;
  readonly startsWithSync: boolean;
}

export interface FragmentInfo {
  readonly runs: readonly TrackRun[];
  /** Video decode time of the fragment's start, seconds. */
  readonly start: number;
  /** Video duration, seconds. */
  readonly duration: number;
  /** Starts with a video keyframe: a player may begin here (an LL-HLS part with INDEPENDENT=YES). */
  readonly independent: boolean;
}

function trafRun(traf: Box, init: InitSegment): TrackRun {
  let trackId = 0;
  let defaultDuration: number | null = null;
  let defaultFlags: number | null = null;
  let baseTime: number | null = null;
  let duration = 0;
  let samples = 0;
  let startsWithSync: boolean | null = null;
  for (const box of childrenOf(traf)) {
    const r = new Reader(payloadOf(box));
    if (box.type === 'tfhd') {
      const { flags } = r.fullBox();
      trackId = r.u32();
      if (flags & 0x01) r.skip(8);
      if (flags & 0x02) r.skip(4);
      if (flags & 0x08) defaultDuration = r.u32();
      if (flags & 0x10) r.skip(4);
      if (flags & 0x20) defaultFlags = r.u32();
    } else if (box.type === 'tfdt') {
      const { version } = r.fullBox();
      baseTime = version === 1 ? r.u64() : r.u32();
    } else if (box.type === 'trun') {
      const track = init.tracks.find((t) => t.id === trackId);
      if (!track) throw new Mp4FormatError(`fragment of unknown track ${trackId}`);
      const { flags } = r.fullBox();
      const count = r.u32();
      if (count > MAX_SAMPLES_PER_RUN) throw new Mp4FormatError(`trun of track ${trackId} claims ${count} samples`);
      if (flags & 0x01) r.skip(4);
      const firstFlags = flags & 0x04 ? r.u32() : null;
      for (let i = 0; i < count; i += 1) {
        const sampleDuration = flags & 0x100 ? r.u32() : (defaultDuration ?? track.defaultSampleDuration);
        if (flags & 0x200) r.skip(4);
        const sampleFlags =
          flags & 0x400
            ? r.u32()
            : i === 0 && firstFlags !== null
              ? firstFlags
              : (defaultFlags ?? track.defaultSampleFlags);
        if (flags & 0x800) r.skip(4);
        if (startsWithSync === null) startsWithSync = (sampleFlags & NON_SYNC) === 0;
        duration += sampleDuration;
      }
      samples += count;
    }
  }
  if (baseTime === null) throw new Mp4FormatError(`traf of track ${trackId} without tfdt`);
  return { trackId, baseTime, duration, samples, startsWithSync: startsWithSync ?? false };
}

/** Parses one moof (the fragment's media data follows in an mdat) against the stream's initialisation segment. */
export function parseFragment(moof: Box, init: InitSegment): FragmentInfo {
  if (moof.type !== 'moof') throw new Mp4FormatError(`expected moof, got ${moof.type}`);
  const runs = childrenOf(moof)
    .filter((b) => b.type === 'traf')
    .map((traf) => trafRun(traf, init));
  const video = init.tracks.find((t) => t.kind === 'video');
  const run = video ? runs.find((r) => r.trackId === video.id) : undefined;
  if (!video || !run) {
    // An audio-only fragment (possible around the start): it carries no video time of its own.
    return { runs, start: Number.NaN, duration: 0, independent: false };
  }
  return {
    runs,
    start: run.baseTime / video.timescale,
    duration: run.duration / video.timescale,
    independent: run.startsWithSync && run.samples > 0,
  };
}
