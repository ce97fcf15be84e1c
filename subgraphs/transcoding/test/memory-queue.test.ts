import { describe, expect, it } from 'vitest';
import { createLogger } from '@vegshare/kit';
import { MemoryJobQueue } from '../src/adapters/queue/memory-queue.ts';
import { PermanentError, RequeueError, type QueueTask } from '../src/adapters/queue/job-queue.ts';

const logger = createLogger('test', 'silent');
const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('in-process job queue (embedded default)', () => {
  it('retries a failing job with exponential back-off up to its attempts', async () => {
    const queue = new MemoryJobQueue(logger);
    const starts: number[] = [];
    const worker = queue.startWorker(
      async () => {
        starts.push(Date.now());
        throw new Error('boom');
      },
      { workerId: 'w', concurrency: 1 },
    );
    await queue.enqueue('a', { attempts: 3, backoffMs: 40 });
    await until(() => starts.length === 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(starts).toHaveLength(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(38);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(78);
    await worker.close(100);
    await queue.close();
  });

  it('fails permanent errors at once, requeues without using an attempt, and dedupes ids', async () => {
    const queue = new MemoryJobQueue(logger);
    const seen: QueueTask[] = [];
    let requeued = false;
    const worker = queue.startWorker(
      async (task) => {
        seen.push(task);
        if (task.item.type === 'transcode' && task.item.jobId === 'bad') throw new PermanentError('no');
        if (task.item.type === 'transcode' && task.item.jobId === 'handover' && !requeued) {
          requeued = true;
          throw new RequeueError('draining');
        }
      },
      { workerId: 'w', concurrency: 2 },
    );
    await queue.enqueue('bad', { attempts: 5, backoffMs: 10 });
    await queue.enqueue('handover', { attempts: 1, backoffMs: 10 });
    await queue.enqueue('handover', { attempts: 1, backoffMs: 10 });
    await until(() => seen.filter((t) => t.item.type === 'transcode' && t.item.jobId === 'handover').length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter((t) => t.item.type === 'transcode' && t.item.jobId === 'bad')).toHaveLength(1);
    expect(
      seen.filter((t) => t.item.type === 'transcode' && t.item.jobId === 'handover').map((t) => t.attempt),
    ).toEqual([1, 1]);
    await worker.close(100);
    await queue.close();
  });

  it('runs up to `concurrency` jobs at once and drains on close: running work gets the grace, then the shutdown signal', async () => {
    const queue = new MemoryJobQueue(logger);
    let running = 0;
    let peak = 0;
    const aborted: string[] = [];
    const worker = queue.startWorker(
      async (task) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5_000);
          task.shutdown.addEventListener('abort', () => {
            clearTimeout(t);
            if (task.item.type === 'transcode') aborted.push(task.item.jobId);
            resolve();
          });
        });
        running -= 1;
      },
      { workerId: 'w', concurrency: 2 },
    );
    for (const id of ['1', '2', '3']) await queue.enqueue(id, { attempts: 1, backoffMs: 10 });
    await until(() => running === 2);
    const started = Date.now();
    await worker.close(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(peak).toBe(2);
    expect(aborted.sort()).toEqual(['1', '2']);
    await queue.close();
  });
});
