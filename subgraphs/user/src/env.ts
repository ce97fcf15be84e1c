import { z } from 'zod';
import {
  checkSubgraphConfig,
  configFields,
  objectStoreConfigShape,
  parseConfig,
  subgraphConfigShape,
} from '@vegshare/kit';

export const schema = z
  .object({
    ...subgraphConfigShape(4002),
    /** Avatars live in this bucket under `avatars/<userId>/`. */
    ...objectStoreConfigShape,
    /** Base URL of the Expo push API (`/--/api/v2/push/send`, `/--/api/v2/push/getReceipts`); tests point it at a local server. */
    PUSH_API_URL: configFields.url.default('https://exp.host'),
    /** Expo access token, when the project requires one for sending. */
    EXPO_ACCESS_TOKEN: z.string().min(1).optional(),
    /** Whether this replica sends queued pushes and checks their receipts (every replica may; claims never overlap). */
    PUSH_WORKER: configFields.bool.default(true),
    /** How often the push worker looks for due messages and receipts, in ms (it is also woken when pushes are queued). */
    PUSH_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    /** How long after sending the receipt is asked for (Expo recommends about 15 minutes). */
    PUSH_RECEIPT_DELAY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(15 * 60_000),
    /** First retry delay after a failed send; doubled per attempt (with jitter), at most PUSH_RETRY_MAX_MS. */
    PUSH_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
    PUSH_RETRY_MAX_MS: z.coerce
      .number()
      .int()
      .min(10)
      .max(86_400_000)
      .default(30 * 60_000),
    /** Attempts (sends and receipt checks) before a message is given up as FAILED. */
    PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  })
  .superRefine(checkSubgraphConfig);
export type UserConfig = z.infer<typeof schema>;

/** The only reader of process.env in the user service. */
export const loadUserConfig = (env: Record<string, string | undefined> = process.env): UserConfig =>
  parseConfig(schema, env);
