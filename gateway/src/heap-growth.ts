import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * V8 lets the old generation grow up to 4× what survived the last full GC once the heap may reach 2 GiB (64-bit:
 * 1024 MB × 2, V8's `MemoryController::MaxGrowingFactor`), i.e. on any host with more than about 4 GiB of RAM and no
 * container limit; below that it allows 1.3× to 2×. Under load the gateway allocates fast (every subgraph answer is
 * parsed, merged and printed per request), so it sits at that maximum: 65 MB live grew to 240 MB before each full
 * GC, and peak RSS was 1.26× stock @apollo/gateway's on the large list (issue 17).
 */
const FOUR_TIMES_ABOVE_BYTES = 2048 * 2 ** 20;

/** V8's factor for heaps under 2 GiB at most: the old generation grows to 2× what survived (`--heap-growing-percent`). */
export const HEAP_GROWING_PERCENT = 100;

/**
 * The `--heap-growing-percent` to set for a heap of this limit, null to leave V8's own choice (a container's memory
 * limit already keeps the factor at 2× or below: a fixed 100 % would raise it there).
 */
export const heapGrowingPercentFor = (heapSizeLimit: number): number | null =>
  heapSizeLimit > FOUR_TIMES_ABOVE_BYTES ? HEAP_GROWING_PERCENT : null;

/**
 * Caps the old generation's growth between full GCs at 2× on large hosts. Set at run time (V8 reads the flag at each
 * full GC), so it applies however the gateway is started: `npm start`, the container's `node service/main.ts`, tests,
 * benchmarks. Returns the percent set, or null.
 */
export function capHeapGrowth(heapSizeLimit = getHeapStatistics().heap_size_limit): number | null {
  const percent = heapGrowingPercentFor(heapSizeLimit);
  if (percent !== null) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
