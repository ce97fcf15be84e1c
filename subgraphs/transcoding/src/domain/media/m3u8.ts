import * as HLS from 'hls-parser';

/**
 * Just enough of HLS playlists to write DASH over the same segments, read with hls-parser: the few fields the DASH
 * writer and the tests need, in shapes that do not depend on the parser's classes.
 */
export interface MediaPlaylist {
  readonly targetDuration: number | null;
  readonly mediaSequence: number;
  readonly mapUri: string | null;
  readonly segments: readonly { readonly uri: string; readonly duration: number }[];
  readonly endList: boolean;
}

interface MasterVariant {
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

/** Parses a playlist of the expected kind; anything that does not start with #EXTM3U is refused outright. */
function parsePlaylist(text: string): HLS.types.MediaPlaylist | HLS.types.MasterPlaylist {
  if (!text.trimStart().startsWith('#EXTM3U')) throw new Error('not an HLS playlist');
  return HLS.parse(text);
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist = parsePlaylist(text);
  if (playlist.isMasterPlaylist) throw new Error('a master playlist where a media playlist was expected');
  return {
    targetDuration: playlist.targetDuration ?? null,
    mediaSequence: playlist.mediaSequenceBase ?? 0,
    mapUri: playlist.segments.at(-1)?.map?.uri ?? null,
    segments: playlist.segments.map((s) => ({ uri: s.uri, duration: s.duration ?? 0 })),
    endList: playlist.endlist,
  };
}

export function parseMasterPlaylist(text: string): MasterPlaylist {
  const playlist = parsePlaylist(text);
  if (!playlist.isMasterPlaylist) throw new Error('a media playlist where a master playlist was expected');
  const audio = new Map<string, { uri: string; groupId: string; name: string }>();
  for (const rendition of playlist.variants.flatMap((v) => v.audio)) {
    if (rendition.uri)
      audio.set(`${rendition.groupId}\n${rendition.name}`, {
        uri: rendition.uri,
        groupId: rendition.groupId,
        name: rendition.name,
      });
  }
  return {
    variants: playlist.variants.map((v) => ({
      uri: v.uri,
      bandwidth: v.bandwidth,
      resolution: v.resolution ? { width: v.resolution.width, height: v.resolution.height } : null,
      codecs: v.codecs ?? null,
      audioGroup: v.audio[0]?.groupId ?? null,
    })),
    audio: [...audio.values()],
  };
}
