import { describe, expect, it } from 'vitest';
import { contrast, palettes, textPairs } from '../../src/ui/theme.ts';

describe('theme contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#e0a526', '#ffffff')).toBeCloseTo(2.19, 1); // the old OPEN/REQUESTED pill
  });

  for (const [scheme, palette] of Object.entries(palettes)) {
    it(`keeps every text colour at 4.5:1 or more in the ${scheme} theme`, () => {
      const failing = textPairs(palette)
        .map(([name, fg, bg]) => ({ name, ratio: Math.round(contrast(fg, bg) * 100) / 100 }))
        .filter((p) => p.ratio < 4.5);
      expect(failing).toEqual([]);
    });
  }
});
