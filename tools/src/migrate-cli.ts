// npm run db:migrate — applies pending migrations of every subgraph to DATABASE_URL.
import { z } from 'zod';
import { parseConfig, configFields, createLogger } from '@vegshare/kit';
import { migrateAll } from './migrate.ts';

try {
  const { DATABASE_URL } = parseConfig(z.object({ DATABASE_URL: configFields.postgresUrl }), process.env);
  const applied = await migrateAll(DATABASE_URL, createLogger('migrate'));
  const count = Object.values(applied).reduce((n, list) => n + list.length, 0);
  console.log(`migrations applied: ${count}`);
} catch (error) {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
