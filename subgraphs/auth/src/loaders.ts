import { rowLoader } from '@vegshare/kit';
import type { AuthDb } from './db.ts';

/** Batched per-request loaders: every entity goes through one of these (no N+1). */
export function createLoaders(db: AuthDb) {
  return {
    user: rowLoader(
      (ids: readonly string[]) => db.user.findMany({ where: { id: { in: [...ids] } } }),
      (u) => u.id,
    ),
  };
}
export type AuthLoaders = ReturnType<typeof createLoaders>;
