import { pgAdapter } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type AuthDb = PrismaClient;
export const AUTH_SCHEMA = 'auth';

export function createAuthDb(databaseUrl: string): AuthDb {
  return new PrismaClient({ adapter: pgAdapter(databaseUrl, AUTH_SCHEMA) });
}
