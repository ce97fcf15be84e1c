// The app's web video player in headless Chromium, on media that ffmpeg makes here (no streaming pipeline involved):
// a live two-rendition HLS ladder written in real time (1 s segments, EXT-X-PROGRAM-DATE-TIME), a VOD recording and an
// MP4 timelapse. The player is bundled alone with esbuild (react-native → react-native-web), as in the app's web build.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { build } from 'esbuild';
import { waitFor } from '../../tools/src/testing/wait.ts';
import { chromiumArgs, chromiumPath, hasChromium } from './support.ts';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const mobile = join(import.meta.dirname, '..');
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

function ffmpeg(args: string[], cwd: string): ChildProcess {
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}
/** Two renditions (360p, 180p) of a test pattern, H.264 + AAC, 1 s GOPs. */
const ladder = (seconds: string[]) => [
  ...seconds,
  '-f',
  'lavfi',
  '-i',
  'testsrc=size=640x360:rate=25',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=44100',
  '-filter_complex',
  '[0:v]split=2[a][b];[b]scale=320:180[b2]',
  '-map',
  '[a]',
  '-map',
  '[b2]',
  '-map',
  '1:a',
  '-map',
  '1:a',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-tune',
  'zerolatency',
  '-g',
  '25',
  '-keyint_min',
  '25',
  '-sc_threshold',
  '0',
  '-pix_fmt',
  'yuv420p',
  '-b:v:0',
  '700k',
  '-b:v:1',
  '200k',
  '-c:a',
  'aac',
  '-b:a',
  '48k',
];

describe.skipIf(!hasChromium || !hasFfmpeg)('web video player', () => {
  let dir: string;
  let live: ChildProcess;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vegshare-player-'));
    // The live ladder runs in real time for the whole file; the VOD and the timelapse are made first.
    const vod = ffmpeg(
      [
        ...ladder(['-t', '6']),
        '-t',
        '6',
        '-f',
        'hls',
        '-hls_time',
        '2',
        '-hls_playlist_type',
        'vod',
        '-master_pl_name',
        'master.m3u8',
        '-var_stream_map',
        'v:0,a:0 v:1,a:1',
        'vod_%v/index.m3u8',
      ],
      dir,
    );
    const mp4 = ffmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x180:rate=25',
        '-t',
        '3',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        'timelapse.mp4',
      ],
      dir,
    );
    await Promise.all([vod, mp4].map((p) => new Promise((ok) => p.on('exit', ok))));
    live = ffmpeg(
      [
        ...ladder(['-re']),
        '-f',
        'hls',
        '-hls_time',
        '1',
        '-hls_list_size',
        '8',
        '-hls_flags',
        'delete_segments+program_date_time+independent_segments',
        '-master_pl_name',
        'master.m3u8',
        '-var_stream_map',
        'v:0,a:0 v:1,a:1',
        'live_%v/index.m3u8',
      ],
      dir,
    );
    const page = await build({
      entryPoints: [join(mobile, 'test/player/page.tsx')],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      alias: { 'react-native': 'react-native-web' },
      resolveExtensions: ['.web.tsx', '.web.ts', '.tsx', '.ts', '.web.js', '.js', '.mjs', '.json'],
      nodePaths: [join(mobile, 'node_modules')],
      define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false', global: 'globalThis' },
      logLevel: 'error',
    });
    const bundle = Buffer.concat(page.outputFiles.map((f) => Buffer.from(f.contents)));
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          '<!doctype html><html><body style="margin:0"><div id="root"></div><script type="module" src="/player.js"></script></body></html>',
        );
      }
      if (path === '/player.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(bundle);
      }
      const file = join(dir, path);
      if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
      headless: true,
    });
    // Enough live segments for hls.js to start at the edge.
    await waitFor(
      async () => existsSync(join(dir, 'live_1/index.m3u8')) && existsSync(join(dir, 'master.m3u8')),
      (ok) => ok,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3_000));
  }, 120_000);

  afterAll(async () => {
    live?.kill('SIGKILL');
    await browser?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const video = (page: Page) => page.locator('[data-testid="video"] video');
  const time = (page: Page) => video(page).evaluate((v: HTMLVideoElement) => v.currentTime);

  it('plays a live stream at the live edge without a seek bar, by bandwidth or a chosen rendition, and returns to live', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/?src=${encodeURIComponent(`${base}/master.m3u8`)}&live=1`);
    await page.locator('[data-testid="video"][data-state="playing"]').waitFor({ timeout: 30_000 });
    expect(await video(page).evaluate((v: HTMLVideoElement) => v.controls)).toBe(false); // no 0:00 seek bar
    await page.getByTestId('live-badge').waitFor();
    const t0 = await time(page);
    await page.waitForTimeout(2_000);
    expect(await time(page)).toBeGreaterThan(t0 + 0.5);
    // At the live edge: within a few seconds of hls.js's live sync position and of the newest buffered media.
    const behindLive = async () =>
      Number((await page.getByTestId('video').getAttribute('data-behind-live')) ?? Number.NaN);
    await expect.poll(behindLive, { timeout: 10_000 }).toBeLessThan(6);
    expect(
      await video(page).evaluate((v: HTMLVideoElement) => v.buffered.end(v.buffered.length - 1) - v.currentTime),
    ).toBeLessThan(6);

    // Renditions: Auto plus 360p and 180p; choosing 180p switches the picture to 180 lines.
    await page.getByTestId('quality').waitFor({ timeout: 10_000 });
    const labels = await page.getByTestId('quality').locator('option').allTextContents();
    expect(labels.slice(1)).toEqual(['360p', '180p']);
    expect(labels[0]).toMatch(/^Auto/);
    const small = await page.getByTestId('quality').locator('option', { hasText: '180p' }).getAttribute('value');
    await page.getByTestId('quality').selectOption(small!);
    await expect
      .poll(() => video(page).evaluate((v: HTMLVideoElement) => v.videoHeight), { timeout: 15_000 })
      .toBe(180);
    await page.getByTestId('quality').selectOption('auto');
    expect(await page.getByTestId('video').getAttribute('data-quality')).toBe('auto');

    // Paused long enough to fall behind: "Go to live" brings playback back to the edge.
    await page.getByTestId('play-pause').click();
    await page.getByTestId('go-live').waitFor({ timeout: 20_000 });
    await page.getByTestId('go-live').click();
    await expect.poll(behindLive, { timeout: 10_000 }).toBeLessThan(6);
    expect(await page.getByTestId('video').getAttribute('data-state')).toBe('playing');
    await page.close();
  });

  it('plays a recording (HLS VOD) and a timelapse (MP4) with the normal controls', async () => {
    const page = await browser.newPage();
    await page.goto(
      `${base}/?src=${encodeURIComponent(`${base}/master.m3u8`.replace('master', 'vod_0/index'))}&live=0`,
    );
    await page.locator('[data-testid="video"][data-state="playing"]').waitFor({ timeout: 30_000 });
    expect(await video(page).evaluate((v: HTMLVideoElement) => v.controls)).toBe(true);
    expect(await page.getByTestId('live-badge').count()).toBe(0);
    expect(await video(page).evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(5);

    await page.goto(`${base}/?src=${encodeURIComponent(`${base}/timelapse.mp4`)}&live=0&kind=mp4`);
    await page.locator('[data-testid="video"][data-state="playing"]').waitFor({ timeout: 30_000 });
    expect(await video(page).evaluate((v: HTMLVideoElement) => Math.round(v.duration))).toBe(3);
    await page.close();
  });
});
