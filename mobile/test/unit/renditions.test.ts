import { describe, expect, it } from 'vitest';
import { isBehindLive, renditionLabel, sortRenditions } from '../../src/video/renditions';

describe('renditions', () => {
  it('lists renditions best first with readable labels, one per label', () => {
    const list = sortRenditions([
      { key: '2', height: 360, bitrate: 800_000 },
      { key: '0', height: 720, bitrate: 2_800_000 },
      { key: '1', height: 480, bitrate: 1_400_000 },
      { key: '3', height: 720, bitrate: 2_500_000 },
      { key: '4', height: null, bitrate: 3_100_000 },
    ]);
    expect(list.map(renditionLabel)).toEqual(['720p', '480p', '360p', '3.1 Mbit/s']);
    expect(list[0]?.key).toBe('0');
  });

  it('offers going back to live only when well behind the edge', () => {
    expect(isBehindLive(null)).toBe(false);
    expect(isBehindLive(2.5)).toBe(false);
    expect(isBehindLive(12)).toBe(true);
  });
});
