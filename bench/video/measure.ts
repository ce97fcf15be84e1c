import { readFile } from 'node:fs/promises';

/** CPU time (user + system, seconds) of processes, from /proc/<pid>/stat; gone processes count what was last seen. */
export class CpuMeter {
  readonly #last = new Map<number, number>();
  readonly #ticks: number;

  constructor(ticksPerSecond = 100) {
    this.#ticks = ticksPerSecond;
  }

  async #read(pid: number): Promise<number | null> {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / this.#ticks;
    } catch {
      return null;
    }
  }

  /** Seconds of CPU the given processes used since the previous call for each (first call: since they started). */
  async take(pids: readonly number[]): Promise<number> {
    let used = 0;
    for (const pid of pids) {
      const now = await this.#read(pid);
      if (now === null) continue;
      used += now - (this.#last.get(pid) ?? 0);
      this.#last.set(pid, now);
    }
    return used;
  }
}

/** Every descendant of `root` (ffmpeg children of a service, say), from /proc. */
export async function descendants(root: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) (out.push(child), visit(child));
  };
  visit(root);
  return out;
}

/** CPU steal and load as the machine saw them: a figure measured while the hypervisor took the CPU says so. */
export async function machineStat(): Promise<{ busy: number; steal: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  return {
    busy: user + nice + system + irq + softirq,
    steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

export const quantile = (values: readonly number[], q: number): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const log = (...parts: unknown[]) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${parts.map(String).join(' ')}\n`);
