import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo } from '@vegshare/demo';
import { startStack } from '@vegshare/tools/stack';
import { playHls, type PlayerSample } from '@vegshare/tools/testing/hls-player';
import type { BenchEnv } from './setup.ts';
import { log, quantile, sleep } from './measure.ts';
import { plainHls } from './plain-ffmpeg.ts';
import { serveDirectory } from './timing.ts';

export interface LatencyFigures {
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
  readonly fatalErrors: number;
  /** Playhead seconds per wall second over the window (1 = smooth real time). */
  readonly rate: number;
}

const WARMUP_MS = 10_000;
const MEASURE_MS = Number(process.env['BENCH_VIDEO_LATENCY_SECONDS'] ?? 30) * 1000;

async function measure(url: string, config: Record<string, unknown> = {}): Promise<LatencyFigures> {
  const player = await playHls(url, { hlsConfig: config });
  try {
    await sleep(WARMUP_MS + MEASURE_MS);
    const all = await player.samples();
    const from = all[0] ? all[0].at + WARMUP_MS : 0;
    const window: PlayerSample[] = all.filter((s) => s.at >= from && s.latencyMs !== null && !s.paused);
    const latencies = window.map((s) => s.latencyMs!);
    const first = window[0];
    const last = window.at(-1);
    const rate =
      first && last && last.at > first.at ? (last.currentTime - first.currentTime) / ((last.at - first.at) / 1000) : 0;
    return {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      samples: latencies.length,
      fatalErrors: (await player.errors()).filter((e) => e.fatal).length,
      rate,
    };
  } finally {
    await player.close();
  }
}

/**
 * Glass-to-glass latency in headless Chromium with hls.js: ours — the whole supergraph as `npm start` runs it (demo
 * camera, LL-HLS through the gateway, hls.js low-latency mode) — against plain ffmpeg's HLS muxer on the same camera
 * (1 s target segments, dates in the playlist, served as static files, hls.js defaults). Latency = wall clock minus
 * the PROGRAM-DATE-TIME of the frame on screen; both put the dates on when frames reach ffmpeg.
 */
export async function latency(env: BenchEnv): Promise<{ ours: LatencyFigures; plain: LatencyFigures }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vegshare-bench-latency-'));
  const stack = await startStack({
    databaseUrl: env.database.url,
    seed: true,
    env: {
      ...env.s3.env,
      FFMPEG_PATH: env.binaries.ffmpeg,
      FFPROBE_PATH: env.binaries.ffprobe,
      ...(process.env['LIVE_PART_SECONDS'] ? { LIVE_PART_SECONDS: process.env['LIVE_PART_SECONDS'] } : {}),
    },
    demoCameras: { dataDir },
  });
  try {
    const gql = async (query: string) =>
      (
        (await (
          await fetch(`${stack.gatewayUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          })
        ).json()) as { data: Record<string, any> }
      ).data;
    const streamId = (await gql(`{ camera(id: "${demo.cameras.greenOverview}") { stream { id } } }`))['camera'].stream
      .id as string;
    const url = (await gql(`{ playbackUrl(streamId: "${streamId}") { url } }`))['playbackUrl'].url as string;
    while ((await gql(`{ stream(id: "${streamId}") { status } }`))['stream'].status !== 'LIVE') await sleep(250);
    log('latency: ours…');
    const ours = await measure(url);
    log(`latency: ours p50 ${ours.p50} ms, p95 ${ours.p95} ms`);
    const dir = join(dataDir, 'plain-hls');
    const plain = await plainHls(env.binaries, `${stack.demoCameras!.baseUrl}/green-acres-overview`, dir);
    const server = await serveDirectory(dir);
    try {
      await sleep(4_000);
      log('latency: plain ffmpeg HLS…');
      const figures = await measure(`${server.url}/index.m3u8`);
      log(`latency: plain p50 ${figures.p50} ms, p95 ${figures.p95} ms`);
      return { ours, plain: figures };
    } finally {
      await server.close();
      await plain.stop();
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
