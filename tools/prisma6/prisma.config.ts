// Prisma 6.19's configuration for `npm run db:diff` only (tools/src/db-diff.ts passes it with --config). Prisma 7's
// `migrate diff` always starts the native schema engine, which cannot be downloaded here; Prisma 6.19 with the
// experimental adapter runs its WebAssembly schema engine instead. The diff compares two datamodels and never
// connects, but the JavaScript engine wants an adapter to exist.
import { PrismaPg } from '@prisma/adapter-pg';

export default {
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () =>
    new PrismaPg({ connectionString: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres' }),
};
