import { workerConfigShape, type WorkerConfig } from '../src/env.ts';
import { z } from 'zod';
import { parseConfig } from '@vegshare/kit';

/** Worker config for the benchmark: no database or Redis needed. */
export const loadWorkerConfigForBench = (env: Record<string, string>): WorkerConfig =>
  parseConfig(z.object(workerConfigShape), { DATABASE_URL: 'postgresql://unused/bench', ...env });
