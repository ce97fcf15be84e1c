import type { Logger, Viewer } from '@vegshare/kit';
import type { PaymentDeps } from './domain/deps.ts';
import type { PaymentLoaders } from './loaders.ts';

/** Per-request context, built once per HTTP request. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly deps: PaymentDeps;
  readonly loaders: PaymentLoaders;
  readonly logger: Logger;
}
