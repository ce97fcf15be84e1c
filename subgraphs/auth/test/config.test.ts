import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '@vegshare/kit';
import { DEV_KEY_ENCRYPTION_SECRET, loadAuthConfig } from '../src/env.ts';
import { requestMeta } from '../src/adapters/http/request-meta.ts';
import { isCommonPassword } from '../src/domain/passwords/policy.ts';
import { argon2idHasher, bcryptHasher, PasswordService } from '../src/domain/passwords/hasher.ts';

const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/x';

describe('auth config', () => {
  it('has development defaults: dev key secret, dev mailbox, OWASP argon2 and 15-minute tokens', () => {
    const config = loadAuthConfig({ DATABASE_URL });
    expect(config).toMatchObject({
      PORT: 4001,
      AUTH_KEY_ENCRYPTION_SECRET: DEV_KEY_ENCRYPTION_SECRET,
      DEV_MAILBOX: true,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      ARGON2_MEMORY_KIB: 19456,
      ARGON2_TIME_COST: 2,
    });
  });

  it('requires a key encryption secret in production and turns the dev mailbox off there', () => {
    const GATEWAY_SECRET = 'a-long-gateway-secret-value';
    expect(() => loadAuthConfig({ DATABASE_URL, NODE_ENV: 'production', GATEWAY_SECRET })).toThrow(
      new ConfigError('Invalid configuration: AUTH_KEY_ENCRYPTION_SECRET: required in production'),
    );
    const config = loadAuthConfig({
      DATABASE_URL,
      NODE_ENV: 'production',
      GATEWAY_SECRET,
      AUTH_KEY_ENCRYPTION_SECRET: 'a-long-production-secret-value',
    });
    expect(config.DEV_MAILBOX).toBe(false);
    expect(() =>
      loadAuthConfig({
        DATABASE_URL,
        NODE_ENV: 'production',
        GATEWAY_SECRET,
        AUTH_KEY_ENCRYPTION_SECRET: 'a-long-production-secret-value',
        DEV_MAILBOX: 'true',
      }),
    ).toThrow(/DEV_MAILBOX/);
  });

  it('wants https social providers in production, except on loopback (a local stand-in), and allows http elsewhere', () => {
    const production = {
      DATABASE_URL,
      NODE_ENV: 'production',
      GATEWAY_SECRET: 'a-long-gateway-secret-value',
      AUTH_KEY_ENCRYPTION_SECRET: 'a-long-production-secret-value',
    };
    expect(() => loadAuthConfig({ ...production, GOOGLE_ISSUER: 'http://accounts.google.com' })).toThrow(
      /GOOGLE_ISSUER: must be https:\/\/ in production/,
    );
    expect(() => loadAuthConfig({ ...production, VK_ID_URL: 'http://10.0.0.5:8080' })).toThrow(/VK_ID_URL/);
    expect(loadAuthConfig({ ...production, GOOGLE_ISSUER: 'http://127.0.0.1:4599' }).GOOGLE_ISSUER).toBe(
      'http://127.0.0.1:4599',
    );
    expect(loadAuthConfig({ ...production, YANDEX_OAUTH_URL: 'http://localhost:4599' }).YANDEX_OAUTH_URL).toBe(
      'http://localhost:4599',
    );
    expect(loadAuthConfig({ DATABASE_URL, GOOGLE_ISSUER: 'http://provider.test' }).GOOGLE_ISSUER).toBe(
      'http://provider.test',
    );
  });

  it('keeps the dev mailbox to NODE_ENV=development', () => {
    expect(loadAuthConfig({ DATABASE_URL, NODE_ENV: 'test' }).DEV_MAILBOX).toBe(false);
    expect(() => loadAuthConfig({ DATABASE_URL, NODE_ENV: 'test', DEV_MAILBOX: 'true' })).toThrow(
      /DEV_MAILBOX: only with NODE_ENV=development/,
    );
  });

  it('refuses weak argon2 parameters and access tokens longer than 15 minutes, naming the variable', () => {
    expect(() => loadAuthConfig({ DATABASE_URL, ARGON2_MEMORY_KIB: '4096' })).toThrow(/ARGON2_MEMORY_KIB/);
    expect(() => loadAuthConfig({ DATABASE_URL, ARGON2_TIME_COST: '1' })).toThrow(/ARGON2_TIME_COST/);
    expect(() => loadAuthConfig({ DATABASE_URL, ACCESS_TOKEN_TTL_SECONDS: '3600' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
  });
});

describe('request metadata', () => {
  const req = (headers: Record<string, string>) =>
    ({ headers, socket: { remoteAddress: '::ffff:127.0.0.1' } }) as unknown as IncomingMessage;
  it('never takes a caller’s x-forwarded-for without the gateway secret', () => {
    expect(requestMeta(req({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9', 'user-agent': 'ua' }))).toEqual({
      ip: '127.0.0.1',
      userAgent: 'ua',
    });
    expect(requestMeta(req({ 'user-agent': 'u'.repeat(2000) })).userAgent).toHaveLength(512);
  });
});

describe('passwords', () => {
  it('bundles thousands of common breached passwords, case-insensitively', () => {
    expect(isCommonPassword('password')).toBe(true);
    expect(isCommonPassword('ILoveYou1')).toBe(true);
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('vegshare-demo-2026')).toBe(false);
  });

  it('hashes with argon2id at OWASP parameters without blocking the event loop', async () => {
    const service = new PasswordService(argon2idHasher(), [bcryptHasher()]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const hashes = await Promise.all([service.hash('a passphrase one'), service.hash('a passphrase two')]);
    clearInterval(timer);
    expect(hashes[0]).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(ticks).toBeGreaterThan(5);
    expect(await service.verify(hashes[0]!, 'a passphrase one')).toEqual({ ok: true, upgradedHash: null });
    expect(await service.verify(hashes[0]!, 'a passphrase two')).toEqual({ ok: false, upgradedHash: null });
    expect(await service.verify('garbage', 'x')).toEqual({ ok: false, upgradedHash: null });
    expect(await service.verifyDummy('anything')).toBe(false);
  });
});
