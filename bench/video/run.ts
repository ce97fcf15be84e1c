// npm run bench:video — live video on this machine, each figure beside plain ffmpeg doing the same work in the same
// run: cameras per machine at real time (pass-through vs full ladder), time to the first playable segment,
// glass-to-glass latency in Chromium with hls.js, time to notice a dead camera. Writes results.md; see README.md.
import { fileURLToPath } from 'node:url';
import { writeBenchResults } from '@vegshare/tools/bench-results';
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { topics } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { DEFAULT_LIVE_PROFILE } from '@vegshare/transcoding/domain/media/profiles';
import { capacity, oursTrial, plainTrial, type CapacityTrial } from './capacity.ts';
import { latency, type LatencyFigures } from './latency.ts';
import { log, machineStat, quantile, sleep } from './measure.ts';
import { benchEnv, startOurs, type BenchEnv } from './setup.ts';
import { deadCameraTimes, startupTimes, type TimingResult } from './timing.ts';

const modes = (process.env['BENCH_VIDEO_MODES'] ?? 'pass-through,full')
  .split(',')
  .map((m) => m.trim() === 'pass-through');
const maxCameras = Number(process.env['BENCH_VIDEO_MAX'] ?? 32);
const parts = new Set(
  (process.env['BENCH_VIDEO_PARTS'] ?? 'capacity,admission,startup,dead-camera,latency').split(','),
);

/** How many live cameras our admission (default CPU budget) lets in, one after the other, and whether they keep real time. */
async function admission(
  env: BenchEnv,
): Promise<{ admitted: number; refusedWith: string | null; realtime: CapacityTrial | null }> {
  const ours = await startOurs(env, {});
  const cameras = env.cameras(40);
  await sleep(3_000);
  const streams: string[] = [];
  let refusedWith: string | null = null;
  for (let i = 0; i < 40 && !refusedWith; i += 1) {
    const streamId = randomUUID();
    const t0 = Date.now();
    await ours.bus.publish(topics.liveTranscodeRequested, {
      streamId,
      cameraId: randomUUID(),
      farmId: demo.farms.greenAcres,
      sourceUrl: `${env.rtmp.url}/bench/cam${i}`,
      profile: DEFAULT_LIVE_PROFILE,
    });
    for (;;) {
      const s = ours.statuses.find(
        (x) => x.streamId === streamId && x.receivedAt >= t0 && (x.status === 'LIVE' || x.status === 'FAILED'),
      );
      if (s?.status === 'LIVE') {
        streams.push(streamId);
        break;
      }
      if (s?.status === 'FAILED' || Date.now() - t0 > 60_000) {
        refusedWith = s?.error ?? 'no LIVE within 60 s';
        break;
      }
      await sleep(100);
    }
    // Let the governor measure the newcomer before the next one asks.
    await sleep(7_000);
    log(`admission: ${streams.length} live${refusedWith ? `, refused: ${refusedWith}` : ''}`);
  }
  await sleep(5_000);
  const before = await ours.db.transcodeJob.findMany({
    where: { streamId: { in: streams } },
    select: { id: true, processedMs: true },
  });
  const t0 = Date.now();
  await sleep(15_000);
  const after = await ours.db.transcodeJob.findMany({
    where: { streamId: { in: streams } },
    select: { id: true, processedMs: true, status: true },
  });
  const wall = (Date.now() - t0) / 1000;
  const ratios = after
    .map((j) => (j.processedMs ?? 0) / 1000 - (before.find((b) => b.id === j.id)?.processedMs ?? 0) / 1000)
    .map((d) => d / wall);
  for (const streamId of streams) await ours.bus.publish(topics.liveTranscodeStopRequested, { streamId });
  await sleep(5_000);
  await Promise.all(cameras.map((c) => c.stop()));
  await ours.close();
  const worst = ratios.length ? Math.min(...ratios) : 0;
  return {
    admitted: streams.length,
    refusedWith,
    realtime: { n: streams.length, realtime: worst >= 0.95, worstRatio: worst, cpuCores: Number.NaN },
  };
}

const ms = (values: readonly number[]) =>
  values.length ? `${Math.round(quantile(values, 0.5))} / ${Math.round(Math.max(...values))}` : '–';
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
const lat = (f: LatencyFigures) => `${(f.p50 / 1000).toFixed(2)} s / ${(f.p95 / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const load = loadavg();
  const stat0 = await machineStat();
  log(`load average before: ${load.map((l) => l.toFixed(2)).join(' ')}`);
  const env = await benchEnv();
  log(`ffmpeg: ${env.binaries.version} (${env.binaries.ffmpeg})`);
  const rows: string[] = [];
  const details: string[] = [];
  try {
    if (parts.has('capacity')) {
      const results: Record<string, { limit: number; trials: CapacityTrial[] }> = {};
      for (const passThrough of modes) {
        const ours = await startOurs(env, { CPU_BUDGET_CORES: '64', LIVE_PASSTHROUGH: String(passThrough) });
        results[`ours-${passThrough}`] = await capacity(
          `ours ${passThrough ? 'pass-through' : 'full ladder'}`,
          (n) => oursTrial(env, ours, n),
          maxCameras,
        );
        await ours.close();
        results[`plain-${passThrough}`] = await capacity(
          `plain ffmpeg ${passThrough ? 'pass-through' : 'full ladder'}`,
          (n) => plainTrial(env, n, passThrough),
          maxCameras,
        );
      }
      for (const passThrough of modes) {
        const o = results[`ours-${passThrough}`]!;
        const p = results[`plain-${passThrough}`]!;
        const at = (r: { trials: CapacityTrial[] }, n: number) => r.trials.find((t) => t.n === n);
        const perCamera = (r: { limit: number; trials: CapacityTrial[] }) => {
          const t = at(r, r.limit);
          return t && t.n ? t.cpuCores / t.n : Number.NaN;
        };
        rows.push(
          `| cameras at real time, ${passThrough ? '720p passed through + 360p encoded' : '720p + 360p both encoded'} | ${o.limit} | ${p.limit} | ${ratio(o.limit, p.limit)} |`,
        );
        rows.push(
          `| CPU per camera at that load (cores), ${passThrough ? 'pass-through' : 'full ladder'} | ${perCamera(o).toFixed(3)} | ${perCamera(p).toFixed(3)} | ${ratio(perCamera(o), perCamera(p))} |`,
        );
        for (const [label, r] of [
          [`ours ${passThrough ? 'pass-through' : 'full'}`, o],
          [`plain ${passThrough ? 'pass-through' : 'full'}`, p],
        ] as const) {
          details.push(
            `- ${label}: ${r.trials.map((t) => `${t.n} → ${t.realtime ? 'ok' : 'behind'} (worst ${t.worstRatio.toFixed(2)}×, ${t.cpuCores.toFixed(2)} cores${t.note ? `, ${t.note}` : ''})`).join('; ')}`,
          );
        }
      }
    }
    if (parts.has('admission')) {
      const a = await admission(env);
      rows.push(
        `| live cameras our admission lets in (default budget, pass-through), then refuses | ${a.admitted} (${a.refusedWith?.split(':')[0] ?? 'never refused'}; worst ${a.realtime?.worstRatio.toFixed(2)}× real time) | – | – |`,
      );
    }
    if (parts.has('startup') || parts.has('dead-camera')) {
      const ours = await startOurs(env, {});
      if (parts.has('startup')) {
        const s: TimingResult = await startupTimes(env, ours);
        rows.push(
          `| start → first playable segment, ms (median / worst of ${s.ours.length}) | ${ms(s.ours)} | ${ms(s.plain)} | ${ratio(quantile(s.ours, 0.5), quantile(s.plain, 0.5))} |`,
        );
      }
      if (parts.has('dead-camera')) {
        const d = await deadCameraTimes(env, ours);
        rows.push(
          `| dead camera noticed after, ms (median / worst of ${d.ours.length}) | ${ms(d.ours)} | ${d.plain.length ? ms(d.plain) : 'never'}${d.plainUnnoticed ? ` (${d.plainUnnoticed} of ${d.plain.length + d.plainUnnoticed} not within 30 s)` : ''} | ${d.plain.length ? ratio(quantile(d.ours, 0.5), quantile(d.plain, 0.5)) : '–'} |`,
        );
      }
      await ours.close();
    }
    if (parts.has('latency')) {
      const l = await latency(env);
      rows.push(
        `| glass-to-glass latency p50 / p95 (hls.js in Chromium) | ${lat(l.ours)} | ${lat(l.plain)} | ${ratio(l.ours.p50, l.plain.p50)} |`,
      );
      details.push(
        `- latency samples: ours ${l.ours.samples} (playhead ${l.ours.rate.toFixed(2)}× real time, ${l.ours.fatalErrors} fatal errors), plain ${l.plain.samples} (${l.plain.rate.toFixed(2)}×, ${l.plain.fatalErrors} fatal errors)`,
      );
    }
  } finally {
    await env.close();
  }
  const stat1 = await machineStat();
  const steal = ((stat1.steal - stat0.steal) / Math.max(1, stat1.total - stat0.total)) * 100;
  const table = [
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.env['BENCH_MACHINE'] ?? 'this machine'}; ffmpeg: ${env.binaries.version.split(' Copyright')[0]}; load average before ${load.map((l) => l.toFixed(2)).join(' ')}, CPU steal during the run ${steal.toFixed(1)} %.`,
    '',
    '| measure | ours | plain ffmpeg, same work | ours vs plain |',
    '|---|--:|--:|--:|',
    ...rows,
    '',
    ...details,
    '',
  ].join('\n');
  await writeBenchResults(
    fileURLToPath(new URL('./results.md', import.meta.url)),
    `# Video benchmark results\n\n${table}`,
  );
  process.stdout.write(`${table}\n`);
}

await main();
process.exit(0);
