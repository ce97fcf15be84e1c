import { z } from 'zod';
import { objectStoreConfigShape, parseConfig, subgraphConfigShape } from '@vegshare/kit';

export const schema = z.object({
  ...subgraphConfigShape(4002),
  /** Avatars live in this bucket under `avatars/<userId>/`. */
  ...objectStoreConfigShape,
});
export type UserConfig = z.infer<typeof schema>;

/** The only reader of process.env in the user service. */
export const loadUserConfig = (env: Record<string, string | undefined> = process.env): UserConfig => parseConfig(schema, env);
