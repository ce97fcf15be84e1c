// npm run db:seed — idempotent demo data into every subgraph's schema of DATABASE_URL (never in production).
import { z } from 'zod';
import { configFields, parseConfig } from '@vegshare/kit';
import { loadService } from './services.ts';
import { readRoverConfig } from './workspace.ts';

try {
  const { DATABASE_URL, NODE_ENV } = parseConfig(
    z.object({ DATABASE_URL: configFields.postgresUrl, NODE_ENV: z.string().default('development') }),
    process.env,
  );
  if (NODE_ENV === 'production') throw new Error('refusing to seed demo data with NODE_ENV=production');
  for (const { name } of readRoverConfig().subgraphs) {
    await (await loadService(name)).seed(DATABASE_URL);
    console.log(`seeded ${name}`);
  }
} catch (error) {
  console.error(`seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
