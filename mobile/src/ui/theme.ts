/**
 * Colours of the light and dark themes. Every foreground/background pair the UI uses reaches WCAG AA contrast
 * (4.5:1 for text; checked by test/theme.test.ts), including status pills on cards.
 */
export interface Palette {
  readonly bg: string;
  readonly card: string;
  readonly text: string;
  readonly muted: string;
  readonly primary: string;
  /** Text on a `primary` background. */
  readonly primaryText: string;
  /** Waiting states (REQUESTED, OPEN, STARTING). */
  readonly accent: string;
  readonly danger: string;
  readonly live: string;
  readonly border: string;
  readonly inputBg: string;
  readonly map: string;
  readonly mapLine: string;
  readonly banner: string;
  readonly bannerText: string;
}

export const palettes: Readonly<Record<'light' | 'dark', Palette>> = {
  light: {
    bg: '#f6f4ee',
    card: '#ffffff',
    text: '#1f2a1f',
    muted: '#566056',
    primary: '#2f6b3a',
    primaryText: '#ffffff',
    accent: '#8a5300',
    danger: '#b3261e',
    live: '#b71c31',
    border: '#cfcabb',
    inputBg: '#ffffff',
    map: '#dfe9d3',
    mapLine: '#c8d6b9',
    banner: '#3b3b3b',
    bannerText: '#ffffff',
  },
  dark: {
    bg: '#121512',
    card: '#1c221c',
    text: '#e8ece6',
    muted: '#a9b2a7',
    primary: '#86c992',
    primaryText: '#0d1a0f',
    accent: '#f2bd55',
    danger: '#ff8f85',
    live: '#ff7a8a',
    border: '#34403a',
    inputBg: '#141914',
    map: '#223022',
    mapLine: '#2f402f',
    banner: '#e6e6e6',
    bannerText: '#111111',
  },
};

export const space = (n: number): number => n * 4;
/** Smallest touch target (Apple HIG 44 pt, Material 48 dp; 44 is the floor everywhere). */
export const TOUCH = 44;

/** Relative luminance of a #rrggbb colour (WCAG 2.x). */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text/background pairs the components draw. */
export function textPairs(p: Palette): readonly (readonly [string, string, string])[] {
  const pairs: [string, string, string][] = [];
  for (const [bgName, bg] of [
    ['bg', p.bg],
    ['card', p.card],
  ] as const) {
    for (const name of ['text', 'muted', 'primary', 'accent', 'danger', 'live'] as const)
      pairs.push([`${name} on ${bgName}`, p[name], bg]);
  }
  pairs.push(
    ['primaryText on primary', p.primaryText, p.primary],
    ['primaryText on live (badge)', p.primaryText, p.live],
    ['text on inputBg', p.text, p.inputBg],
    ['bannerText on banner', p.bannerText, p.banner],
    ['text on map', p.text, p.map],
  );
  return pairs;
}
