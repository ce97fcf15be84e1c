/**
 * Parsing of `/hls/<streamId>/<file…>` request paths. Anything that is not a plain relative path of safe
 * segments with a known HLS extension is refused before it comes near an S3 key: no `..`, no `.`-prefixed
 * segments, no empty segments, no backslashes or encoded separators, no control characters.
 */
export const HLS_PREFIX = '/hls/';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  aac: 'audio/aac',
  vtt: 'text/vtt',
};

export interface HlsPath {
  readonly streamId: string;
  /** Path below the stream's folder, e.g. `master.m3u8` or `720p/seg_00012.ts`. */
  readonly file: string;
  readonly extension: string;
}

export function parseHlsPath(path: string): HlsPath | null {
  if (!path.startsWith(HLS_PREFIX) || path.length > 512) return null;
  // Raw path as sent: percent-encoding is not decoded, so `%2e%2e` or `%2f` simply fail the segment pattern.
  const parts = path.slice(HLS_PREFIX.length).split('/');
  const [streamId, ...rest] = parts;
  if (!streamId || !UUID.test(streamId) || rest.length === 0 || rest.length > 4) return null;
  if (!rest.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return null;
  const file = rest.join('/');
  const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  if (!(extension in CONTENT_TYPES) || !file.includes('.')) return null;
  return { streamId: streamId.toLowerCase(), file, extension };
}

/** The S3 key of `file` for a stream whose master playlist is at `masterKey` (files live next to it). */
export function objectKeyFor(masterKey: string, file: string): string {
  if (file === 'master.m3u8') return masterKey;
  const slash = masterKey.lastIndexOf('/');
  return slash === -1 ? file : `${masterKey.slice(0, slash)}/${file}`;
}
