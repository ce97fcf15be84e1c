import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { EventBus } from '@vegshare/kit';
import type { AuthDb } from './db.ts';
import type { AuthConfig } from './env.ts';
import { Accounts } from './accounts.ts';
import { ApiKeys } from './api-keys.ts';
import { SigningKeyStore } from './keys/key-store.ts';
import { Outbox } from './outbox.ts';
import { argon2idHasher, bcryptHasher, PasswordService } from './passwords/hasher.ts';
import { AuthRateLimits } from './rate-limits.ts';
import { Sessions } from './sessions.ts';
import { AccessTokenIssuer } from './tokens/access-tokens.ts';
import { OAuthClients } from './oauth/clients.ts';
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
  readonly social: SocialSignIn;
  readonly oauthClients: OAuthClients;
}

export function createAuthServices(config: AuthConfig, db: AuthDb, events: EventBus, redis: Redis | null, logger: Logger): AuthServices {
  const keys = new SigningKeyStore(db, config.AUTH_KEY_ENCRYPTION_SECRET, Math.max(config.ACCESS_TOKEN_TTL_SECONDS, config.API_KEY_TOKEN_TTL_SECONDS));
  const tokens = new AccessTokenIssuer(keys, config.JWT_ISSUER, config.JWT_AUDIENCE);
  const sessions = new Sessions(db, tokens, { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, sessionTtlDays: config.SESSION_TTL_DAYS });
  const passwords = new PasswordService(argon2idHasher({ memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: 1 }), [bcryptHasher()]);
  const limits = new AuthRateLimits(
    { prefix: config.RATE_LIMIT_PREFIX, loginPerIp: config.LOGIN_IP_LIMIT, registerPerIp: config.REGISTER_IP_LIMIT, freeFailures: config.LOGIN_FREE_FAILURES },
    redis,
  );
  const accounts = new Accounts({ db, passwords, sessions, limits, outbox: new Outbox(logger, config.DEV_MAILBOX), events, logger, appUrl: config.APP_URL });
  const socialSettings = socialSettingsFrom(config);
  const outbox = new Outbox(logger, config.DEV_MAILBOX);
  const social = new SocialSignIn({ db, settings: socialSettings, clients: new ProviderClients(socialSettings), sessions, passwords, limits, outbox, events, logger, appUrl: config.APP_URL });
  return { keys, tokens, sessions, accounts, apiKeys: new ApiKeys(db, tokens, config.API_KEY_TOKEN_TTL_SECONDS), social, oauthClients: new OAuthClients(db) };
}
