// npm run -w @vegshare/auth keys:rotate — adds a new signing key; the previous one stops signing and stays in the
// JWKS until every token it signed has expired, then a later rotation deletes it.
import { createAuthDb } from './db.ts';
import { loadAuthConfig } from './env.ts';
import { SigningKeyStore } from './domain/keys/key-store.ts';

try {
  const config = loadAuthConfig();
  const db = createAuthDb(config.DATABASE_URL);
  try {
    const store = new SigningKeyStore(
      db,
      config.AUTH_KEY_ENCRYPTION_SECRET,
      Math.max(config.ACCESS_TOKEN_TTL_SECONDS, config.API_KEY_TOKEN_TTL_SECONDS),
    );
    const result = await store.rotate();
    console.log(
      `signing key ${result.kid} active; retired ${result.retired.join(', ') || 'none'}; deleted ${result.deleted} expired`,
    );
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  console.error(`keys:rotate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
