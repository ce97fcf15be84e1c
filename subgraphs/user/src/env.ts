import { z } from 'zod';
import { checkSubgraphConfig, objectStoreConfigShape, parseConfig, subgraphConfigShape } from '@vegshare/kit';

const schema = z.object({
  ...subgraphConfigShape(4002),
  /** Avatars live in this bucket under `avatars/<userId>/`. */
  ...objectStoreConfigShape,
}).superRefine(checkSubgraphConfig);
export type UserConfig = z.infer<typeof schema>;

/** The only reader of process.env in the user service. */
export const loadUserConfig = (env: Record<string, string | undefined> = process.env): UserConfig => parseConfig(schema, env);
