import { segmentUri, type Segment } from './timeline.ts';

/**
 * HLS playlist text: the LL-HLS live media playlist (RFC 8216bis: EXT-X-PART, EXT-X-SERVER-CONTROL with blocking
 * reload, EXT-X-RENDITION-REPORT), the VOD playlist a live session leaves behind, and the master playlist.
 * Written here rather than with hls-parser's serializer: hls-parser 0.16 does not round-trip these LL-HLS playlists.
 * `stringify(parse(text))` of a live playlist adds an `#EXT-X-KEY:METHOD=undefined,URI="<init segment>"` line before
 * the preload-hinted part (a player then takes the stream for encrypted) and `BYTERANGE-START=0` to the
 * EXT-X-PRELOAD-HINT, and its model holds the hint as a part of a segment that does not exist yet. Tests parse the
 * output with hls-parser (reading is fine) and play it with hls.js; the DASH writer reads playlists with it too.
 */

const seconds = (n: number): string => (Math.round(n * 100_000) / 100_000).toString();

export interface LivePlaylistInput {
  /** Complete segments in the window (oldest first), then the open segment, if any. */
  readonly segments: readonly Segment[];
  readonly targetDuration: number;
  readonly partTarget: number;
  /** Parts are listed for complete segments newer than this many seconds before the live edge (and the open one). */
  readonly partWindowSeconds: number;
  readonly discontinuitySequence: number;
  readonly renditionReports: readonly { readonly uri: string; readonly lastMsn: number; readonly lastPart: number }[];
  /** The part that will come next (EXT-X-PRELOAD-HINT): players may ask for it before it exists. */
  readonly preloadHint?: string | null;
  /** The stream has ended: the playlist is closed (EXT-X-ENDLIST). */
  readonly ended?: boolean;
}

function segmentLines(segment: Segment, previousMap: string | null, withParts: boolean, dated = true): string[] {
  const lines: string[] = [];
  if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  if (segment.map !== previousMap) lines.push(`#EXT-X-MAP:URI="${segment.map}"`);
  if (dated) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`);
  if (withParts) {
    for (const part of segment.parts)
      lines.push(
        `#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${part.uri}"${part.independent ? ',INDEPENDENT=YES' : ''}`,
      );
  }
  if (segment.complete) lines.push(`#EXTINF:${seconds(segment.duration)},`, segmentUri(segment.msn));
  return lines;
}

export function livePlaylist(input: LivePlaylistInput): string {
  const first = input.segments[0];
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    `#EXT-X-TARGETDURATION:${input.targetDuration}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(input.partTarget)}`,
  ];
  if (!input.ended)
    lines.push(
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(input.partTarget * 3)},HOLD-BACK=${seconds(input.targetDuration * 3)}`,
    );
  lines.push(
    `#EXT-X-MEDIA-SEQUENCE:${first?.msn ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${input.discontinuitySequence}`,
  );
  const edge = input.segments.reduce((t, s) => t + s.duration, 0);
  let elapsed = 0;
  let map: string | null = null;
  for (const segment of input.segments) {
    const recent = !segment.complete || edge - elapsed - segment.duration < input.partWindowSeconds;
    lines.push(...segmentLines(segment, map, recent && segment.partsListable && !input.ended));
    map = segment.map;
    elapsed += segment.duration;
  }
  if (input.ended) lines.push('#EXT-X-ENDLIST');
  else {
    if (input.preloadHint) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${input.preloadHint}"`);
    for (const report of input.renditionReports)
      lines.push(`#EXT-X-RENDITION-REPORT:URI="${report.uri}",LAST-MSN=${report.lastMsn},LAST-PART=${report.lastPart}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Every segment of a finished session as a VOD playlist (a recording, dated with when it was filmed), or of a VOD
 * transcode (`dated: false`: an uploaded file has no wall-clock time).
 */
export function vodPlaylist(segments: readonly Segment[], options: { dated?: boolean } = {}): string {
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? 0}`,
  ];
  let map: string | null = null;
  for (const segment of segments) {
    lines.push(...segmentLines({ ...segment, complete: true }, map, false, options.dated ?? true));
    map = segment.map;
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface MasterVariant {
  readonly uri: string;
  /** Peak bits per second (measured or configured). */
  readonly bandwidth: number;
  readonly averageBandwidth?: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly codecs: readonly string[];
  readonly frameRate?: number | null;
}

export function masterPlaylist(variants: readonly MasterVariant[], independentSegments: boolean): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  if (independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  for (const v of [...variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attributes = [`BANDWIDTH=${Math.round(v.bandwidth)}`];
    if (v.averageBandwidth) attributes.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    if (v.codecs.length) attributes.push(`CODECS="${v.codecs.join(',')}"`);
    if (v.width && v.height) attributes.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.frameRate) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
