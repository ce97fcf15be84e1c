// Benchmark of the app's web build: bundle size of the export (raw and gzip) and time to first meaningful screen in
// headless Chromium against the in-process supergraph with demo data. Run: `npm run bench` in mobile/ (exports first).
// Prints a JSON report and writes it to mobile/bench/results.json.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { demo } from '@vegshare/demo';
import { startStack } from '../../tools/src/stack.ts';
import { createTestDatabase } from '../../tools/src/testing/database.ts';
import { startLocalS3 } from '../../tools/src/testing/s3.ts';
import { defaultDist, serveWeb } from '../scripts/serve-web.mts';
import { chromiumArgs, chromiumPath, hasChromium } from '../test/support.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function bundleSizes() {
  const all = files(defaultDist);
  const js = all.filter((f) => f.endsWith('.js'));
  const initial = js.filter((f) => /\/index-[^/]+\.js$/.test(f));
  const size = (list: string[]) => list.reduce((n, f) => n + statSync(f).size, 0);
  const gz = (list: string[]) => list.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return {
    totalBytes: size(all),
    jsBytes: size(js),
    jsGzipBytes: gz(js),
    initialJsBytes: size(initial),
    initialJsGzipBytes: gz(initial),
    chunks: js.map((f) => ({ file: relative(defaultDist, f), bytes: statSync(f).size })),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!;

const sizes = bundleSizes();
let timing: Record<string, unknown> = { skipped: `no Chromium at ${chromiumPath}` };
if (hasChromium) {
  const db = await createTestDatabase();
  const s3 = await startLocalS3();
  const stack = await startStack({ databaseUrl: db.url, env: { ...s3.env, RUN_WORKERS: 'false' }, seed: true });
  const web = await serveWeb({ gatewayUrl: stack.gatewayUrl });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const signInScreen: number[] = [];
    const plotList: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      // A fresh context per run: empty HTTP cache and storage, as on a first visit.
      const visitor = await browser.newContext({ viewport: { width: 430, height: 900 } });
      const page = await visitor.newPage();
      await page.goto(web.url, { waitUntil: 'commit' });
      await page.getByTestId('auth-screen').waitFor();
      const t1 = await page.evaluate(() => performance.now());
      await visitor.close();

      // Sessions live in memory on the web (never in storage), so the customer signs in through the form; the time
      // counted is from submitting it to the plot list with the gateway's data.
      const signedIn = await browser.newContext({ viewport: { width: 430, height: 900 } });
      const page2 = await signedIn.newPage();
      await page2.goto(web.url);
      await page2.getByTestId('email').fill(demo.users.customer.email);
      await page2.getByTestId('password').fill(demo.password);
      const submitted = await page2.evaluate(() => performance.now());
      await page2.getByTestId('submit-auth').click();
      await page2.getByTestId('plot-list').locator('[data-testid^="plot-"]').first().waitFor();
      const t2 = (await page2.evaluate(() => performance.now())) - submitted;
      await signedIn.close();
      if (i > 0) {
        // the first run warms the gateway's query plans and the server's file cache
        signInScreen.push(t1);
        plotList.push(t2);
      }
    }
    timing = {
      runs: RUNS,
      signInScreenMs: { median: Math.round(median(signInScreen)), p90: Math.round(p90(signInScreen)) },
      firstMeaningfulScreenMs: {
        median: Math.round(median(plotList)),
        p90: Math.round(p90(plotList)),
        what: 'sign-in submitted → plot list with data from the gateway',
      },
    };
  } finally {
    await browser.close();
    await web.close();
    await stack.stop();
    await s3.stop();
    await db.drop();
  }
}

const report = {
  at: new Date().toISOString(),
  node: process.version,
  cores: (await import('node:os')).availableParallelism(),
  bundle: sizes,
  timing,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
