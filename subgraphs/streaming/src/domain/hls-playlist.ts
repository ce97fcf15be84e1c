import * as HLS from 'hls-parser';

/**
 * Rewrites an HLS playlist so every relative URI it references carries the playback grant's query string:
 * plain URI lines (variant playlists, segments) and `URI="…"` attributes (EXT-X-MEDIA, EXT-X-MAP, EXT-X-KEY, …).
 * Absolute URIs (scheme or leading `/`) are left as they are: they do not point into this stream's folder.
 */
const RELATIVE = /^(?![A-Za-z][A-Za-z0-9+.-]*:)(?!\/)/;

function withGrant(uri: string, grant: string): string {
  if (!RELATIVE.test(uri) || uri.length === 0) return uri;
  const hash = uri.indexOf('#');
  const base = hash === -1 ? uri : uri.slice(0, hash);
  const fragment = hash === -1 ? '' : uri.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${grant}${fragment}`;
}

export function signPlaylist(playlist: string, grant: string): string {
  return playlist
    .split(/\r?\n/)
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#'))
        return line.replace(/URI="([^"]*)"/g, (_m, uri: string) => `URI="${withGrant(uri, grant)}"`);
      return withGrant(trimmed, grant);
    })
    .join('\n');
}

/** The playing time of a media playlist (the sum of its segments' durations, read with hls-parser); 0 for anything else. */
export function playlistSeconds(playlist: string): number {
  if (!playlist.trimStart().startsWith('#EXTM3U')) return 0;
  const parsed = HLS.parse(playlist);
  return parsed.isMasterPlaylist ? 0 : parsed.segments.reduce((total, segment) => total + (segment.duration || 0), 0);
}
