// What a viewer's browser does with a farm camera: hls.js (low-latency mode) in headless Chromium plays the public demo
// camera from the gateway's origin, with the stack exactly as `npm start` runs it (the demo cameras included). The
// latency is glass-to-glass from EXT-X-PROGRAM-DATE-TIME (stamped when frames reach the transcoder) against the wall
// clock; bench/video measures it properly on an idle machine, this test checks that playback is live and real.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { hasChromium } from '@vegshare/tools/testing/chromium';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { playHls, quantile } from '@vegshare/tools/testing/hls-player';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { startStack, type RunningStack } from '@vegshare/tools/stack';

let database: TestDatabase;
let s3: LocalS3;
let stack: RunningStack;
let dataDir: string;

beforeAll(async () => {
  if (!hasChromium) return;
  [database, s3, dataDir] = await Promise.all([
    createTestDatabase(),
    startLocalS3(),
    mkdtemp(join(tmpdir(), 'vegshare-video-browser-')),
  ]);
  stack = await startStack({ databaseUrl: database.url, seed: true, env: { ...s3.env }, demoCameras: { dataDir } });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function gql(query: string): Promise<Record<string, any>> {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as Record<string, any>;
}

describe.skipIf(!hasChromium)('a viewer’s browser', () => {
  it('plays the public camera live with hls.js from the gateway: the playhead advances, near the live edge', async () => {
    // Anyone may watch the public overview camera: asking for the URL starts it on demand.
    const stream = await gql(`{ camera(id: "${demo.cameras.greenOverview}") { stream { id } } }`);
    const streamId = stream['data'].camera.stream.id as string;
    const grant = await gql(`{ playbackUrl(streamId: "${streamId}") { url stream { status } } }`);
    expect(grant['errors']).toBeUndefined();
    const url = grant['data'].playbackUrl.url as string;
    // The app waits for LIVE before it plays; so does this viewer.
    const deadline = Date.now() + 60_000;
    while ((await gql(`{ stream(id: "${streamId}") { status } }`))['data'].stream.status !== 'LIVE') {
      if (Date.now() > deadline) throw new Error('the stream never became LIVE');
      await new Promise((r) => setTimeout(r, 250));
    }
    const player = await playHls(url);
    try {
      await new Promise((r) => setTimeout(r, 15_000));
      const samples = await player.samples();
      const errors = await player.errors();
      expect(errors.filter((e) => e.fatal)).toEqual([]);
      const playing = samples.filter((s) => s.latencyMs !== null && !s.paused);
      expect(playing.length).toBeGreaterThan(20);
      // The playhead moves on at real time: 5 s of wall clock advance it by about 5 s.
      const a = playing.at(-21)!;
      const b = playing.at(-1)!;
      const advance = (b.currentTime - a.currentTime) / ((b.at - a.at) / 1000);
      expect(advance).toBeGreaterThan(0.8);
      expect(advance).toBeLessThan(1.3);
      // Near the live edge, i.e. on the low-latency path: hls.js on plain HLS keeps 3 segments (6 s) behind the edge,
      // plus encoding. The bench reports p50/p95 on an idle machine (2.4-4.2 s on this 2-core machine between days); a
      // busy CI run measured 5.45 s, hence the 6 s bound rather than 5.
      const latencies = playing.slice(-20).map((s) => s.latencyMs!);
      console.log(
        `hls.js glass-to-glass latency through the gateway: p50 ${quantile(latencies, 0.5)} ms, p95 ${quantile(latencies, 0.95)} ms`,
      );
      expect(quantile(latencies, 0.5)).toBeLessThan(6_000);
      expect(samples.at(-1)!.height).toBeGreaterThan(0);
    } finally {
      await player.close();
    }
  }, 120_000);
});
