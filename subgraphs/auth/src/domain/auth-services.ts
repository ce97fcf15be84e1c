import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { EventBus, RateLimitFallback, ServiceEvents, ServiceMetrics } from '@vegshare/kit';
import type { AuthDb, AuthSql } from '../db.ts';
import type { AuthConfig } from '../env.ts';
import { Accounts } from './accounts.ts';
import { AccountDeletions } from './account-deletion.ts';
import { ApiKeys } from './api-keys.ts';
import { SigningKeyStore } from './keys/key-store.ts';
import { Outbox } from './outbox.ts';
import { argon2idHasher, bcryptHasher, PasswordService } from './passwords/hasher.ts';
import { slottedHasher } from './passwords/hashing-slots.ts';
import { AuthRateLimits } from './rate-limits.ts';
import { Sessions } from './sessions.ts';
import { AccessTokenIssuer } from './tokens/access-tokens.ts';
import { AccessRevocations } from './revocations.ts';
import { DeviceTokens } from './device-tokens.ts';
import { OAuthClients } from './oauth-clients.ts';
import { ProviderClients } from './social/provider-clients.ts';
import { socialSettingsFrom } from './social/settings.ts';
import { SocialSignIn } from './social/social-sign-in.ts';

/** Everything the resolvers and routes call, built once per process. */
export interface AuthServices {
  readonly keys: SigningKeyStore;
  readonly tokens: AccessTokenIssuer;
  readonly sessions: Sessions;
  readonly accounts: Accounts;
  readonly apiKeys: ApiKeys;
  readonly deletions: AccountDeletions;
  readonly revocations: AccessRevocations;
  /** Whether the deprecated, email-revealing `register` mutation is served (REGISTER_MUTATION). */
  readonly registerMutation: boolean;
  readonly social: SocialSignIn;
  readonly oauthClients: OAuthClients;
}

export function createAuthServices(
  config: AuthConfig,
  db: AuthDb,
  sql: AuthSql,
  events: EventBus,
  durable: ServiceEvents,
  redis: Redis | null,
  logger: Logger,
  options: {
    /** Where the rate limits go while Redis is unreachable (null: no Redis, limits in memory). */
    readonly fallback?: RateLimitFallback | null;
    readonly metrics?: ServiceMetrics;
  } = {},
): AuthServices {
  const keys = new SigningKeyStore(
    db,
    config.AUTH_KEY_ENCRYPTION_SECRET,
    Math.max(config.ACCESS_TOKEN_TTL_SECONDS, config.API_KEY_TOKEN_TTL_SECONDS),
  );
  const tokens = new AccessTokenIssuer(keys, config.JWT_ISSUER, config.JWT_AUDIENCE);
  const revocations = new AccessRevocations(db, events, logger);
  const sessions = new Sessions(
    db,
    sql,
    tokens,
    { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, sessionTtlDays: config.SESSION_TTL_DAYS },
    revocations,
  );
  const passwords = new PasswordService(
    slottedHasher(
      argon2idHasher({ memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: 1 }),
      { concurrency: config.PASSWORD_HASH_CONCURRENCY, maxWaiting: config.PASSWORD_HASH_QUEUE },
      options.metrics,
    ),
    [bcryptHasher()],
  );
  const limits = new AuthRateLimits(
    {
      prefix: config.RATE_LIMIT_PREFIX,
      loginPerIp: config.LOGIN_IP_LIMIT,
      registerPerIp: config.REGISTER_IP_LIMIT,
      freeFailures: config.LOGIN_FREE_FAILURES,
    },
    redis,
    options.fallback ?? null,
  );
  const outbox = new Outbox(logger, config.DEV_MAILBOX);
  const devices = new DeviceTokens(config.AUTH_KEY_ENCRYPTION_SECRET);
  const accounts = new Accounts({
    db,
    sql,
    passwords,
    sessions,
    limits,
    outbox,
    events: durable,
    revocations,
    devices,
    logger,
    appUrl: config.APP_URL,
  });
  const deletions = new AccountDeletions({
    db,
    passwords,
    limits,
    outbox,
    events: durable,
    revocations,
    logger,
    appUrl: config.APP_URL,
    services: config.ACCOUNT_ERASURE_SERVICES,
    republishMs: config.ACCOUNT_ERASURE_REPUBLISH_MS,
  });
  const socialSettings = socialSettingsFrom(config);
  const social = new SocialSignIn({
    db,
    settings: socialSettings,
    clients: new ProviderClients(socialSettings),
    sessions,
    passwords,
    limits,
    outbox,
    events: durable,
    devices,
    logger,
    appUrl: config.APP_URL,
  });
  return {
    keys,
    tokens,
    sessions,
    accounts,
    revocations,
    deletions,
    registerMutation: config.REGISTER_MUTATION,
    apiKeys: new ApiKeys(db, tokens, config.API_KEY_TOKEN_TTL_SECONDS, revocations),
    social,
    oauthClients: new OAuthClients(db, revocations),
  };
}
