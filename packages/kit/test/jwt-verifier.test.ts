import { describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair, type JWTVerifyGetKey } from 'jose';
import { createJwtVerifier } from '../src/auth.ts';

const ISSUER = 'https://auth.test';
const AUDIENCE = 'vegshare-test';

async function keys() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  let lookups = 0;
  // The real public key, with a count of how often verification needed it (once per signature check).
  const getKey: JWTVerifyGetKey = async () => {
    lookups += 1;
    return publicKey;
  };
  const sign = (sub: string, expiresIn: string | number = '15m') =>
    new SignJWT({ roles: ['CUSTOMER'], sid: 's1', scope: 'farms:read' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { getKey, sign, lookups: () => lookups };
}

describe('JWT verifier cache', () => {
  it('checks the signature of a token once, then answers from memory with the same viewer', async () => {
    const k = await keys();
    const verifier = createJwtVerifier({ keys: k.getKey, issuer: ISSUER, audience: AUDIENCE });
    const token = await k.sign('u1');
    const first = await verifier.verify(token);
    for (let i = 0; i < 5; i += 1) expect(await verifier.verify(token)).toBe(first);
    expect(first).toEqual({
      userId: 'u1',
      roles: ['CUSTOMER'],
      sessionId: 's1',
      scopes: ['farms:read'],
      apiKeyId: null,
      tokenId: null,
      issuedAt: expect.any(Number),
    });
    expect(k.lookups()).toBe(1);
    // Another token is checked on its own.
    await verifier.verify(await k.sign('u2'));
    expect(k.lookups()).toBe(2);
  });

  it('refuses a remembered token once it has expired', async () => {
    const k = await keys();
    const verifier = createJwtVerifier({ keys: k.getKey, issuer: ISSUER, audience: AUDIENCE, cacheMs: 60_000 });
    // Two to three seconds of life: `exp` is in whole seconds, and one second left too little room on a busy machine
    // (signing could cross the boundary, so the first check already found the token expired).
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const token = await k.sign('u1', expiresAt);
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: 'u1' });
    await new Promise((r) => setTimeout(r, expiresAt * 1000 - Date.now() + 100));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('never remembers a refusal, and a viewer cannot be altered through the cache', async () => {
    const k = await keys();
    const verifier = createJwtVerifier({ keys: k.getKey, issuer: ISSUER, audience: AUDIENCE });
    const token = await k.sign('u1');
    const tampered = `${token.slice(0, -4)}AAAA`;
    for (let i = 0; i < 3; i += 1)
      await expect(verifier.verify(tampered)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(k.lookups()).toBe(3);
    const viewer = await verifier.verify(token);
    expect(() => (viewer.roles as string[]).push('ADMIN')).toThrow();
    expect((await verifier.verify(token)).roles).toEqual(['CUSTOMER']);
  });

  it('checks every time with cacheMs 0', async () => {
    const k = await keys();
    const verifier = createJwtVerifier({ keys: k.getKey, issuer: ISSUER, audience: AUDIENCE, cacheMs: 0 });
    const token = await k.sign('u1');
    await verifier.verify(token);
    await verifier.verify(token);
    expect(k.lookups()).toBe(2);
  });
});
