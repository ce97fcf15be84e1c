/** Content types and cache lifetimes of what the HLS outputs write to S3. */
const contentTypeOf = (name: string): string =>
  name.endsWith('.m3u8')
    ? 'application/vnd.apple.mpegurl'
    : name.endsWith('.m4s')
      ? 'video/iso.segment'
      : name.endsWith('.mp4')
        ? 'video/mp4'
        : name.endsWith('.mpd')
          ? 'application/dash+xml'
          : name.endsWith('.jpg')
            ? 'image/jpeg'
            : 'application/octet-stream';

/** Playlists change; media objects never change once written. */
const cacheControlOf = (name: string): string =>
  name.endsWith('.m3u8') || name.endsWith('.mpd') ? 'no-cache' : 'max-age=31536000, immutable';

export const objectMeta = (name: string): Record<string, string> => ({
  'Content-Type': contentTypeOf(name),
  'Cache-Control': cacheControlOf(name),
});
