import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, capHeapGrowth, heapGrowingPercentFor } from '../src/heap-growth.ts';

const MiB = 2 ** 20;

describe('heap growth cap', () => {
  it('caps growth at 2× where V8 would allow 4× (heap limit above 2 GiB), and leaves container-sized heaps alone', () => {
    // A host with 24 GiB and no container limit: Node 20 sets a 4144 MiB heap limit.
    expect(heapGrowingPercentFor(4144 * MiB)).toBe(HEAP_GROWING_PERCENT);
    expect(HEAP_GROWING_PERCENT).toBe(100);
    // The gateway's k8s limits (768Mi base, 1Gi prod): V8 derives a heap limit of about half, and a factor ≤ 2 itself.
    expect(heapGrowingPercentFor(393 * MiB)).toBeNull();
    expect(heapGrowingPercentFor(521 * MiB)).toBeNull();
    expect(capHeapGrowth(393 * MiB)).toBeNull();
  });

  it('names a flag the running V8 knows (setFlagsFromString ignores unknown ones without a word)', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toMatch(/--heap-growing-percent \(specifies heap growing factor/);
  });
});
