import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.ts';

/** One look at the player: where playback is, and how far behind the camera (glass-to-glass, from PROGRAM-DATE-TIME). */
export interface PlayerSample {
  readonly at: number;
  readonly currentTime: number;
  /** Wall clock minus the PROGRAM-DATE-TIME of the frame on screen, in ms; null before hls.js knows the date. */
  readonly latencyMs: number | null;
  readonly level: number;
  readonly height: number | null;
  readonly paused: boolean;
}

export interface HlsPlayer {
  /** Samples taken every `everyMs` since `play`; errors hls.js reported (fatal ones stop playback). */
  samples(): Promise<PlayerSample[]>;
  errors(): Promise<{ type: string; details: string; fatal: boolean }[]>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * hls.js (low-latency mode, its defaults otherwise) in headless Chromium playing `url`, as the web app does; the page
 * is served from loopback, the stream fetched from wherever `url` points (the gateway's origin). Every `everyMs` the
 * page records the playhead and the glass-to-glass latency hls.js's `playingDate` gives.
 */
export async function playHls(
  url: string,
  options: { everyMs?: number; hlsConfig?: Record<string, unknown> } = {},
): Promise<HlsPlayer> {
  const hlsSource = readFileSync(require.resolve('hls.js/dist/hls.min.js'), 'utf8');
  const html = `<!doctype html><html><body><video id="v" muted autoplay playsinline></video><script>${hlsSource}</script></body></html>`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
  });
  const page: Page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  // The page's side, as plain JavaScript (it runs in Chromium, not here).
  await page.evaluate(`(() => {
    const video = document.getElementById('v');
    window.__samples = [];
    window.__errors = [];
    const hls = new Hls(Object.assign({ lowLatencyMode: true }, ${JSON.stringify(options.hlsConfig ?? {})}));
    hls.on(Hls.Events.ERROR, (_e, data) => window.__errors.push({ type: data.type, details: data.details, fatal: data.fatal }));
    hls.loadSource(${JSON.stringify(url)});
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => undefined));
    setInterval(() => {
      const date = hls.playingDate;
      const level = hls.levels && hls.levels[hls.currentLevel];
      window.__samples.push({ at: Date.now(), currentTime: video.currentTime, latencyMs: date ? Date.now() - date.getTime() : null, level: hls.currentLevel, height: level ? level.height : null, paused: video.paused });
    }, ${options.everyMs ?? 250});
  })()`);
  return {
    samples: () => page.evaluate<PlayerSample[]>('window.__samples'),
    errors: () => page.evaluate<{ type: string; details: string; fatal: boolean }[]>('window.__errors'),
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The q-quantile of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
