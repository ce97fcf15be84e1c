import type { Viewer } from '@vegshare/kit';
import type { FarmDb } from './db.ts';
import type { FarmLoaders } from './loaders.ts';

/** Per-request context, built once per HTTP request. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: FarmDb;
  readonly loaders: FarmLoaders;
}
