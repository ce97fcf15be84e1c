import type { LoadResult } from './load.ts';
import type { MemoryBreakdown } from './child.ts';

export interface Cell {
  readonly gateway: string;
  readonly operation: string;
  /** Why the cell was not measured (wrong answer, not applicable, gateway failed to start). */
  readonly invalid?: string;
  readonly load?: LoadResult;
  /** Subgraph /graphql requests per client request under load, and for one request sent alone. */
  readonly callsPerRequest?: number;
  readonly callsSingle?: number;
  /** CPU of the measured process (gateway, or the subgraph for the floor) in % of one core, and of all subgraphs. */
  readonly cpuPercent?: number;
  readonly subgraphCpuPercent?: number;
  readonly peakRssMiB?: number;
  /** process.memoryUsage() of the measured process at its highest sampled RSS during the measured run. */
  readonly memory?: MemoryBreakdown;
  /** CPU time the hypervisor gave to other guests during the measured run, in % of this machine's CPU time. */
  readonly stealPercent?: number;
}

/** A reason fit for one table cell: one line, no pipes, short. */
const cellText = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 140);
const fixed = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;

export const STOCK = 'apollo';
export const FLOOR = 'floor';
/** The pass-through relay (serve-proxy.ts): the least CPU per request a Node gateway can spend. */
export const PROXY = 'proxy';

function find(cells: readonly Cell[], gateway: string, operation: string): Cell | undefined {
  return cells.find((c) => c.gateway === gateway && c.operation === operation && !c.invalid);
}

/** gateway × operation, with ratios against the stock gateway and the floor of the same run. */
export function markdownTable(cells: readonly Cell[]): string {
  const head =
    '| gateway | operation | req/s | p50 ms | p99 ms | subgraph calls / req (load · single) | CPU % | subgraphs CPU % | peak RSS MB | req/s vs stock | p99 vs stock | peak RSS vs stock | req/s vs floor | failed reqs | steal % |\n' +
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = cells.map((c) => {
    if (c.invalid || !c.load)
      return `| ${c.gateway} | ${c.operation} | ${cellText(c.invalid ?? 'not measured')} |  |  |  |  |  |  |  |  |  |  |  |  |`;
    const stock = find(cells, STOCK, c.operation);
    const floor = find(cells, FLOOR, c.operation);
    return [
      c.gateway,
      c.operation,
      fixed(c.load.rps),
      fixed(c.load.p50, 1),
      fixed(c.load.p99, 1),
      `${fixed(c.callsPerRequest, 2)} · ${fixed(c.callsSingle)}`,
      fixed(c.cpuPercent),
      fixed(c.subgraphCpuPercent),
      fixed(c.peakRssMiB),
      ratio(c.load.rps, stock?.load?.rps),
      ratio(c.load.p99, stock?.load?.p99),
      ratio(c.peakRssMiB, stock?.peakRssMiB),
      ratio(c.load.rps, floor?.load?.rps),
      String(c.load.failures),
      fixed(c.stealPercent),
    ].join(' | ');
  });
  return [head, ...rows.map((r) => (r.startsWith('|') ? r : `| ${r} |`))].join('\n');
}

/** The issue's targets, checked on this run (ours against the stock gateway, the floor and Hive). */
export function targetChecks(
  cells: readonly Cell[],
  queries: readonly string[],
  hiveVariants: readonly string[],
): string[] {
  const lines: string[] = [];
  const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'yes' : 'NO');
  const rps = (g: string, op: string) => find(cells, g, op)?.load?.rps;
  const check = (
    label: string,
    a: number | undefined,
    b: number | undefined,
    test: (a: number, b: number) => boolean,
    show: string,
  ) => lines.push(`- ${label}: ${mark(a === undefined || b === undefined ? undefined : test(a, b))} (${show})`);
  for (const op of ['nested', 'one-subgraph']) {
    const ours = rps('ours', op);
    const stock = rps(STOCK, op);
    check(`ours ≥ 2× stock req/s on ${op}`, ours, stock, (a, b) => a >= 2 * b, ratio(ours, stock));
  }
  const oursOne = rps('ours', 'one-subgraph');
  const floorOne = rps(FLOOR, 'one-subgraph');
  check(
    'ours ≥ 50 % of the floor on one-subgraph',
    oursOne,
    floorOne,
    (a, b) => a >= 0.5 * b,
    ratio(oursOne, floorOne),
  );
  for (const c of cells.filter((x) => x.gateway === 'ours' && !x.invalid)) {
    const stock = find(cells, STOCK, c.operation);
    check(
      `ours p99 ≤ stock on ${c.operation}`,
      c.load?.p99,
      stock?.load?.p99,
      (a, b) => a <= b,
      `${fixed(c.load?.p99, 1)} vs ${fixed(stock?.load?.p99, 1)} ms`,
    );
  }
  const peak = (g: string) => {
    const values = cells
      .filter((c) => c.gateway === g && c.peakRssMiB !== undefined)
      .map((c) => c.peakRssMiB as number);
    return values.length ? Math.max(...values) : undefined;
  };
  check(
    'ours peak RSS ≤ stock',
    peak('ours'),
    peak(STOCK),
    (a, b) => a <= b,
    `${fixed(peak('ours'))} vs ${fixed(peak(STOCK))} MB`,
  );
  for (const hive of hiveVariants) {
    for (const op of queries) {
      const ours = rps('ours', op);
      const other = rps(hive, op);
      check(`ours ahead of ${hive} on ${op}`, ours, other, (a, b) => a > b, ratio(ours, other));
    }
  }
  // Without deduplication on either side: our gateway's own execution against Hive's.
  for (const op of queries) {
    const ours = rps('ours-nodedup', op);
    const other = rps('hive-nodedup', op);
    if (ours !== undefined && other !== undefined)
      check(`ours-nodedup ahead of hive-nodedup on ${op}`, ours, other, (a, b) => a > b, ratio(ours, other));
  }
  return lines;
}

/**
 * Issue 17's targets on the subgraph-free table: our gateway without response sharing at ≥ 60 % of the floor (the
 * memory subgraph alone) where there is a floor, and its peak RSS at most stock's in every cell, both with sharing
 * off and on.
 */
export function subgraphFreeChecks(cells: readonly Cell[], operationNames: readonly string[]): string[] {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'yes' : 'NO');
  for (const op of operationNames) {
    const floor = find(cells, FLOOR, op)?.load?.rps;
    for (const g of ['ours-nodedup', 'ours']) {
      const ours = find(cells, g, op)?.load?.rps;
      if (floor !== undefined && ours !== undefined && (g === 'ours-nodedup' || op.endsWith('-callers')))
        lines.push(`- ${g} ≥ 60 % of the floor on ${op}: ${mark(ours >= 0.6 * floor)} (${ratio(ours, floor)})`);
    }
  }
  for (const op of operationNames) {
    const floor = find(cells, FLOOR, op)?.load?.rps;
    const relay = find(cells, PROXY, op)?.load?.rps;
    const ours = find(cells, 'ours-nodedup', op)?.load?.rps;
    if (floor !== undefined && relay !== undefined)
      lines.push(
        `- the pass-through relay (no GraphQL work) on ${op}: ${ratio(relay, floor)} the floor${ours !== undefined ? `; ours-nodedup ${ratio(ours, relay)} the relay` : ''}`,
      );
  }
  for (const g of ['ours-nodedup', 'ours']) {
    const over = operationNames.flatMap((op) => {
      const ours = find(cells, g, op)?.peakRssMiB;
      const stock = find(cells, STOCK, op)?.peakRssMiB;
      return ours !== undefined && stock !== undefined ? [{ op, ours, stock }] : [];
    });
    if (!over.length) continue;
    const worst = over.reduce((a, b) => (b.ours / b.stock > a.ours / a.stock ? b : a));
    lines.push(
      `- ${g} peak RSS ≤ stock in every cell: ${mark(over.every((c) => c.ours <= c.stock))} (worst ${worst.op}: ${fixed(worst.ours)} vs ${fixed(worst.stock)} MB)`,
    );
  }
  return lines;
}

/**
 * Per gateway, process.memoryUsage() at the highest RSS sampled in any of its cells: how much is the JS heap (used,
 * and reserved by V8), external (Buffers, ArrayBuffers, native objects), and the rest (code, stacks, allocator).
 */
export function memoryTable(cells: readonly Cell[]): string {
  const head =
    '| gateway | at operation | RSS | heap total | heap used | external | of which array buffers | RSS − heap total − external |\n' +
    '|---|---|--:|--:|--:|--:|--:|--:|';
  const byGateway = new Map<string, Cell>();
  for (const c of cells) {
    const best = byGateway.get(c.gateway);
    if (c.memory && (!best?.memory || c.memory.rss > best.memory.rss)) byGateway.set(c.gateway, c);
  }
  const rows = [...byGateway.values()].map((c) => {
    const m = c.memory as MemoryBreakdown;
    return `| ${c.gateway} | ${c.operation} | ${[m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers, m.rss - m.heapTotal - m.external].map((n) => fixed(n)).join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}
