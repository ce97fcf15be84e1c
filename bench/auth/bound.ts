// The argon2id bound: verifications per second of one stored hash (the service's parameters, as its hash encodes
// them) through the service's own hasher — the `argon2` package's async API on libuv's thread pool — with
// BENCH_BOUND_CONCURRENCY verifications in flight for BENCH_BOUND_SECONDS. Forked by run.ts with
// UV_THREADPOOL_SIZE ≥ that concurrency; answers { verifies, seconds, cpuMs } over IPC.
import { performance } from 'node:perf_hooks';
import { argon2idHasher } from '@vegshare/auth/domain/passwords/hasher';
import { fail, required } from '../gateway/child.ts';

export interface BoundResult {
  readonly verifies: number;
  readonly seconds: number;
  /** CPU time of this process (every thread) while verifying. */
  readonly cpuMs: number;
}

try {
  const hash = required('BENCH_HASH');
  const password = required('BENCH_PASSWORD');
  const seconds = Number(required('BENCH_BOUND_SECONDS'));
  const concurrency = Number(required('BENCH_BOUND_CONCURRENCY'));
  const hasher = argon2idHasher();
  if (!(await hasher.verify(hash, password))) throw new Error('the stored hash does not match the bench password');
  let verifies = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if (!(await hasher.verify(hash, password))) throw new Error('verification failed');
        verifies += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const result: BoundResult = {
    verifies,
    seconds: (performance.now() - started) / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.send?.(result, () => process.exit(0));
} catch (error) {
  fail('argon2id bound', error);
}
