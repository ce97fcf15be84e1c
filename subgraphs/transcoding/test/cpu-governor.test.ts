import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CpuGovernor, isBatch } from '../src/adapters/workers/cpu-governor.ts';

/** What each pid uses, as the injected sampler reports it (cores; a pid not listed is not running). */
function usageTable() {
  const cores = new Map<number, number>();
  const calls: number[][] = [];
  const sample = async (pids: number[]) => {
    calls.push([...pids]);
    return new Map(pids.filter((p) => cores.has(p)).map((p) => [p, cores.get(p)!] as const));
  };
  return { cores, calls, sample };
}

const governor = (
  budgetCores: number,
  sample: (pids: number[]) => Promise<Map<number, number>>,
  batchConcurrency = 1,
  warmupMs = 0,
) => new CpuGovernor({ budgetCores, batchConcurrency, warmupMs, sample });

describe('CpuGovernor', () => {
  it('admits live jobs by their estimate until the budget is used, then refuses', () => {
    const g = governor(1, usageTable().sample);
    // A live job of an unmeasured class is guessed at 0.2 cores: five fit in one core, not six.
    const admitted = Array.from({ length: 6 }, (_, i) => g.tryAdmit(`live-${i}`, 'LIVE', 'LIVE:live-hls-ladder'));
    expect(admitted).toEqual([true, true, true, true, true, false]);
    expect(g.liveLoad).toBeCloseTo(1, 9);
    expect(g.liveHeadroom).toBe(0);
    // Admitting a job twice does not count it twice.
    expect(g.tryAdmit('live-0', 'LIVE', 'LIVE:live-hls-ladder')).toBe(true);
    expect(g.liveLoad).toBeCloseTo(1, 9);
  });

  it('admits by measured cost once the running jobs were sampled, and learns the cost of their class', async () => {
    const table = usageTable();
    const g = governor(1, table.sample);
    for (let i = 0; i < 5; i += 1) {
      expect(g.tryAdmit(`live-${i}`, 'LIVE', 'LIVE:pass-through')).toBe(true);
      g.attach(`live-${i}`, 1000 + i);
      table.cores.set(1000 + i, 0.1);
    }
    expect(g.tryAdmit('live-5', 'LIVE', 'LIVE:pass-through')).toBe(false);
    await g.sampleOnce();
    expect(table.calls.at(-1)).toEqual([1000, 1001, 1002, 1003, 1004]);
    // Five jobs measured at 0.1 core: half the budget is free, and a job of the class is now expected to cost 0.1.
    expect(g.liveLoad).toBeCloseTo(0.5, 9);
    expect(g.estimate('LIVE', 'LIVE:pass-through')).toBeCloseTo(0.1, 9);
    const more = Array.from({ length: 6 }, (_, i) => g.tryAdmit(`more-${i}`, 'LIVE', 'LIVE:pass-through'));
    expect(more).toEqual([true, true, true, true, true, false]);
    // Another class keeps its own (initial) estimate.
    expect(g.estimate('LIVE', 'LIVE:full-ladder')).toBe(0.2);
  });

  it('smooths measurements and follows a class that gets dearer', async () => {
    const table = usageTable();
    const g = governor(2, table.sample);
    g.tryAdmit('a', 'LIVE', 'LIVE:x');
    g.attach('a', 1);
    table.cores.set(1, 0.1);
    await g.sampleOnce();
    expect(g.liveLoad).toBeCloseTo(0.1, 9);
    table.cores.set(1, 0.5);
    await g.sampleOnce();
    // 0.7 of the old value, 0.3 of the new one.
    expect(g.liveLoad).toBeCloseTo(0.1 * 0.7 + 0.5 * 0.3, 9);
    expect(g.estimate('LIVE', 'LIVE:x')).toBeCloseTo(0.22, 9);
    // A job that attaches a new ffmpeg (a restart) is measured on the new process.
    g.attach('a', 2);
    table.cores.set(2, 0.22);
    await g.sampleOnce();
    expect(table.calls.at(-1)).toEqual([2]);
    expect(g.liveLoad).toBeCloseTo(0.22, 9);
  });

  it('ignores measurements during the warm-up and when sampling fails', async () => {
    const table = usageTable();
    const g = governor(1, table.sample, 1, 60_000);
    g.tryAdmit('a', 'LIVE', 'LIVE:x');
    g.attach('a', 1);
    table.cores.set(1, 0.9);
    await g.sampleOnce();
    // A GOP-cache replay or start-up burst is not what the job costs: the estimate stands.
    expect(g.liveLoad).toBe(0.2);
    expect(g.estimate('LIVE', 'LIVE:x')).toBe(0.2);
    const failing = governor(1, () => Promise.reject(new Error('no such process')));
    failing.tryAdmit('b', 'LIVE', 'LIVE:x');
    failing.attach('b', 1);
    await expect(failing.sampleOnce()).resolves.toBeUndefined();
    expect(failing.liveLoad).toBe(0.2);
  });

  it('runs batch jobs up to their concurrency, outside the live budget', async () => {
    const table = usageTable();
    const g = governor(1, table.sample, 2);
    expect(['VOD', 'TIMELAPSE', 'THUMBNAIL'].every((k) => isBatch(k as 'VOD'))).toBe(true);
    expect(isBatch('LIVE')).toBe(false);
    expect(g.tryAdmit('vod-1', 'VOD', 'VOD:hls')).toBe(true);
    expect(g.tryAdmit('tl-1', 'TIMELAPSE', 'TIMELAPSE:x')).toBe(true);
    expect(g.tryAdmit('vod-2', 'VOD', 'VOD:hls')).toBe(false);
    // Batch work does not take live room: live jobs still fit the whole budget.
    expect(g.liveLoad).toBe(0);
    expect(g.totalLoad).toBeCloseTo(1.5, 9);
    expect(Array.from({ length: 5 }, (_, i) => g.tryAdmit(`live-${i}`, 'LIVE', 'LIVE:x')).every(Boolean)).toBe(true);
    // Measured batch use shows in the total, and does not teach live classes.
    g.attach('vod-1', 7);
    table.cores.set(7, 1.4);
    await g.sampleOnce();
    expect(g.totalLoad).toBeCloseTo(1.4 + 0.5 + 1, 9);
    g.release('vod-1');
    expect(g.estimate('VOD', 'VOD:hls')).toBe(1);
    expect(g.tryAdmit('vod-2', 'VOD', 'VOD:hls')).toBe(true);
  });

  it('frees the budget on release and keeps what the class was measured to cost', async () => {
    const table = usageTable();
    const g = governor(1, table.sample);
    expect(g.tryAdmit('a', 'LIVE', 'LIVE:x')).toBe(true);
    g.attach('a', 1);
    table.cores.set(1, 0.4);
    await g.sampleOnce();
    g.release('a');
    expect(g.liveLoad).toBe(0);
    expect(g.estimate('LIVE', 'LIVE:x')).toBeCloseTo(0.4, 9);
    // Two more at 0.4 fit, a third does not.
    expect(['b', 'c', 'd'].map((id) => g.tryAdmit(id, 'LIVE', 'LIVE:x'))).toEqual([true, true, false]);
    // Releasing an unknown job is harmless; releasing one never measured teaches nothing.
    g.release('nobody');
    g.release('b');
    expect(g.estimate('LIVE', 'LIVE:x')).toBeCloseTo(0.4, 9);
    // The first job is admitted even when its class costs more than the whole budget (it may run alone).
    const small = governor(0.1, usageTable().sample);
    expect(small.tryAdmit('big', 'LIVE', 'LIVE:x')).toBe(true);
    expect(small.tryAdmit('second', 'LIVE', 'LIVE:x')).toBe(false);
  });

  it('measures real processes with the default sampler (pidusage): a spinning one above an idle one', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 20000; while (Date.now() < end) {}'], {
      stdio: 'ignore',
    });
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      // One governor per process, so each one's total is what its process was measured to use (a live class's
      // estimate may be held above what an idle job measures).
      const spinning = new CpuGovernor({ budgetCores: 2, batchConcurrency: 1, warmupMs: 0 });
      const sleeping = new CpuGovernor({ budgetCores: 2, batchConcurrency: 1, warmupMs: 0 });
      spinning.tryAdmit('spin', 'LIVE', 'LIVE:spin');
      spinning.attach('spin', busy.pid!);
      sleeping.tryAdmit('sleep', 'LIVE', 'LIVE:sleep');
      sleeping.attach('sleep', idle.pid!);
      for (let i = 0; i < 3; i += 1) {
        await new Promise((r) => setTimeout(r, 500));
        await spinning.sampleOnce();
        await sleeping.sampleOnce();
      }
      // Absolute figures depend on how busy this shared machine is; the order does not.
      const spin = spinning.totalLoad;
      const sleep = sleeping.totalLoad;
      expect(spin).toBeGreaterThan(0.02);
      expect(spin).toBeLessThan(1.5);
      expect(sleep).toBeLessThan(0.02);
      expect(spin).toBeGreaterThan(sleep * 3);
      // What was measured is what the classes are now expected to cost, at least.
      expect(spinning.estimate('LIVE', 'LIVE:spin')).toBeGreaterThanOrEqual(spin - 1e-9);
      spinning.stop();
      sleeping.stop();
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });
});
