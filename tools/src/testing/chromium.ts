import { existsSync } from 'node:fs';

/** Debian's chromium (DESIGN.md: no browser downloads); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
/** Flags this machine needs: no sandbox as root, and no background connections to a network that is closed. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
