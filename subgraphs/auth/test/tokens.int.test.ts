import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, SignJWT, UnsecuredJWT, base64url, type JWK } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { createJwtVerifier, type TokenVerifier } from '@vegshare/kit';
import { SigningKeyStore } from '../src/domain/keys/key-store.ts';
import { argon2idHasher } from '../src/domain/passwords/hasher.ts';
import { AccessTokenIssuer } from '../src/domain/tokens/access-tokens.ts';
import { DEV_KEY_ENCRYPTION_SECRET } from '../src/env.ts';
import { bearer, codeOf, GOOD_PASSWORD, register, startHarness, type Harness } from './harness.ts';

const ISSUER = 'https://auth.vegshare.local';
const AUDIENCE = 'vegshare-api';

let h: Harness;
let verifier: TokenVerifier;
let jwksUrl: URL;

beforeAll(async () => {
  h = await startHarness();
  jwksUrl = new URL(`${h.url}/.well-known/jwks.json`);
  verifier = createJwtVerifier({ keys: jwksUrl, issuer: ISSUER, audience: AUDIENCE });
});
afterAll(async () => {
  await h?.close();
});

const rejects = (token: string) =>
  expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
const decode = (token: string) => {
  const [header, payload] = token.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(header!), payload: json(payload!) };
};

describe('access tokens', () => {
  it('are EdDSA JWTs with kid, iss, aud, sub, sid, roles and a 15-minute lifetime', async () => {
    const auth = await register(h);
    const { header, payload } = decode(auth.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header['kid']);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: auth.user.id,
      sid: auth.session.id,
      roles: ['CUSTOMER'],
    });
    expect((payload['exp'] as number) - (payload['iat'] as number)).toBe(900);
    await expect(verifier.verify(auth.accessToken)).resolves.toMatchObject({ userId: auth.user.id });
  });

  it('are signed at once, not queued behind the password hashes that fill the thread pool during a sign-in storm', async () => {
    const store = new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900);
    const issuer = new AccessTokenIssuer(store, ISSUER, AUDIENCE);
    await issuer.issue({ userId: randomUUID(), roles: ['CUSTOMER'] }, 60); // keys loaded
    const hasher = argon2idHasher();
    const stored = await hasher.hash(GOOD_PASSWORD);
    const finished: string[] = [];
    // More verifications than libuv has threads: the pool is busy and has a queue when the token is issued.
    const verifications = Array.from({ length: 16 }, () =>
      hasher.verify(stored, GOOD_PASSWORD).then(() => finished.push('hash')),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const subject = { userId: randomUUID(), roles: ['CUSTOMER' as const], sessionId: randomUUID() };
    const issued = issuer.issue(subject, 60).then((token) => {
      finished.push('token');
      return token;
    });
    await Promise.all(verifications);
    const { token } = await issued;
    // WebCrypto's Ed25519 signing is a thread-pool job: it finished only after hashes queued before it.
    expect(finished[0]).toBe('token');
    await expect(verifier.verify(token)).resolves.toMatchObject({
      userId: subject.userId,
      sessionId: subject.sessionId,
    });
  });

  it('rejects alg none, HS256 signed with the public key, unknown kid, wrong key, wrong audience or issuer, expired and tampered tokens', async () => {
    const auth = await register(h);
    const { header, payload } = decode(auth.accessToken);
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    const publicJwk = jwks.keys.find((k) => k.kid === header['kid'])!;

    // alg: none
    await rejects(new UnsecuredJWT(payload).encode());
    await rejects(
      `${base64url.encode(JSON.stringify({ alg: 'none', kid: header['kid'] }))}.${auth.accessToken.split('.')[1]}.`,
    );
    // HS256 with the public key as the HMAC secret (algorithm confusion)
    const hsHeader = base64url.encode(JSON.stringify({ alg: 'HS256', kid: header['kid'], typ: 'JWT' }));
    const body = auth.accessToken.split('.')[1]!;
    for (const secret of [JSON.stringify(publicJwk), publicJwk.x!, Buffer.from(publicJwk.x!, 'base64url')]) {
      const sig = createHmac('sha256', secret).update(`${hsHeader}.${body}`).digest('base64url');
      await rejects(`${hsHeader}.${body}.${sig}`);
    }
    // A key of our own: unknown kid, and the real kid with the wrong key
    const rogue = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forge = (kid: string, claims: Record<string, unknown> = payload, exp = '10m') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).setExpirationTime(exp).sign(rogue.privateKey);
    await rejects(await forge('no-such-kid'));
    await rejects(await forge(header['kid'] as string));
    // Tampered payload with the original signature (roles elevated)
    const [h64, , s64] = auth.accessToken.split('.');
    await rejects(`${h64}.${base64url.encode(JSON.stringify({ ...payload, roles: ['ADMIN'] }))}.${s64}`);
    // Signed by the real key but for another audience / issuer, or expired: sign through the service's own key store.
    const store = new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900);
    const { kid, key } = await store.signer();
    const sign = (claims: Record<string, unknown>, iat: number, exp: number) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).setIssuedAt(iat).setExpirationTime(exp).sign(key);
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: ISSUER, aud: AUDIENCE, sub: auth.user.id, roles: ['CUSTOMER'] };
    await expect(verifier.verify(await sign(good, now, now + 60))).resolves.toMatchObject({ userId: auth.user.id });
    await rejects(await sign({ ...good, aud: 'another-api' }, now, now + 60));
    await rejects(await sign({ ...good, iss: 'https://evil.example' }, now, now + 60));
    await rejects(await sign(good, now - 1000, now - 100));
    // The service itself refuses them too
    expect(codeOf(await h.gql('{ me { id } }', {}, bearer(await forge(header['kid'] as string))))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(await h.gql('{ me { id } }', {}, bearer(await sign(good, now - 1000, now - 100))))).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('signing keys', () => {
  it('stores private keys encrypted and refuses to decrypt them with another secret', async () => {
    const rows = await h.db.signingKey.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.privateKeyEncrypted).toMatch(/^v1\./);
      expect(row.privateKeyEncrypted).not.toContain('PRIVATE KEY');
      expect(row.publicJwk).not.toHaveProperty('d');
    }
    const wrong = new SigningKeyStore(h.db, 'another-secret-of-enough-length', 900);
    await expect(wrong.signer()).rejects.toThrow();
  });

  it('rotates with overlap: old tokens keep verifying, new tokens use the new kid, expired keys leave the JWKS', async () => {
    const before = await register(h);
    const oldKid = decode(before.accessToken).header['kid'];
    const store = new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900);
    const rotated = await store.rotate();
    expect(rotated.retired).toContain(oldKid);
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    // The service caches keys for up to 30 s; the published set includes the new key once reloaded, the old one meanwhile.
    expect(jwks.keys.map((k) => k.kid)).toContain(oldKid);
    // A fresh verifier (as in another replica) accepts the old token.
    const fresh = createJwtVerifier({ keys: jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    await expect(fresh.verify(before.accessToken)).resolves.toMatchObject({ userId: before.user.id });
    // The service's own store, seen by a new process, signs with the new key and publishes both.
    const replica = new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900);
    expect((await replica.signer()).kid).toBe(rotated.kid);
    expect((await replica.jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());
    // Once past its publication window, a later rotation deletes the old key.
    await h.db.signingKey.update({
      where: { kid: oldKid as string },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const next = await new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900).rotate();
    expect(next.deleted).toBe(1);
    const later = new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900);
    expect((await later.jwks()).keys.map((k) => k.kid).sort()).toEqual([rotated.kid, next.kid].sort());
  });

  it('creates exactly one key when several replicas start at once', async () => {
    await h.db.signingKey.deleteMany();
    const stores = Array.from({ length: 4 }, () => new SigningKeyStore(h.db, DEV_KEY_ENCRYPTION_SECRET, 900));
    await Promise.all(stores.map((s) => s.ensureKey()));
    expect(await h.db.signingKey.count({ where: { retiredAt: null } })).toBe(1);
  });
});

describe('keys:rotate command', () => {
  it('rotates the signing key of the configured database', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const before = await h.db.signingKey.findMany({ where: { retiredAt: null } });
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/keys-rotate.ts'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: h.database.url, NODE_ENV: 'test' },
    });
    expect(stdout).toMatch(/^signing key \S+ active; retired /);
    const after = await h.db.signingKey.findMany({ where: { retiredAt: null } });
    expect(after).toHaveLength(1);
    expect(after[0]?.kid).not.toBe(before[0]?.kid);
  });
});
