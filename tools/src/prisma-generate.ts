// Generates every subgraph's Prisma client offline. Prisma's CLI insists on a schema engine path (it downloads the
// engine otherwise) even though `generate` and the generated `prisma-client` need no binary; any existing file will do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRoverConfig, repoRoot } from './workspace.ts';

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
// Prisma 7's own entry point, not node_modules/.bin/prisma: tools' `prisma6` alias (Prisma 6.19, for the migration
// diff only) installs a `prisma` command too, and which of the two npm links there is not defined.
const prisma = join(repoRoot, 'node_modules/prisma/build/index.js');
for (const subgraph of readRoverConfig().subgraphs) {
  const schema = join(subgraph.dir, 'prisma/schema.prisma');
  if (!existsSync(schema)) continue;
  execFileSync(process.execPath, [prisma, 'generate', '--no-hints', '--schema', schema], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: repoRoot,
  });
  console.log(`prisma client generated for ${subgraph.name}`);
}
