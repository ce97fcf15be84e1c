// Prisma 7 reads the schema's location (and, for migrate commands, the database URL) from here. The runtime does not:
// src/db.ts hands Prisma our own node-postgres pool through the driver adapter. Migration SQL is written offline by
// `npm run db:diff` with Prisma 6's WebAssembly schema engine (tools/src/db-diff.ts), since Prisma 7's CLI starts
// the native schema engine, which cannot be downloaded here.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: './prisma/schema.prisma',
  migrations: { path: './prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
