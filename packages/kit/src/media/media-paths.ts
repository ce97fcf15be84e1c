/**
 * Paths of finished media served at `/media/<key>` (recordings, VOD outputs, timelapses) and the grant scope each
 * falls under. Only keys of these shapes are ever served; anything else (other objects in the bucket, `..`,
 * encoded separators, control characters) is refused before it comes near S3.
 */
export const MEDIA_PREFIX = '/media/';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const FILE = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';

/** Key shapes and the part of the key a grant covers. */
const SHAPES: readonly { readonly pattern: RegExp; readonly scope: (m: RegExpExecArray) => string }[] = [
  // A VOD job's outputs: vod/<job>/master.m3u8, vod/<job>/<rendition>/<file>, vod/<job>/thumbnails/<file>.
  { pattern: new RegExp(`^(vod/${UUID}/)(?:${FILE}/)?${FILE}$`), scope: (m) => m[1]! },
  // A recorded live session: live/<stream>/<job>/master.m3u8 and live/<stream>/<job>/<rendition>/<file>.
  { pattern: new RegExp(`^(live/${UUID}/${UUID}/)(?:${FILE}/)?${FILE}$`), scope: (m) => m[1]! },
  // A timelapse: exactly one MP4.
  { pattern: new RegExp(`^(timelapses/${UUID}/\\d{4}-\\d{2}-\\d{2}\\.mp4)$`), scope: (m) => m[1]! },
];

export const MEDIA_CONTENT_TYPES: Readonly<Record<string, string>> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  mpd: 'application/dash+xml',
  jpg: 'image/jpeg',
};

export interface MediaPath {
  /** The S3 key. */
  readonly key: string;
  /** What a grant for this key must cover. */
  readonly scope: string;
  readonly extension: string;
}

/** The key and grant scope of a `/media/…` request path, or null when the path is not servable media. */
export function parseMediaPath(path: string): MediaPath | null {
  if (!path.startsWith(MEDIA_PREFIX) || path.length > 512) return null;
  // The raw path: percent-encoding is not decoded, so `%2e%2e` or `%2f` simply fail the patterns.
  const key = path.slice(MEDIA_PREFIX.length);
  if (key.includes('..')) return null;
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  // Own keys only: `in` also finds Object.prototype's (`x.constructor` would pass, with a function as content type).
  if (!Object.hasOwn(MEDIA_CONTENT_TYPES, extension)) return null;
  for (const shape of SHAPES) {
    const match = shape.pattern.exec(key);
    if (match) return { key, scope: shape.scope(match), extension };
  }
  return null;
}

/** The grant scope of a media key (what `MediaSigner.sign` is given when a URL is issued), or null. */
export const mediaScopeOf = (key: string): string | null => parseMediaPath(`${MEDIA_PREFIX}${key}`)?.scope ?? null;

/** The public URL of a media key under `baseUrl`, signed with `query`. */
export const mediaUrl = (baseUrl: string, key: string, query: string): string =>
  new URL(`${MEDIA_PREFIX}${key}?${query}`, baseUrl).toString();
