import type { PaymentDeps } from './deps.ts';
import { processOutbox } from './outbox.ts';
import { expireHolds, releaseStartedBookings, republishReleases } from './lifecycle.ts';

export interface Worker {
  /** Runs a pass soon (after the current one, if one is running). */
  kick(): void;
  /** Resolves after a full pass that started after this call. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The payment service's background work, one pass at a time per replica: provider calls from the outbox, holds that
 * ran out, bookings that started (farmer's share released) and release requests to send again. It polls every
 * `WORKER_INTERVAL_MS` and runs at once when kicked; replicas share the work through SKIP LOCKED and row locks.
 */
export function startWorker(
  deps: Omit<PaymentDeps, 'kick'>,
  intervalMs: number,
): Worker & { bind(full: PaymentDeps): void } {
  let full: PaymentDeps | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const waiters: (() => void)[] = [];

  async function pass(d: PaymentDeps): Promise<void> {
    for (const step of [processOutbox, expireHolds, releaseStartedBookings, republishReleases] as const) {
      try {
        await step(d);
      } catch (err) {
        deps.logger.error({ err, step: step.name }, 'payment worker step failed');
      }
    }
  }

  function run(): void {
    if (stopped || !full) return;
    if (running) {
      again = true;
      return;
    }
    const d = full;
    const done = waiters.splice(0);
    running = pass(d).finally(() => {
      running = null;
      for (const w of done) w();
      if (again) {
        again = false;
        run();
      }
    });
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      run();
      schedule();
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    bind(d) {
      full = d;
      run();
    },
    kick: () => setImmediate(run),
    drain: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (running) again = true;
        else run();
      }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
