import { z } from 'zod';
import { checkSubgraphConfig, parseConfig, subgraphConfigShape } from '@vegshare/kit';

export const schema = z.object({ ...subgraphConfigShape(4003) }).superRefine(checkSubgraphConfig);
export type FarmConfig = z.infer<typeof schema>;

/** The only reader of process.env in the farm service. */
export const loadFarmConfig = (env: Record<string, string | undefined> = process.env): FarmConfig =>
  parseConfig(schema, env);
