import { importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { badInput, conflict, notFound } from '@vegshare/kit';
import type { AuthDb } from '../db.ts';
import type { OAuthClient as ClientRow, Prisma } from '../generated/prisma/client.ts';
import type { AccessRevocations } from './revocations.ts';
import { randomSecret, sha256 } from './secrets.ts';

const CLIENT_ID_PREFIX = 'vsc_';
const CLIENT_SECRET_PREFIX = 'vss_';
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
/** Algorithms a client may sign its assertions with (private_key_jwt); never HMAC or `none`. */
export const ASSERTION_ALGORITHMS = ['EdDSA', 'ES256', 'PS256', 'RS256'] as const;
const MAX_ACTIVE_CLIENTS = 20;
const MAX_KEYS = 5;
const MAX_JWKS_BYTES = 8192;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export interface CreatedOAuthClientResult {
  readonly client: ClientRow;
  /** The secret (client_secret_basic/post), shown once; null for private_key_jwt clients. */
  readonly clientSecret: string | null;
}

/** The algorithm a public key verifies, as jose needs it to import the key. */
function algorithmOf(jwk: JWK): (typeof ASSERTION_ALGORITHMS)[number] | null {
  if (typeof jwk.alg === 'string')
    return (ASSERTION_ALGORITHMS as readonly string[]).includes(jwk.alg)
      ? (jwk.alg as (typeof ASSERTION_ALGORITHMS)[number])
      : null;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  return null;
}

/** Checks a client's JWK Set: public EdDSA/ES256/RSA signing keys only, at most five, each importable. */
export async function parseClientJwks(raw: string, field: string): Promise<JSONWebKeySet> {
  if (Buffer.byteLength(raw, 'utf8') > MAX_JWKS_BYTES)
    throw badInput(`The JWK Set must be at most ${MAX_JWKS_BYTES} bytes`, field);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badInput('Expected a JWK Set: {"keys": [...]}', field);
  }
  const keys = typeof parsed === 'object' && parsed !== null ? (parsed as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS)
    throw badInput(`Expected a JWK Set with 1 to ${MAX_KEYS} keys`, field);
  const clean: JWK[] = [];
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null) throw badInput('Every key must be a JWK object', field);
    const jwk = key as JWK;
    if (PRIVATE_MEMBERS.some((m) => m in jwk))
      throw badInput('Register public keys only (a private or symmetric key was sent)', field);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw badInput('Keys must be signing keys (use "sig")', field);
    const alg = algorithmOf(jwk);
    if (!alg)
      throw badInput(`Keys must be Ed25519, P-256 or RSA with alg among ${ASSERTION_ALGORITHMS.join(', ')}`, field);
    try {
      await importJWK({ ...jwk, alg }, alg);
    } catch {
      throw badInput('A key could not be read', field);
    }
    clean.push({ ...jwk, alg });
  }
  return { keys: clean };
}

/** Partner OAuth2 clients for the client_credentials grant: created by the partner (or an admin for them), revocable. */
export class OAuthClients {
  constructor(
    private readonly db: AuthDb,
    private readonly revocations: AccessRevocations,
  ) {}

  async create(
    partnerId: string,
    input: { name: string; scopes: readonly string[]; authMethod: ClientAuthMethod; jwks: JSONWebKeySet | null },
  ): Promise<CreatedOAuthClientResult> {
    const usesKeys = input.authMethod === 'private_key_jwt';
    if (usesKeys !== (input.jwks !== null))
      throw badInput(
        usesKeys
          ? 'private_key_jwt clients register their public keys (jwks)'
          : 'Only private_key_jwt clients register keys',
        'input.jwks',
      );
    const clientSecret = usesKeys ? null : randomSecret(CLIENT_SECRET_PREFIX);
    const client = await this.db.$transaction(async (tx) => {
      // One registration per partner at a time, so concurrent calls cannot all pass the count.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`oauth-clients:${partnerId}`}, 0))`;
      const active = await tx.oAuthClient.count({ where: { partnerId, revokedAt: null } });
      if (active >= MAX_ACTIVE_CLIENTS)
        throw conflict(`A partner may hold at most ${MAX_ACTIVE_CLIENTS} active OAuth clients; revoke one first`);
      return tx.oAuthClient.create({
        data: {
          clientId: randomSecret(CLIENT_ID_PREFIX).slice(0, CLIENT_ID_PREFIX.length + 24),
          partnerId,
          name: input.name,
          scopes: [...input.scopes],
          authMethod: input.authMethod,
          secretHash: clientSecret ? sha256(clientSecret) : null,
          ...(input.jwks ? { jwks: input.jwks as unknown as Prisma.InputJsonValue } : {}),
        },
      });
    });
    return { client, clientSecret };
  }

  list(partnerId: string): Promise<ClientRow[]> {
    return this.db.oAuthClient.findMany({
      where: { partnerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: 100,
    });
  }

  /**
   * Revokes a client (its owner, or an admin with `anyPartner`): it can no longer obtain, introspect or revoke tokens,
   * and the tokens it already holds are refused everywhere within a second — published like a revoked API key, since
   * its tokens carry the client's id as `akid` (and the catch-up feed reports it from `revoked_at`).
   */
  async revoke(callerId: string, id: string, anyPartner: boolean): Promise<ClientRow> {
    const client = await this.db.oAuthClient.findFirst({ where: anyPartner ? { id } : { id, partnerId: callerId } });
    if (!client) throw notFound('OAuthClient', id);
    if (client.revokedAt) return client;
    const revoked = await this.db.oAuthClient.update({ where: { id }, data: { revokedAt: new Date() } });
    await this.revocations.apiKeyRevoked(revoked.partnerId, revoked.id, revoked.revokedAt ?? new Date());
    return revoked;
  }

  /** An active client of an account that is still a PARTNER, by its public client_id. */
  async active(clientId: string): Promise<ClientRow | null> {
    if (!clientId.startsWith(CLIENT_ID_PREFIX) || clientId.length > 64) return null;
    const client = await this.db.oAuthClient.findUnique({
      where: { clientId },
      include: { partner: { select: { roles: true } } },
    });
    if (!client || client.revokedAt || !client.partner.roles.includes('PARTNER')) return null;
    const { partner: _partner, ...row } = client;
    return row;
  }
}
