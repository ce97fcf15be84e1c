import { PrismaPg } from '@prisma/adapter-pg';

/** Prisma driver adapter on node-postgres, bound to the service's own Postgres schema (no engine binary needed). */
export function pgAdapter(databaseUrl: string, schema: string, maxConnections = 10): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: maxConnections }, { schema });
}
