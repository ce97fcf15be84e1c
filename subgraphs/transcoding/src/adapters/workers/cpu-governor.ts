import pidusage from 'pidusage';
import type { TranscodeJobKind } from '../../generated/prisma/client.ts';

/** What a kind of job costs before anything of it has been measured, in cores (measured on a 2-core VM, README). */
const INITIAL_ESTIMATE: Readonly<Record<TranscodeJobKind, number>> = {
  LIVE: 0.2,
  VOD: 1,
  TIMELAPSE: 0.5,
  THUMBNAIL: 0.3,
};

/**
 * The least a live job is assumed to cost, whatever was measured: jobs whose camera is silent use next to nothing
 * and must not teach the governor that live jobs are free.
 */
const MIN_LIVE_COST = 0.05;

/** Live jobs compete for the budget; batch jobs run niced in the CPU that is left, one at a time by default. */
export const isBatch = (kind: TranscodeJobKind): boolean => kind !== 'LIVE';

interface Running {
  readonly kind: TranscodeJobKind;
  /** Cost class: jobs of one class cost about the same (kind + profile). */
  readonly costClass: string;
  readonly estimate: number;
  readonly since: number;
  pids: number[];
  /** Cores used, smoothed; null until the first sample after the warm-up. */
  measured: number | null;
}

export interface GovernorOptions {
  /** Cores the worker's jobs may use together. */
  readonly budgetCores: number;
  /** Batch jobs running at once. */
  readonly batchConcurrency: number;
  /** Measurements during this long after a start are ignored (start-up bursts, a GOP cache replay). */
  readonly warmupMs?: number;
  /** Samples a set of pids; default pidusage. Returns cores (1 = one core busy) per pid. */
  readonly sample?: (pids: number[]) => Promise<Map<number, number>>;
}

const pidusageSample = async (pids: number[]): Promise<Map<number, number>> => {
  const out = new Map<number, number>();
  if (!pids.length) return out;
  const stats = await pidusage(pids);
  for (const [pid, stat] of Object.entries(stats)) if (stat) out.set(Number(pid), stat.cpu / 100);
  return out;
};

/**
 * Admits jobs by measured CPU cost instead of one job per core. Each running job's ffmpeg is sampled; a new live
 * job is admitted when the live jobs' measured use plus what such a job was measured to cost fits the budget.
 * Costs are learnt per class (kind + profile) from finished measurements, starting from a conservative guess.
 */
export class CpuGovernor {
  readonly #running = new Map<string, Running>();
  readonly #learnt = new Map<string, number>();
  readonly #sample: (pids: number[]) => Promise<Map<number, number>>;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: GovernorOptions) {
    this.#sample = options.sample ?? pidusageSample;
  }

  /** What a job of this class is expected to cost, in cores. */
  estimate(kind: TranscodeJobKind, costClass: string): number {
    const learnt = this.#learnt.get(costClass) ?? INITIAL_ESTIMATE[kind];
    return isBatch(kind) ? learnt : Math.max(MIN_LIVE_COST, learnt);
  }

  /** Cores the running live jobs use now (measured where known, else their estimate). */
  get liveLoad(): number {
    let load = 0;
    for (const job of this.#running.values())
      if (!isBatch(job.kind)) load += Math.max(MIN_LIVE_COST, job.measured ?? job.estimate);
    return load;
  }

  get budget(): number {
    return this.options.budgetCores;
  }

  /** Everything the worker's jobs use now. */
  get totalLoad(): number {
    let load = 0;
    for (const job of this.#running.values()) load += job.measured ?? job.estimate;
    return load;
  }

  /** Room left for live jobs, in cores. */
  get liveHeadroom(): number {
    return Math.max(0, this.options.budgetCores - this.liveLoad);
  }

  /** Admits (and registers) a job when its cost fits; false when it must wait. */
  tryAdmit(jobId: string, kind: TranscodeJobKind, costClass: string): boolean {
    if (this.#running.has(jobId)) return true;
    const estimate = this.estimate(kind, costClass);
    if (isBatch(kind)) {
      const batches = [...this.#running.values()].filter((j) => isBatch(j.kind)).length;
      if (batches >= this.options.batchConcurrency) return false;
    } else if (this.liveLoad + estimate > this.options.budgetCores + 1e-9 && this.#running.size > 0) {
      return false;
    }
    this.#running.set(jobId, { kind, costClass, estimate, since: Date.now(), pids: [], measured: null });
    return true;
  }

  /** The job's ffmpeg process (a job may run several in turn). */
  attach(jobId: string, pid: number): void {
    const job = this.#running.get(jobId);
    if (job) job.pids = [pid];
  }

  /** The job ended: what it was measured to cost teaches the estimate of its class. */
  release(jobId: string): void {
    const job = this.#running.get(jobId);
    this.#running.delete(jobId);
    if (job?.measured != null && !isBatch(job.kind)) {
      const before = this.#learnt.get(job.costClass);
      this.#learnt.set(job.costClass, before === undefined ? job.measured : before * 0.5 + job.measured * 0.5);
    }
  }

  /** One measurement of every running job's ffmpeg. */
  async sampleOnce(): Promise<void> {
    const warmup = this.options.warmupMs ?? 6_000;
    const pids = [...this.#running.values()].flatMap((j) => j.pids);
    let usage: Map<number, number>;
    try {
      usage = await this.#sample(pids);
    } catch {
      return; // a process that just exited; next round
    }
    const now = Date.now();
    const perClass = new Map<string, number[]>();
    for (const job of this.#running.values()) {
      if (now - job.since < warmup || !job.pids.length) continue;
      const cores = job.pids.reduce((sum, pid) => sum + (usage.get(pid) ?? 0), 0);
      job.measured = job.measured === null ? cores : job.measured * 0.7 + cores * 0.3;
      if (!isBatch(job.kind)) perClass.set(job.costClass, [...(perClass.get(job.costClass) ?? []), job.measured]);
    }
    // While jobs of a class run, its estimate follows what they use on average.
    for (const [costClass, values] of perClass)
      this.#learnt.set(costClass, values.reduce((a, b) => a + b, 0) / values.length);
  }

  start(everyMs = 2_000): void {
    this.#timer = setInterval(() => void this.sampleOnce(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    pidusage.clear();
  }
}
