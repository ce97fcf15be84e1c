import { pgAdapter } from '@vegshare/kit';
import { PrismaClient } from './generated/prisma/client.ts';

export type FarmDb = PrismaClient;
export const FARM_SCHEMA = 'farm';

export function createFarmDb(databaseUrl: string): FarmDb {
  return new PrismaClient({ adapter: pgAdapter(databaseUrl, FARM_SCHEMA) });
}
