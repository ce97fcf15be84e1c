/** One rung of an HLS ladder. */
export interface Rendition {
  readonly name: string;
  readonly height: number;
  readonly videoKbps: number;
}

export interface LadderProfile {
  readonly name: string;
  readonly renditions: readonly Rendition[];
  /** Fixed output frame rate, so that a GOP of fps × segment seconds lands on every segment boundary. */
  readonly fps: number;
  readonly audioKbps: number;
}

export const DEFAULT_PROFILE = 'hls-720-480-360';

/** Named ladders a job may ask for. */
export const profiles: Readonly<Record<string, LadderProfile>> = {
  'hls-720-480-360': {
    name: 'hls-720-480-360',
    fps: 30,
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
    fps: 25,
    audioKbps: 96,
    renditions: [
      { name: '360p', height: 360, videoKbps: 800 },
      { name: '240p', height: 240, videoKbps: 400 },
    ],
  },
};

export const profileOf = (name: string): LadderProfile | null => profiles[name] ?? null;

/** Rendition directory names a profile writes (plus `audio` when the source has sound). */
export const renditionNames = (profile: LadderProfile): string[] => profile.renditions.map((r) => r.name);
