/** One rendition of an HLS ladder as players report it (hls.js levels, expo-video tracks). */
export interface Rendition {
  /** The player's index or id for the rendition. */
  readonly key: string;
  readonly height: number | null;
  /** Peak or average bits per second, when known. */
  readonly bitrate: number | null;
}

/** 'auto' or a rendition key. */
export type QualityChoice = 'auto' | string;

/** '720p', else '2.4 Mbit/s', else '#key'. */
export function renditionLabel(r: Rendition): string {
  if (r.height) return `${r.height}p`;
  if (r.bitrate) return `${(r.bitrate / 1_000_000).toFixed(1)} Mbit/s`;
  return `#${r.key}`;
}

/** Renditions from the best to the lightest (height, then bitrate), duplicates of the same label dropped. */
export function sortRenditions(list: readonly Rendition[]): Rendition[] {
  const sorted = [...list].sort((a, b) => (b.height ?? 0) - (a.height ?? 0) || (b.bitrate ?? 0) - (a.bitrate ?? 0));
  const seen = new Set<string>();
  return sorted.filter((r) => {
    const label = renditionLabel(r);
    if (seen.has(label)) return false;
    seen.add(label);
    return true;
  });
}

/**
 * How far behind the live edge playback may drift before the player offers "Go to live" (LL-HLS keeps about one to
 * three seconds; a pause or a stall adds more).
 */
export const BEHIND_LIVE_SECONDS = 6;
export const isBehindLive = (offsetSeconds: number | null | undefined): boolean =>
  offsetSeconds != null && offsetSeconds > BEHIND_LIVE_SECONDS;
