import { conflict, notFound } from '@vegshare/kit';
import type { AuthDb } from '../db.ts';
import type { ApiKey as ApiKeyRow } from '../generated/prisma/client.ts';
import { randomSecret, sha256 } from './secrets.ts';
import type { AccessTokenIssuer } from './tokens/access-tokens.ts';
import type { AccessRevocations } from './revocations.ts';

const API_KEY_PREFIX = 'vsk_';
const MAX_ACTIVE_KEYS = 20;
/** lastUsedAt is written at most this often per key, so busy keys do not turn every exchange into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedApiKeyResult {
  readonly apiKey: ApiKeyRow;
  readonly secret: string;
}

export interface ApiKeyToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly keyId: string;
  readonly partnerId: string;
}

/** Partner API keys: random 256-bit secrets shown once, stored as SHA-256, exchanged for short-lived partner JWTs. */
export class ApiKeys {
  constructor(
    private readonly db: AuthDb,
    private readonly tokens: AccessTokenIssuer,
    private readonly tokenTtlSeconds: number,
    private readonly revocations: AccessRevocations,
  ) {}

  async create(partnerId: string, input: { name: string; scopes: readonly string[] }): Promise<CreatedApiKeyResult> {
    const secret = randomSecret(API_KEY_PREFIX);
    const apiKey = await this.db.$transaction(async (tx) => {
      // One creation per partner at a time (a transaction-scoped advisory lock), so concurrent calls cannot all pass
      // the count and exceed the cap.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`api-keys:${partnerId}`}, 0))`;
      const active = await tx.apiKey.count({ where: { partnerId, revokedAt: null } });
      if (active >= MAX_ACTIVE_KEYS)
        throw conflict(`A partner may hold at most ${MAX_ACTIVE_KEYS} active keys; revoke one first`);
      return tx.apiKey.create({
        data: {
          partnerId,
          name: input.name,
          scopes: [...input.scopes],
          prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
          keyHash: sha256(secret),
        },
      });
    });
    return { apiKey, secret };
  }

  list(partnerId: string): Promise<ApiKeyRow[]> {
    return this.db.apiKey.findMany({
      where: { partnerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: 100,
    });
  }

  async revoke(partnerId: string, id: string): Promise<ApiKeyRow> {
    const key = await this.db.apiKey.findFirst({ where: { id, partnerId } });
    if (!key) throw notFound('ApiKey', id);
    if (key.revokedAt) return key;
    const revoked = await this.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await this.revocations.apiKeyRevoked(partnerId, id, revoked.revokedAt ?? new Date());
    return revoked;
  }

  /** The gateway's exchange: a valid, unrevoked key of an account that is still a PARTNER → a partner JWT; else null. */
  async exchange(secret: string): Promise<ApiKeyToken | null> {
    const key = await this.db.apiKey.findUnique({
      where: { keyHash: sha256(secret) },
      include: { partner: { select: { roles: true } } },
    });
    if (!key || key.revokedAt || !key.partner.roles.includes('PARTNER')) return null;
    const now = Date.now();
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
    }
    const issued = await this.tokens.issue(
      { userId: key.partnerId, roles: ['PARTNER'], scopes: key.scopes, apiKeyId: key.id },
      this.tokenTtlSeconds,
    );
    return { accessToken: issued.token, expiresIn: issued.expiresIn, keyId: key.id, partnerId: key.partnerId };
  }
}
