/** Just enough of HLS playlists to upload segments before the playlists that list them, expire old ones and write DASH. */
export interface MediaPlaylist {
  readonly targetDuration: number | null;
  readonly mediaSequence: number;
  readonly mapUri: string | null;
  readonly segments: readonly { readonly uri: string; readonly duration: number }[];
  readonly endList: boolean;
}

export interface MasterVariant {
  readonly uri: string;
  readonly bandwidth: number;
  readonly resolution: { readonly width: number; readonly height: number } | null;
  readonly codecs: string | null;
  readonly audioGroup: string | null;
}
export interface MasterPlaylist {
  readonly variants: readonly MasterVariant[];
  readonly audio: readonly { readonly uri: string; readonly groupId: string; readonly name: string }[];
}

/** Attribute list of an HLS tag: KEY=VALUE,KEY="quoted, value". */
export function parseAttributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const [, key, raw] = match;
    if (key && raw !== undefined) out[key] = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  }
  return out;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist');
  let targetDuration: number | null = null;
  let mediaSequence = 0;
  let mapUri: string | null = null;
  let endList = false;
  let duration: number | null = null;
  const segments: { uri: string; duration: number }[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) mapUri = parseAttributes(line.slice(11))['URI'] ?? null;
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-ENDLIST') endList = true;
    else if (!line.startsWith('#')) {
      segments.push({ uri: line, duration: duration ?? 0 });
      duration = null;
    }
  }
  return { targetDuration, mediaSequence, mapUri, segments, endList };
}

export function parseMasterPlaylist(text: string): MasterPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist');
  const variants: MasterVariant[] = [];
  const audio: { uri: string; groupId: string; name: string }[] = [];
  let pending: Record<string, string> | null = null;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (line.startsWith('#EXT-X-STREAM-INF:')) pending = parseAttributes(line.slice(18));
    else if (line.startsWith('#EXT-X-MEDIA:')) {
      const a = parseAttributes(line.slice(13));
      if (a['TYPE'] === 'AUDIO' && a['URI']) audio.push({ uri: a['URI'], groupId: a['GROUP-ID'] ?? '', name: a['NAME'] ?? '' });
    } else if (!line.startsWith('#') && pending) {
      const res = pending['RESOLUTION'] ? /^(\d+)x(\d+)$/.exec(pending['RESOLUTION']) : null;
      variants.push({
        uri: line,
        bandwidth: Number(pending['BANDWIDTH'] ?? 0),
        resolution: res ? { width: Number(res[1]), height: Number(res[2]) } : null,
        codecs: pending['CODECS'] ?? null,
        audioGroup: pending['AUDIO'] ?? null,
      });
      pending = null;
    }
  }
  return { variants, audio };
}
