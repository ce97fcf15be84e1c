import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { checkSubgraphConfig, configFields, parseConfig, subgraphConfigShape } from '@vegshare/kit';
import { checkSocialConfig, socialConfigShape } from './domain/social/settings.ts';

/** Used only outside production, so a fresh clone starts; production must set AUTH_KEY_ENCRYPTION_SECRET. */
export const DEV_KEY_ENCRYPTION_SECRET = 'vegshare-dev-only-key-encryption-secret';

export const schema = z
  .object({
    ...subgraphConfigShape(4001),
    /** Encrypts signing keys at rest (AES-256-GCM, key derived with scrypt). Required in production. */
    AUTH_KEY_ENCRYPTION_SECRET: configFields.secret.optional(),
    /** Access-token lifetime: 10–15 minutes in production, shorter allowed for tests. */
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
    /** Absolute lifetime of a session (its refresh tokens), in days. */
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Lifetime of the partner JWT the gateway gets for an API key, in seconds. */
    API_KEY_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(300),
    /**
     * `GET /dev/mailbox?email=` (from loopback only) shows queued mail and mail links are logged. Only with
     * NODE_ENV=development, where it is the default; refused anywhere else.
     */
    DEV_MAILBOX: configFields.bool.optional(),
    /**
     * Keep the deprecated `register` mutation (signs in at once, so it tells whether an email is taken). Default: on in
     * development and test for the current app, off in production, where it answers FORBIDDEN: use signUp.
     */
    REGISTER_MUTATION: configFields.bool.optional(),
    /** Base URL of the app, for links in emails. */
    APP_URL: configFields.url.default('http://localhost:8081'),
    /** Sign-in attempts per IP per 15 minutes. */
    LOGIN_IP_LIMIT: z.coerce.number().int().min(1).default(50),
    /** Registrations per IP per hour. */
    REGISTER_IP_LIMIT: z.coerce.number().int().min(1).default(10),
    /** Failed sign-ins per account (per hour) before exponential back-off starts. */
    LOGIN_FREE_FAILURES: z.coerce.number().int().min(1).default(5),
    /** Redis key prefix of the rate limiters (tests use a random one). */
    RATE_LIMIT_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]+$/)
      .default('vegshare:auth:rl'),
    /** argon2id memory in KiB (OWASP minimum 19 MiB) and passes; changing them rehashes on the next login. */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(19_456).max(1_048_576).default(19_456),
    ARGON2_TIME_COST: z.coerce.number().int().min(2).max(10).default(2),
    /**
     * Password hashes computed at once (domain/passwords/hashing-slots.ts): one per core this process may use — set it
     * to the container's CPU limit where that is below the machine's cores.
     */
    PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    /** Password hashes that may wait for a slot; a sign-in past them gets SERVICE_UNAVAILABLE with `retryAfter`. */
    PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).default(256),
    /** Services that must acknowledge a deleted account's erasure (UserDataErased), comma-separated. */
    ACCOUNT_ERASURE_SERVICES: z
      .string()
      .default('user,farm,streaming,payment')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected service names such as user,farm')).min(1)),
    /** How often UserDeleted is published again for deletions not yet acknowledged by every service, in ms. */
    ACCOUNT_ERASURE_REPUBLISH_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Social sign-in providers and our OAuth2 authorization server (social/settings.ts). */
    ...socialConfigShape,
  })
  .superRefine((c, ctx) => {
    checkSubgraphConfig(c, ctx);
    checkSocialConfig(c, ctx);
    if (c.NODE_ENV === 'production' && !c.AUTH_KEY_ENCRYPTION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_KEY_ENCRYPTION_SECRET'], message: 'required in production' });
    }
    if (c.NODE_ENV !== 'development' && c.DEV_MAILBOX) {
      ctx.addIssue({ code: 'custom', path: ['DEV_MAILBOX'], message: 'only with NODE_ENV=development' });
    }
  })
  .transform((c) => ({
    ...c,
    AUTH_KEY_ENCRYPTION_SECRET: c.AUTH_KEY_ENCRYPTION_SECRET ?? DEV_KEY_ENCRYPTION_SECRET,
    DEV_MAILBOX: c.DEV_MAILBOX ?? c.NODE_ENV === 'development',
    REGISTER_MUTATION: c.REGISTER_MUTATION ?? c.NODE_ENV !== 'production',
  }));
export type AuthConfig = z.infer<typeof schema>;

/** The only reader of process.env in the auth service. */
export const loadAuthConfig = (env: Record<string, string | undefined> = process.env): AuthConfig =>
  parseConfig(schema, env);

/** Whether this process runs in production (the demo seed refuses to run there). */
export const isProductionEnvironment = (env: Record<string, string | undefined> = process.env): boolean =>
  env['NODE_ENV'] === 'production';
