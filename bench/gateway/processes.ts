import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@vegshare/tools/workspace';
import type { MemoryBreakdown, MemoryRequest, ReadyMessage } from './child.ts';

export interface BenchProcess {
  readonly label: string;
  readonly pid: number;
  readonly url: string;
  readonly endpoint: string;
  /** Base URL of its /metrics (our services serve metrics on an internal port). */
  readonly metricsUrl: string;
  /**
   * process.memoryUsage() of the process, asked over IPC (null when it does not answer in time: a second, or a minute
   * when a GC or a heap snapshot is asked for).
   */
  memory(options?: Omit<MemoryRequest, 'memory'>): Promise<MemoryBreakdown | null>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly label: string;
  /** Script in this folder, e.g. `serve-ours.ts`. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** CPU list for taskset (e.g. `1`); absent = no pinning. */
  readonly cpus?: string | undefined;
  readonly startTimeoutMs?: number;
  /** Repository whose copy of the script runs, with its own node_modules (default: this one). */
  readonly root?: string;
  /** Node options of this process (e.g. `--expose-gc`), before BENCH_NODE_ARGS. */
  readonly nodeArgs?: readonly string[];
}

const isReady = (message: unknown): message is ReadyMessage =>
  typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === true;

/** Starts a benchmarked process (TypeScript through tsx) and resolves once it announces its URL over IPC. */
export function startProcess(options: SpawnOptions): Promise<BenchProcess> {
  const root = options.root ?? repoRoot;
  const script = join(root, relative(repoRoot, fileURLToPath(new URL(options.script, import.meta.url))));
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to every benchmarked process: for profiling.
  const nodeArgs = [...(options.nodeArgs ?? []), ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
  const node = [process.execPath, ...nodeArgs, '--import', 'tsx', script, ...(options.args ?? [])];
  const [command, ...args] = options.cpus ? ['taskset', '-c', options.cpus, ...node] : node;
  const child = spawn(command as string, args, {
    cwd: root,
    env: { ...process.env, ...options.env },
    // Child output goes to stderr so that stdout carries only the table.
    stdio: ['ignore', process.stderr, process.stderr, 'ipc'],
  });
  return new Promise<BenchProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label}: not ready after ${options.startTimeoutMs ?? 180_000} ms`));
    }, options.startTimeoutMs ?? 180_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.label}: exited before ready (code ${code}, signal ${signal})`));
    });
    child.on('message', (message) => {
      if (!isReady(message) || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        label: options.label,
        pid: child.pid,
        url: message.url,
        endpoint: message.endpoint,
        metricsUrl: message.metricsUrl ?? message.url,
        memory: (request) => askMemory(child, request),
        stop: () => stopChild(child),
      });
    });
  });
}

function askMemory(child: ChildProcess, request: Omit<MemoryRequest, 'memory'> = {}): Promise<MemoryBreakdown | null> {
  return new Promise((resolve) => {
    const done = (value: MemoryBreakdown | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    const onMessage = (message: unknown) => {
      const memory = (message as { memory?: MemoryBreakdown } | null)?.memory;
      if (memory && typeof memory === 'object') done(memory);
    };
    const timer = setTimeout(() => done(null), request.gc || request.heapSnapshot ? 60_000 : 1000);
    child.on('message', onMessage);
    const ask: MemoryRequest = { ...request, memory: 'ask' };
    if (!child.connected) done(null);
    else child.send(ask);
  });
}

/**
 * Samples `memory()` every `everyMs` until stopped; `stop()` gives the sample of the highest RSS (null when none
 * answered): where the memory was at the peak of a measured run.
 */
export function sampleMemory(
  process: Pick<BenchProcess, 'memory'>,
  everyMs = 500,
): { stop(): Promise<MemoryBreakdown | null> } {
  let peak: MemoryBreakdown | null = null;
  let pending: Promise<void> = Promise.resolve();
  const take = () => {
    pending = process.memory().then((m) => {
      if (m && (!peak || m.rss > peak.rss)) peak = m;
    });
  };
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return peak;
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const clockTicks = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; with `thread`, one of its threads
 * only (/proc/<pid>/task/<tid>/stat — the main thread, its event loop, has the pid as its id).
 */
export function cpuSeconds(pid: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/**
 * Cumulative CPU time of the whole machine from /proc/stat, in ticks of 1/100 s summed over its cores: all of it, what
 * the hypervisor stole for other guests, and what no thread wanted (idle and I/O wait).
 */
export function machineCpuTicks(): { total: number; steal: number; idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already counted in user.
  return {
    total: ticks.slice(0, 8).reduce((a, b) => a + b, 0),
    steal: ticks[7] ?? 0,
    idle: (ticks[3] ?? 0) + (ticks[4] ?? 0),
  };
}

/** The whole machine's CPU during a phase, per operation: busy ms (every core), and the idle and stolen shares (%). */
export interface MachineShare {
  readonly busyMs: number;
  readonly idlePercent: number;
  readonly stealPercent: number;
}

/** Starts measuring the whole machine's CPU (machineCpuTicks); the returned function ends the phase. */
export function machineMeter(): (operations: number) => MachineShare {
  const start = machineCpuTicks();
  return (operations) => {
    const end = machineCpuTicks();
    const total = Math.max(1, end.total - start.total);
    const idle = end.idle - start.idle;
    const steal = end.steal - start.steal;
    return {
      busyMs: ((total - idle - steal) * (1000 / clockTicks)) / Math.max(1, operations),
      idlePercent: (idle / total) * 100,
      stealPercent: (steal / total) * 100,
    };
  };
}

/** Peak resident set size so far (VmHWM) and current RSS (VmRSS) in MiB, from /proc/<pid>/status. */
export function memoryMiB(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peak: kib('VmHWM') / 1024, current: kib('VmRSS') / 1024 };
}

/**
 * Starts a new peak-RSS window: writing 5 to /proc/<pid>/clear_refs resets VmHWM to the current RSS (Linux), so the
 * next `memoryMiB(pid).peak` is the peak since now. False when not permitted (the peak then spans the process's life).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Pins the calling process (all its threads) to a CPU list; returns false when taskset is unavailable. */
export function pinSelf(cpus: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-a', '-cp', cpus, String(process.pid)], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** A positive integer bench setting from the environment (`fallback` when unset or empty); refuses anything else. */
export function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Sum of a metric's samples (every label set) on the /metrics page at `baseUrl`; null when the page has none. */
export async function metricSum(baseUrl: string, name: string): Promise<number | null> {
  const page = await (await fetch(`${baseUrl}/metrics`)).text();
  // `name value` or `name{labels} value`.
  const samples = page.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return samples.length ? samples.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0) : null;
}
