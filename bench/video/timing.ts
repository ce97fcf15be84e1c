import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { topics, type LiveTranscodeRequested } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { DEFAULT_LIVE_PROFILE } from '@vegshare/transcoding/domain/media/profiles';
import type { BenchEnv, OursService } from './setup.ts';
import { log, sleep } from './measure.ts';
import { plainHls } from './plain-ffmpeg.ts';

export interface TimingResult {
  /** Per trial, ms. */
  readonly ours: number[];
  readonly plain: number[];
}

const TRIALS = Number(process.env['BENCH_VIDEO_TRIALS'] ?? 5);

async function untilStatus(
  ours: OursService,
  streamId: string,
  status: string,
  after: number,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = ours.statuses.find((s) => s.streamId === streamId && s.status === status && s.receivedAt >= after);
    if (hit) return hit.receivedAt;
    if (Date.now() > deadline) return null;
    await sleep(20);
  }
}

const request = (env: BenchEnv, streamId: string, camera: number): LiveTranscodeRequested => ({
  streamId,
  cameraId: randomUUID(),
  farmId: demo.farms.greenAcres,
  sourceUrl: `${env.rtmp.url}/bench/cam${camera}`,
  profile: DEFAULT_LIVE_PROFILE,
});

/** A playlist on disk lists a finished segment whose file is there: a player could start. */
async function hlsPlayable(dir: string): Promise<boolean> {
  try {
    const text = await readFile(join(dir, 'index.m3u8'), 'utf8');
    const first = text.split('\n').find((l) => l && !l.startsWith('#'));
    return first !== undefined && existsSync(join(dir, first.trim()));
  } catch {
    return false;
  }
}

/**
 * From "start the stream" to the first playable segment, with the camera already sending: ours (request → LIVE, which
 * is announced only once every rendition has a segment in S3) against plain ffmpeg's HLS muxer writing a local
 * directory (spawn → a playlist listing a segment that exists).
 */
export async function startupTimes(env: BenchEnv, ours: OursService): Promise<TimingResult> {
  const [camera] = env.cameras(1);
  await sleep(3_000);
  const result: TimingResult = { ours: [], plain: [] };
  for (let i = 0; i < TRIALS; i += 1) {
    const streamId = randomUUID();
    const t0 = Date.now();
    await ours.bus.publish(topics.liveTranscodeRequested, request(env, streamId, 0));
    const at = await untilStatus(ours, streamId, 'LIVE', t0, 60_000);
    if (at) result.ours.push(at - t0);
    await ours.bus.publish(topics.liveTranscodeStopRequested, { streamId });
    await untilStatus(ours, streamId, 'ENDED', t0, 20_000);
    const dir = join(env.dir, `plain-startup-${i}`);
    const t1 = Date.now();
    const plain = await plainHls(env.binaries, `${env.rtmp.url}/bench/cam0`, dir);
    while (!(await hlsPlayable(dir)) && Date.now() - t1 < 60_000) await sleep(20);
    if (await hlsPlayable(dir)) result.plain.push(Date.now() - t1);
    await plain.stop();
    log(`startup trial ${i + 1}: ours ${result.ours.at(-1)} ms, plain ${result.plain.at(-1)} ms`);
  }
  await camera?.stop();
  return result;
}

/**
 * A camera that dies: how long until it is noticed. Ours: the cut → RECONNECTING (with the reason). Plain ffmpeg
 * (same input timeout option): the cut → ffmpeg gives up and exits, the only sign it gives.
 */
export async function deadCameraTimes(
  env: BenchEnv,
  ours: OursService,
): Promise<TimingResult & { plainUnnoticed: number }> {
  const result = { ours: [] as number[], plain: [] as number[], plainUnnoticed: 0 };
  for (let i = 0; i < TRIALS; i += 1) {
    const [camera] = env.cameras(1);
    await sleep(3_000);
    const streamId = randomUUID();
    const t0 = Date.now();
    await ours.bus.publish(topics.liveTranscodeRequested, request(env, streamId, 0));
    await untilStatus(ours, streamId, 'LIVE', t0, 60_000);
    const dir = join(env.dir, `plain-dead-${i}`);
    const plain = await plainHls(env.binaries, `${env.rtmp.url}/bench/cam0`, dir);
    await sleep(5_000);
    const cut = Date.now();
    await camera!.cut();
    const reconnecting = await untilStatus(ours, streamId, 'RECONNECTING', cut, 30_000);
    if (reconnecting) result.ours.push(reconnecting - cut);
    const exited = await Promise.race([plain.exited.then(() => Date.now()), sleep(30_000).then(() => null)]);
    if (exited) result.plain.push(exited - cut);
    else result.plainUnnoticed += 1;
    await plain.stop();
    await ours.bus.publish(topics.liveTranscodeStopRequested, { streamId });
    await untilStatus(ours, streamId, 'ENDED', cut, 20_000);
    await camera!.stop();
    log(
      `dead-camera trial ${i + 1}: ours ${result.ours.at(-1)} ms, plain ${exited ? `${exited - cut} ms` : 'not noticed in 30 s'}`,
    );
  }
  return result;
}

/** A static HTTP server for a plain ffmpeg HLS directory (CORS open, no caching), as a CDN would serve it. */
export async function serveDirectory(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = {
    '.m3u8': 'application/vnd.apple.mpegurl',
    '.ts': 'video/mp2t',
    '.m4s': 'video/iso.segment',
    '.mp4': 'video/mp4',
  };
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '');
    const file = join(dir, name);
    if (name.includes('..') || !existsSync(file)) {
      res.writeHead(404, { 'access-control-allow-origin': '*' });
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'access-control-allow-origin': '*',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
