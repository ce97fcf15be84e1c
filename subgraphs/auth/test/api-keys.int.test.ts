import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { seedAuth } from '../src/seed.ts';
import { bearer, codeOf, LOGIN, register, startHarness, type AuthPayload, type Harness } from './harness.ts';

const GATEWAY_SECRET = 'test-gateway-secret-0123456789';
let h: Harness;
let partner: AuthPayload;

beforeAll(async () => {
  h = await startHarness({ GATEWAY_SECRET });
  await seedAuth(h.db);
  partner = (
    await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email: demo.users.partner.email, password: demo.password } })
  ).body.data!.login;
});
afterAll(async () => {
  await h?.close();
});

const CREATE =
  'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id name prefix scopes lastUsedAt revokedAt } } }';
const exchange = (apiKey: unknown, secret: string | null = GATEWAY_SECRET) =>
  fetch(`${h.url}/internal/api-key-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-gateway-secret': secret } : {}) },
    body: JSON.stringify({ apiKey }),
  });

describe('partner API keys', () => {
  it('creates a key shown once, exchanges it at the gateway route for a scoped partner JWT, lists and revokes it', async () => {
    const created = await h.gql<{
      createApiKey: { secret: string; apiKey: { id: string; prefix: string; scopes: string[] } };
    }>(
      CREATE,
      { i: { name: ' Bistro POS ', scopes: ['farms:read', 'plots:read', 'farms:read'] } },
      bearer(partner.accessToken),
    );
    expect(created.body.errors).toBeUndefined();
    const { secret, apiKey } = created.body.data!.createApiKey;
    expect(secret).toMatch(/^vsk_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.scopes).toEqual(['farms:read', 'plots:read']);
    expect(JSON.stringify(await h.db.apiKey.findMany())).not.toContain(secret);

    const res = await exchange(secret);
    expect(res.status).toBe(200);
    const token = (await res.json()) as { accessToken: string; expiresIn: number; keyId: string; partnerId: string };
    expect(token).toMatchObject({ expiresIn: 300, keyId: apiKey.id, partnerId: demo.users.partner.id });
    const verifier = createJwtVerifier({
      keys: new URL(`${h.url}/.well-known/jwks.json`),
      issuer: 'https://auth.vegshare.local',
      audience: 'vegshare-api',
    });
    expect(await verifier.verify(token.accessToken)).toEqual({
      userId: demo.users.partner.id,
      roles: ['PARTNER'],
      sessionId: null,
      scopes: ['farms:read', 'plots:read'],
      apiKeyId: apiKey.id,
      tokenId: expect.any(String),
      issuedAt: expect.any(Number),
    });

    const list = await h.gql<{ myApiKeys: { id: string; name: string; lastUsedAt: string | null }[] }>(
      '{ myApiKeys { id name lastUsedAt } }',
      {},
      bearer(partner.accessToken),
    );
    expect(list.body.data?.myApiKeys[0]).toMatchObject({ id: apiKey.id, name: 'Bistro POS' });
    expect(list.body.data?.myApiKeys[0]?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(secret);

    // A partner token from a key cannot manage keys: mutations declare no scope a key could hold (and it has no session).
    expect(codeOf(await h.gql(CREATE, { i: { name: 'x', scopes: ['farms:read'] } }, bearer(token.accessToken)))).toBe(
      'FORBIDDEN',
    );

    const revoked = await h.gql<{ revokeApiKey: { revokedAt: string | null } }>(
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: apiKey.id },
      bearer(partner.accessToken),
    );
    expect(revoked.body.data?.revokeApiKey.revokedAt).not.toBeNull();
    expect((await exchange(secret)).status).toBe(401);
  });

  it('refuses the exchange without the gateway secret, and unknown or malformed keys', async () => {
    const { secret } = (
      await h.gql<{ createApiKey: { secret: string } }>(
        CREATE,
        { i: { name: 'k', scopes: ['streams:read'] } },
        bearer(partner.accessToken),
      )
    ).body.data!.createApiKey;
    expect((await exchange(secret, null)).status).toBe(403);
    expect((await exchange(secret, 'wrong-secret-wrong-secret')).status).toBe(403);
    expect((await exchange(`${secret.slice(0, -2)}xx`)).status).toBe(401);
    expect((await exchange('not a key')).status).toBe(401);
    expect((await exchange(42)).status).toBe(401);
    const raw = await fetch(`${h.url}/internal/api-key-token`, {
      method: 'POST',
      headers: { 'x-gateway-secret': GATEWAY_SECRET },
      body: '{nope',
    });
    expect(raw.status).toBe(400);
  });

  it('allows only partners to manage keys and only their own', async () => {
    const customer = await register(h);
    expect(
      codeOf(await h.gql(CREATE, { i: { name: 'k', scopes: ['farms:read'] } }, bearer(customer.accessToken))),
    ).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ myApiKeys { id } }', {}, bearer(customer.accessToken)))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(CREATE, { i: { name: 'k', scopes: ['admin:all'] } }, bearer(partner.accessToken)))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await h.gql(CREATE, { i: { name: 'k', scopes: [] } }, bearer(partner.accessToken)))).toBe(
      'BAD_USER_INPUT',
    );
    // Another partner cannot revoke this partner's key.
    const { apiKey } = (
      await h.gql<{ createApiKey: { apiKey: { id: string } } }>(
        CREATE,
        { i: { name: 'mine', scopes: ['farms:read'] } },
        bearer(partner.accessToken),
      )
    ).body.data!.createApiKey;
    const other = await register(h);
    await h.db.user.update({ where: { id: other.user.id }, data: { roles: ['PARTNER'] } });
    const otherToken = (
      await h.gql<{ refreshSession: AuthPayload }>(
        'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        { t: other.refreshToken },
      )
    ).body.data!.refreshSession.accessToken;
    expect(
      codeOf(await h.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id }, bearer(otherToken))),
    ).toBe('NOT_FOUND');
  });

  it('keeps the JWKS and dev mailbox public while GraphQL requires the gateway secret', async () => {
    expect((await fetch(`${h.url}/.well-known/jwks.json`)).status).toBe(200);
    expect((await fetch(`${h.url}/dev/mailbox?email=a@b.c`)).status).toBe(200);
    const res = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(403);
  });
});
