import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { topics, type LiveTranscodeRequested } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { DEFAULT_LIVE_PROFILE, profileOf } from '@vegshare/transcoding/domain/media/profiles';
import { planLadder } from '@vegshare/transcoding/domain/hls/ladder-plan';
import { probeInput } from '@vegshare/transcoding/domain/media/probe';
import type { BenchEnv, OursService } from './setup.ts';
import { CpuMeter, descendants, log, sleep } from './measure.ts';
import { plainLadder } from './plain-ffmpeg.ts';

export interface CapacityTrial {
  readonly n: number;
  /** Every camera kept real time (the output advanced ≥ 95 % as fast as the wall clock, none dropped). */
  readonly realtime: boolean;
  /** The slowest camera's output media seconds per wall second. */
  readonly worstRatio: number;
  /** CPU used, in cores, during the window (ffmpeg processes, plus our service for ours). */
  readonly cpuCores: number;
  readonly note?: string;
}

const WINDOW_MS = Number(process.env['BENCH_VIDEO_WINDOW'] ?? 15) * 1000;
const WARMUP_MS = 5_000;
const REALTIME = 0.95;

/** Our pipeline with `n` cameras (no admission limit: the real limit is what is measured). */
export async function oursTrial(env: BenchEnv, ours: OursService, n: number): Promise<CapacityTrial> {
  const cameras = env.cameras(n);
  await sleep(2_000);
  const streams: string[] = cameras.map(() => randomUUID());
  const started = Date.now();
  for (const [i, streamId] of streams.entries()) {
    const request: LiveTranscodeRequested = {
      streamId,
      cameraId: randomUUID(),
      farmId: demo.farms.greenAcres,
      sourceUrl: `${env.rtmp.url}/bench/cam${i}`,
      profile: DEFAULT_LIVE_PROFILE,
    };
    await ours.bus.publish(topics.liveTranscodeRequested, request);
  }
  const live = () =>
    new Set(ours.statuses.filter((s) => s.status === 'LIVE' && s.receivedAt > started).map((s) => s.streamId));
  while (live().size < n && Date.now() - started < 60_000) await sleep(250);
  let note = live().size < n ? `${n - live().size} never LIVE` : undefined;
  await sleep(WARMUP_MS);
  const jobs = async () =>
    ours.db.transcodeJob.findMany({
      where: { streamId: { in: streams } },
      select: { id: true, processedMs: true, status: true },
    });
  const before = await jobs();
  const meter = new CpuMeter();
  // The bench process hosts our service (segmenting, uploads, events) and s3rver; cameras and the RTMP relay are not ours.
  const pids = async () => [
    process.pid,
    ...(await descendants(process.pid)).filter((p) => p !== env.rtmp.pid && !cameras.some((c) => c.pid === p)),
  ];
  await meter.take(await pids());
  const t0 = Date.now();
  await sleep(WINDOW_MS);
  const cpu = await meter.take(await pids());
  const wall = (Date.now() - t0) / 1000;
  const after = await jobs();
  const ratios = after.map((j) => {
    const b = before.find((x) => x.id === j.id);
    return j.status === 'RUNNING' && b?.processedMs != null && j.processedMs != null
      ? (j.processedMs - b.processedMs) / 1000 / wall
      : 0;
  });
  const reconnecting = ours.statuses.filter(
    (s) => s.status === 'RECONNECTING' && s.receivedAt > t0 && streams.includes(s.streamId),
  ).length;
  if (reconnecting) note = `${note ? `${note}; ` : ''}${reconnecting} reconnects`;
  for (const streamId of streams) await ours.bus.publish(topics.liveTranscodeStopRequested, { streamId });
  const stopping = Date.now();
  while (
    ours.statuses.filter((s) => s.status === 'ENDED' && streams.includes(s.streamId)).length < streams.length &&
    Date.now() - stopping < 20_000
  )
    await sleep(200);
  await Promise.all(cameras.map((c) => c.stop()));
  const worst = Math.min(...ratios, ratios.length < n ? 0 : Infinity);
  return {
    n,
    realtime: worst >= REALTIME && !reconnecting && live().size === n,
    worstRatio: worst,
    cpuCores: cpu / wall,
    ...(note ? { note } : {}),
  };
}

/** The same ffmpeg work as our pipeline (same arguments), `n` processes writing local files. */
export async function plainTrial(env: BenchEnv, n: number, passThrough: boolean): Promise<CapacityTrial> {
  const cameras = env.cameras(n);
  await sleep(2_000);
  const source = `${env.rtmp.url}/bench/cam0`;
  const probe = await probeInput(env.binaries, source, [], 10_000);
  const plan = planLadder(profileOf(DEFAULT_LIVE_PROFILE)!, probe, { passThrough });
  const runs = await Promise.all(
    cameras.map((_, i) =>
      plainLadder(env.binaries, `${env.rtmp.url}/bench/cam${i}`, plan, join(env.dir, `plain-${n}-${i}`), 0.5),
    ),
  );
  await sleep(WARMUP_MS);
  const meter = new CpuMeter();
  const pids = runs.map((r) => r.process.pid!).filter(Boolean);
  await meter.take(pids);
  const before = runs.map((r) => r.outSeconds());
  const t0 = Date.now();
  await sleep(WINDOW_MS);
  const wall = (Date.now() - t0) / 1000;
  const cpu = await meter.take(pids);
  const ratios = runs.map((r, i) => (r.process.exitCode === null ? (r.outSeconds() - before[i]!) / wall : 0));
  await Promise.all(runs.map((r) => r.stop()));
  await Promise.all(cameras.map((c) => c.stop()));
  const worst = Math.min(...ratios);
  return { n, realtime: worst >= REALTIME, worstRatio: worst, cpuCores: cpu / wall };
}

/** The most cameras that keep real time: doubling from 2, then bisecting between the last success and the first failure. */
export async function capacity(
  label: string,
  trial: (n: number) => Promise<CapacityTrial>,
  max = 32,
): Promise<{ limit: number; trials: CapacityTrial[] }> {
  const trials: CapacityTrial[] = [];
  const run = async (n: number) => {
    log(`${label}: ${n} cameras…`);
    const t = await trial(n);
    log(
      `${label}: ${n} cameras → ${t.realtime ? 'real time' : 'behind'} (worst ${t.worstRatio.toFixed(2)}×, ${t.cpuCores.toFixed(2)} cores${t.note ? `, ${t.note}` : ''})`,
    );
    trials.push(t);
    return t.realtime;
  };
  let good = 0;
  let bad = max + 1;
  for (let n = 2; n <= max; n *= 2) {
    if (await run(n)) good = n;
    else {
      bad = n;
      break;
    }
  }
  while (bad - good > 1 && bad <= max) {
    const mid = Math.floor((good + bad) / 2);
    if (await run(mid)) good = mid;
    else bad = mid;
  }
  return { limit: good, trials: trials.sort((a, b) => a.n - b.n) };
}
