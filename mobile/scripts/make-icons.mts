// Renders the app's icon, adaptive icon, splash image, favicon and Android notification icon from one SVG drawing
// with headless Chromium (no image tools needed): `../node_modules/.bin/tsx scripts/make-icons.mts` in mobile/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from '../test/support.ts';

const out = join(import.meta.dirname, '..', 'assets');
mkdirSync(out, { recursive: true });

/** A sprout growing from a soil bed under a sun: the brand mark. `fg` draws it, `bg` fills the square (or not). */
const mark = (fg: string, accent: string, soil: string) => `
  <circle cx="680" cy="330" r="110" fill="${accent}"/>
  <path d="M512 760 C 512 600 512 520 512 450" stroke="${fg}" stroke-width="56" stroke-linecap="round" fill="none"/>
  <path d="M512 560 C 380 560 300 470 300 360 C 420 360 512 430 512 560 Z" fill="${fg}"/>
  <path d="M512 500 C 620 500 720 420 740 300 C 610 300 512 380 512 500 Z" fill="${fg}"/>
  <rect x="220" y="740" width="584" height="90" rx="45" fill="${soil}"/>`;
const svg = (
  size: number,
  body: string,
  bg: string | null,
  inset = 0,
) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="${-inset} ${-inset} ${1024 + 2 * inset} ${1024 + 2 * inset}">
  ${bg ? `<rect x="${-inset}" y="${-inset}" width="${1024 + 2 * inset}" height="${1024 + 2 * inset}" fill="${bg}"/>` : ''}${body}</svg>`;

const images: [string, number, string][] = [
  ['icon.png', 1024, svg(1024, mark('#ffffff', '#f2bd55', '#8a5a2b'), '#2f6b3a')],
  // Android crops adaptive icons to a circle or squircle: keep the mark inside the central 66 %.
  ['adaptive-icon.png', 1024, svg(1024, mark('#ffffff', '#f2bd55', '#8a5a2b'), null, 260)],
  ['splash-icon.png', 512, svg(512, mark('#2f6b3a', '#e0a526', '#8a5a2b'), null)],
  ['favicon.png', 48, svg(48, mark('#ffffff', '#f2bd55', '#8a5a2b'), '#2f6b3a')],
  // Android notification icons are white on transparent (the system tints them).
  ['notification-icon.png', 96, svg(96, mark('#ffffff', '#ffffff', '#ffffff'), null)],
];

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
try {
  for (const [name, size, image] of images) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${image}</body></html>`);
    await page.locator('svg').screenshot({ path: join(out, name), omitBackground: true });
    await page.close();
    console.log(`wrote assets/${name} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
