import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import {
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { AuthDb } from '../../db.ts';
import type { SigningKey } from '../../generated/prisma/client.ts';
import { KeyEncryption } from './key-encryption.ts';

export const SIGNING_ALG = 'EdDSA';
/** Extra time a retired key stays in the JWKS after its last token expired (clock skew, caches). */
const PUBLISH_MARGIN_MS = 5 * 60_000;
/** How long a replica trusts its cached view of the keys; rotation by another process is seen within this. */
const CACHE_MS = 30_000;
/** Shortest interval between reloads caused by an unknown kid. */
const MISS_RELOAD_MS = 1_000;

interface PublishedKey {
  readonly kid: string;
  readonly jwk: JWK;
  readonly key: CryptoKey;
}

export interface Signer {
  readonly kid: string;
  /** The Ed25519 private key as node:crypto holds it, imported once per key (see AccessTokenIssuer). */
  readonly key: KeyObject;
}

interface Snapshot {
  readonly loadedAt: number;
  readonly published: ReadonlyMap<string, PublishedKey>;
  readonly signerRow: SigningKey | null;
}

/**
 * Ed25519 signing keys kept in Postgres (private halves encrypted). The newest unretired key signs; every key
 * whose tokens may still be alive is published in the JWKS, so rotation never invalidates issued tokens.
 */
export class SigningKeyStore {
  readonly #encryption: KeyEncryption;
  #snapshot: Snapshot | null = null;
  #loading: Promise<Snapshot> | null = null;
  #signer: Signer | null = null;

  constructor(
    private readonly db: AuthDb,
    encryptionSecret: string,
    /** Longest lifetime of a token this service signs, in seconds. */
    private readonly maxTokenTtlSeconds: number,
  ) {
    this.#encryption = new KeyEncryption(encryptionSecret);
  }

  /** Creates the first key when there is none (start-up); safe when several replicas start at once. */
  async ensureKey(): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('vegshare-auth-signing-key'))`;
      const active = await tx.signingKey.count({ where: { retiredAt: null } });
      if (active === 0) await tx.signingKey.create({ data: await this.#newKeyRow() });
    });
    this.#snapshot = null;
  }

  /**
   * Adds a new signing key and retires the previous ones: they stop signing now and stay published until every
   * token they signed has expired. Deletes keys past that point.
   */
  async rotate(now = new Date()): Promise<{ kid: string; retired: string[]; deleted: number }> {
    const result = await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('vegshare-auth-signing-key'))`;
      const previous = await tx.signingKey.findMany({ where: { retiredAt: null }, select: { kid: true } });
      const expiresAt = new Date(now.getTime() + this.maxTokenTtlSeconds * 1000 + PUBLISH_MARGIN_MS);
      await tx.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now, expiresAt } });
      const row = await tx.signingKey.create({ data: await this.#newKeyRow(now) });
      const deleted = await tx.signingKey.deleteMany({ where: { expiresAt: { lt: now } } });
      return { kid: row.kid, retired: previous.map((p) => p.kid), deleted: deleted.count };
    });
    this.#snapshot = null;
    return result;
  }

  async #newKeyRow(now = new Date()) {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
    const kid = `${now.toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    return {
      kid,
      alg: SIGNING_ALG,
      publicJwk,
      privateKeyEncrypted: this.#encryption.encrypt(await exportPKCS8(privateKey), kid),
      createdAt: now,
    };
  }

  async #load(): Promise<Snapshot> {
    const now = new Date();
    const rows = await this.db.signingKey.findMany({
      where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      orderBy: { createdAt: 'desc' },
    });
    const published = new Map<string, PublishedKey>();
    for (const row of rows) {
      const jwk = row.publicJwk as JWK;
      published.set(row.kid, { kid: row.kid, jwk, key: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey });
    }
    return { loadedAt: Date.now(), published, signerRow: rows.find((r) => r.retiredAt === null) ?? null };
  }

  async #current(maxAgeMs = CACHE_MS): Promise<Snapshot> {
    if (this.#snapshot && Date.now() - this.#snapshot.loadedAt < maxAgeMs) return this.#snapshot;
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    this.#snapshot = await this.#loading;
    return this.#snapshot;
  }

  /** The key that signs new tokens. */
  async signer(): Promise<Signer> {
    const snapshot = await this.#current();
    const row = snapshot.signerRow;
    if (!row) throw new Error('no active signing key (run keys:rotate or restart the auth service)');
    if (this.#signer?.kid !== row.kid) {
      const pem = this.#encryption.decrypt(row.privateKeyEncrypted, row.kid);
      this.#signer = { kid: row.kid, key: createPrivateKey(pem) };
    }
    return this.#signer;
  }

  /** The public JWKS document served at /.well-known/jwks.json. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [...(await this.#current()).published.values()].map((k) => k.jwk) };
  }

  /** Key resolver for jose's jwtVerify: pinned to EdDSA, reloads once on an unknown kid (a rotation elsewhere). */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string') throw new Error('unexpected token header');
    let found = (await this.#current()).published.get(header.kid);
    if (!found) found = (await this.#current(MISS_RELOAD_MS)).published.get(header.kid);
    if (!found) throw new Error('unknown kid');
    return found.key;
  };
}
