/** One encoded rung of a ladder. */
export interface Rendition {
  readonly name: string;
  readonly height: number;
  readonly videoKbps: number;
}

export interface LadderProfile {
  readonly name: string;
  /** Encoded rungs, highest first. Rungs above the source's height are left out. */
  readonly renditions: readonly Rendition[];
  /**
   * Live: pass an H.264 source through as the top rung (remuxed, not re-encoded) and encode only the rungs below
   * it; one machine then carries many cameras.
   */
  readonly passThrough: boolean;
  readonly audioKbps: number;
}

export const DEFAULT_PROFILE = 'hls-720-480-360';
export const DEFAULT_LIVE_PROFILE = 'live-hls-ladder';

/** Named ladders a job may ask for. */
export const profiles: Readonly<Record<string, LadderProfile>> = {
  /** Live cameras: the source as it comes (H.264) plus a 360p rung for weak connections. */
  'live-hls-ladder': {
    name: 'live-hls-ladder',
    passThrough: true,
    audioKbps: 96,
    renditions: [
      { name: '720p', height: 720, videoKbps: 2800 },
      { name: '360p', height: 360, videoKbps: 800 },
    ],
  },
  'hls-720-480-360': {
    name: 'hls-720-480-360',
    passThrough: false,
    audioKbps: 128,
    renditions: [
      { name: '720p', height: 720, videoKbps: 2800 },
      { name: '480p', height: 480, videoKbps: 1400 },
      { name: '360p', height: 360, videoKbps: 800 },
    ],
  },
  /** A light ladder for low-bandwidth cameras (and quick tests). */
  'hls-360-240': {
    name: 'hls-360-240',
    passThrough: false,
    audioKbps: 96,
    renditions: [
      { name: '360p', height: 360, videoKbps: 800 },
      { name: '240p', height: 240, videoKbps: 400 },
    ],
  },
};

export const profileOf = (name: string): LadderProfile | null => profiles[name] ?? null;

/** Rendition names a profile produces at most (what a job announces before the source is known). */
export const renditionNames = (profile: LadderProfile): string[] => profile.renditions.map((r) => r.name);
