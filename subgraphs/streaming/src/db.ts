import { pgAdapter } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type StreamingDb = PrismaClient;
export const STREAMING_SCHEMA = 'streaming';

export function createStreamingDb(databaseUrl: string): StreamingDb {
  return new PrismaClient({ adapter: pgAdapter(databaseUrl, STREAMING_SCHEMA) });
}
