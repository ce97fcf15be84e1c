import { pgAdapter } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type TranscodingDb = PrismaClient;
export const TRANSCODING_SCHEMA = 'transcoding';

export function createTranscodingDb(databaseUrl: string, maxConnections = 10): TranscodingDb {
  return new PrismaClient({ adapter: pgAdapter(databaseUrl, TRANSCODING_SCHEMA, maxConnections) });
}
