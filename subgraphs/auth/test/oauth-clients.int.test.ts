// Partner OAuth 2.0 clients, exercised the way a partner's developer would: with openid-client (a certified relying
// party library) doing discovery, the client_credentials grant, introspection and revocation against our endpoints.
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createJwtVerifier, topics, type AccessRevoked } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { seedAuth } from '../src/seed.ts';
import { bearer, codeOf, LOGIN, register, startHarness, type AuthPayload, type Harness } from './harness.ts';

const CREATE = `mutation($i: CreateOAuthClientInput!) {
  createOAuthClient(input: $i) { clientSecret client { id clientId name scopes authMethod createdAt lastUsedAt revokedAt } }
}`;
const REVOKE = 'mutation($id: ID!) { revokeOAuthClient(id: $id) { revokedAt } }';

interface Created {
  clientSecret: string | null;
  client: {
    id: string;
    clientId: string;
    name: string;
    scopes: string[];
    authMethod: string;
    lastUsedAt: string | null;
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let h: Harness;
let url: string;
let partner: AuthPayload;
let admin: AuthPayload;
const login = async (email: string) =>
  (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email, password: demo.password } })).body.data!.login;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Our issuer is the public URL partners use, so standard discovery (which checks the issuer) works.
  h = await startHarness({ PORT: String(port), PUBLIC_API_URL: url, JWT_ISSUER: url });
  await seedAuth(h.db);
  partner = await login(demo.users.partner.email);
  admin = await login(demo.users.admin.email);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function createClient(input: Record<string, unknown>, token = partner.accessToken): Promise<Created> {
  const res = await h.gql<{ createOAuthClient: Created }>(
    CREATE,
    { i: { name: 'Bistro sync', scopes: ['farms:read', 'plots:read'], authMethod: 'CLIENT_SECRET_BASIC', ...input } },
    bearer(token),
  );
  if (!res.body.data?.createOAuthClient) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.createOAuthClient;
}

// Behind the gateway in production: the partner's requests reach auth with the gateway secret, as the gateway forwards them.
const insecure = () => ({
  execute: [oidc.allowInsecureRequests],
  [oidc.customFetch]: (u: string, o: oidc.CustomFetchOptions) => h.fetch(u, o as RequestInit),
});
const discover = (clientId: string, auth: oidc.ClientAuth) =>
  oidc.discovery(new URL(url), clientId, undefined, auth, insecure());

/** A raw token request, to look at statuses and headers openid-client hides. */
const tokenRequest = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  h.fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });
const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return error.error;
    throw error;
  }
  throw new Error('expected an OAuth error');
}

describe('partner OAuth clients', () => {
  it('publishes metadata; client_secret_basic gets short-lived tokens carrying scopes like an API key token', async () => {
    const metadata = (await (await h.fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({
      issuer: url,
      token_endpoint: `${url}/oauth/token`,
      introspection_endpoint: `${url}/oauth/introspect`,
      revocation_endpoint: `${url}/oauth/revoke`,
      jwks_uri: `${url}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    });
    expect(await (await h.fetch(`${url}/.well-known/oauth-authorization-server`)).json()).toEqual(metadata);

    const { client, clientSecret } = await createClient({});
    expect(client).toMatchObject({
      authMethod: 'CLIENT_SECRET_BASIC',
      scopes: ['farms:read', 'plots:read'],
      lastUsedAt: null,
    });
    expect(client.clientId).toMatch(/^vsc_/);
    expect(clientSecret).toMatch(/^vss_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await h.db.oAuthClient.findMany())).not.toContain(clientSecret);

    const config = await discover(client.clientId, oidc.ClientSecretBasic(clientSecret ?? ''));
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'farms:read plots:read' });
    // The same token format as every sign-in: verified against the JWKS like any token, carrying the scopes.
    const verifier = createJwtVerifier({
      keys: new URL(`${url}/.well-known/jwks.json`),
      issuer: url,
      audience: 'vegshare-api',
    });
    expect(await verifier.verify(tokens.access_token)).toMatchObject({
      userId: demo.users.partner.id,
      roles: ['PARTNER'],
      sessionId: null,
      scopes: ['farms:read', 'plots:read'],
    });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      client_id: client.clientId,
      akid: client.id,
      scope: 'farms:read plots:read',
      sub: demo.users.partner.id,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);

    // A narrower scope on request; never a wider one.
    expect((await oidc.clientCredentialsGrant(config, { scope: 'farms:read' })).scope).toBe('farms:read');
    expect(await oauthError(oidc.clientCredentialsGrant(config, { scope: 'farms:read rentals:write' }))).toBe(
      'invalid_scope',
    );

    // The token is an integration's: it cannot manage clients (mutations without a scope are closed to partner tokens).
    const manage = await h.gql(
      CREATE,
      { i: { name: 'x', scopes: ['farms:read'], authMethod: 'CLIENT_SECRET_POST' } },
      bearer(tokens.access_token),
    );
    expect(manage.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' });
    const listed = await h.gql<{ myOAuthClients: { id: string; lastUsedAt: string | null }[] }>(
      '{ myOAuthClients { id lastUsedAt } }',
      {},
      bearer(partner.accessToken),
    );
    expect(listed.body.data?.myOAuthClients.find((c) => c.id === client.id)?.lastUsedAt).not.toBeNull();
  });

  it('client_secret_post; wrong secrets, methods and parameters; revoked clients', async () => {
    const { client, clientSecret } = await createClient({ authMethod: 'CLIENT_SECRET_POST', scopes: ['crops:read'] });
    const secret = clientSecret ?? '';
    const config = await discover(client.clientId, oidc.ClientSecretPost(secret));
    expect((await oidc.clientCredentialsGrant(config)).scope).toBe('crops:read');

    const wrong = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: `${secret}x`,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers.get('cache-control')).toBe('no-store');
    // Registered for the body: Basic with the right secret is refused, and says so in WWW-Authenticate.
    const viaBasic = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, secret));
    expect([viaBasic.status, viaBasic.headers.get('www-authenticate')]).toEqual([
      401,
      'Basic realm="vegshare", charset="UTF-8"',
    ]);
    const both = await tokenRequest(
      { grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret },
      basic(client.clientId, secret),
    );
    expect([both.status, ((await both.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
    const code = await tokenRequest({
      grant_type: 'authorization_code',
      code: 'x',
      client_id: client.clientId,
      client_secret: secret,
    });
    expect(((await code.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const repeated = await h.fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${client.clientId}&client_secret=${secret}&scope=crops:read&scope=farms:read`,
    });
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
    const json = await h.fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);

    expect((await h.gql(REVOKE, { id: client.id }, bearer(partner.accessToken))).body.errors).toBeUndefined();
    expect(await oauthError(oidc.clientCredentialsGrant(config))).toBe('invalid_client');
  });

  it('private_key_jwt: assertions signed by a registered key, for our audience, short-lived and single use', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'partner-key-1', use: 'sig' }] });
    const { client, clientSecret } = await createClient({
      authMethod: 'PRIVATE_KEY_JWT',
      scopes: ['rentals:read'],
      jwks,
    });
    expect(clientSecret).toBeNull();
    const config = await discover(client.clientId, oidc.PrivateKeyJwt({ key: privateKey, kid: 'partner-key-1' }));
    expect((await oidc.clientCredentialsGrant(config)).scope).toBe('rentals:read');

    const assertion = (key: CryptoKey, overrides: { aud?: string; exp?: number; jti?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'partner-key-1' })
        .setIssuer(client.clientId)
        .setSubject(client.clientId)
        .setAudience(overrides.aud ?? url)
        .setJti(overrides.jti ?? randomUUID())
        .setIssuedAt()
        .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 60)
        .sign(key);
    const send = async (jwt: string) =>
      (
        await tokenRequest({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: jwt,
        })
      ).status;
    const once = await assertion(privateKey);
    expect(await send(once)).toBe(200);
    expect(await send(once)).toBe(401); // replayed
    expect(await send(await assertion(privateKey, { aud: `${url}/somewhere-else` }))).toBe(401);
    expect(await send(await assertion(privateKey, { aud: `${url}/oauth/token` }))).toBe(200);
    expect(await send(await assertion(privateKey, { exp: Math.floor(Date.now() / 1000) + 3600 }))).toBe(401); // lives too long
    expect(await send(await assertion(privateKey, { exp: Math.floor(Date.now() / 1000) - 120 }))).toBe(401); // expired
    const stranger = await generateKeyPair('ES256');
    expect(await send(await assertion(stranger.privateKey))).toBe(401);

    // Registration accepts public signing keys only, and keys only for private_key_jwt.
    const bad = async (input: Record<string, unknown>) =>
      codeOf(
        await h.gql(
          CREATE,
          { i: { name: 'k', scopes: ['farms:read'], authMethod: 'PRIVATE_KEY_JWT', ...input } },
          bearer(partner.accessToken),
        ),
      );
    expect(await bad({ jwks: JSON.stringify({ keys: [await exportJWK(privateKey)] }) })).toBe('BAD_USER_INPUT');
    expect(await bad({ jwks: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }] }) })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await bad({ jwks: 'not json' })).toBe('BAD_USER_INPUT');
    expect(await bad({})).toBe('BAD_USER_INPUT');
    expect(await bad({ authMethod: 'CLIENT_SECRET_BASIC', jwks })).toBe('BAD_USER_INPUT');
  });

  it('introspection and revocation: a client learns about and revokes only its own tokens', async () => {
    const mine = await createClient({});
    const theirs = await createClient({ authMethod: 'CLIENT_SECRET_POST' });
    const config = await discover(mine.client.clientId, oidc.ClientSecretBasic(mine.clientSecret ?? ''));
    const other = await discover(theirs.client.clientId, oidc.ClientSecretPost(theirs.clientSecret ?? ''));
    const { access_token: token } = await oidc.clientCredentialsGrant(config);

    const active = await oidc.tokenIntrospection(config, token);
    expect(active).toMatchObject({
      active: true,
      scope: 'farms:read plots:read',
      client_id: mine.client.clientId,
      sub: demo.users.partner.id,
      token_type: 'Bearer',
      iss: url,
    });
    expect(await oidc.tokenIntrospection(other, token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(config, 'not-a-token')).toEqual({ active: false });
    // A user's own access token is nobody's client token.
    const user = await register(h);
    expect(await oidc.tokenIntrospection(config, user.accessToken)).toEqual({ active: false });

    // Another client's revocation changes nothing; the owner's ends the token (introspection says so).
    await oidc.tokenRevocation(other, token);
    expect((await oidc.tokenIntrospection(config, token)).active).toBe(true);
    await oidc.tokenRevocation(config, token);
    expect(await oidc.tokenIntrospection(config, token)).toEqual({ active: false });
    await oidc.tokenRevocation(config, token); // idempotent

    const unauthenticated = await h.fetch(`${url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    });
    expect(unauthenticated.status).toBe(401);
  });

  it('revoking a client or one token publishes it like a revoked API key, and the catch-up feed reports both', async () => {
    const published: AccessRevoked[] = [];
    const stop = await h.events.subscribe(topics.accessRevoked, (change) => void published.push(change));
    try {
      const { client, clientSecret } = await createClient({});
      const config = await discover(client.clientId, oidc.ClientSecretBasic(clientSecret ?? ''));
      const first = await oidc.clientCredentialsGrant(config);
      const second = await oidc.clientCredentialsGrant(config);
      const since = Date.now() - 1000;
      // Tokens name the client as API-key tokens name their key (akid), so one revocation mechanism covers both.
      expect(decodeJwt(first.access_token)).toMatchObject({
        akid: client.id,
        client_id: client.clientId,
        sub: demo.users.partner.id,
      });

      await oidc.tokenRevocation(config, first.access_token);
      const jti = decodeJwt(first.access_token).jti as string;
      await expect
        .poll(() => published.filter((c) => c.kind === 'TOKEN_REVOKED'))
        .toEqual([{ kind: 'TOKEN_REVOKED', userId: demo.users.partner.id, tokenId: jti, at: expect.any(Number) }]);
      // Only the token revoked: the client's other token is not in any revocation.
      expect(JSON.stringify(published)).not.toContain(decodeJwt(second.access_token).jti as string);

      expect((await h.gql(REVOKE, { id: client.id }, bearer(partner.accessToken))).body.errors).toBeUndefined();
      await expect
        .poll(() => published.filter((c) => c.kind === 'API_KEY_REVOKED'))
        .toEqual([
          { kind: 'API_KEY_REVOKED', userId: demo.users.partner.id, apiKeyId: client.id, at: expect.any(Number) },
        ]);

      // The catch-up feed (what every service reads when events were lost) tells the same from the tables.
      const feed = await h.fetch(`/internal/revocations?since=${since}`);
      const { changes } = (await feed.json()) as { changes: AccessRevoked[] };
      expect(changes).toEqual(
        expect.arrayContaining([
          { kind: 'TOKEN_REVOKED', userId: demo.users.partner.id, tokenId: jti, at: expect.any(Number) },
          { kind: 'API_KEY_REVOKED', userId: demo.users.partner.id, apiKeyId: client.id, at: expect.any(Number) },
        ]),
      );
      // Without the gateway secret the feed answers nobody.
      expect((await fetch(`${url}/internal/revocations?since=${since}`)).status).toBe(403);
    } finally {
      await stop();
    }
  });

  it('admins register clients for partners only; customers cannot register any', async () => {
    const created = await createClient({ partnerId: demo.users.partner.id }, admin.accessToken);
    expect((await h.db.oAuthClient.findUniqueOrThrow({ where: { id: created.client.id } })).partnerId).toBe(
      demo.users.partner.id,
    );
    expect(
      codeOf(
        await h.gql(
          CREATE,
          {
            i: {
              name: 'x',
              scopes: ['farms:read'],
              authMethod: 'CLIENT_SECRET_BASIC',
              partnerId: demo.users.customer.id,
            },
          },
          bearer(admin.accessToken),
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await h.gql(
          CREATE,
          { i: { name: 'x', scopes: ['farms:read'], authMethod: 'CLIENT_SECRET_BASIC' } },
          bearer(admin.accessToken),
        ),
      ),
    ).toBe('FORBIDDEN');
    const customer = await register(h);
    expect(
      codeOf(
        await h.gql(
          CREATE,
          { i: { name: 'x', scopes: ['farms:read'], authMethod: 'CLIENT_SECRET_BASIC' } },
          bearer(customer.accessToken),
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await h.gql(
          CREATE,
          {
            i: {
              name: 'x',
              scopes: ['farms:read'],
              authMethod: 'CLIENT_SECRET_BASIC',
              partnerId: demo.users.partner.id,
            },
          },
          bearer(partner.accessToken),
        ),
      ),
    ).toBeUndefined();
    expect(
      codeOf(
        await h.gql(
          CREATE,
          { i: { name: 'x', scopes: ['admin:all'], authMethod: 'CLIENT_SECRET_BASIC' } },
          bearer(partner.accessToken),
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    // An admin may revoke any partner's client; a partner only their own.
    expect(codeOf(await h.gql(REVOKE, { id: created.client.id }, bearer(customer.accessToken)))).toBe('FORBIDDEN');
    expect(
      (
        await h.gql<{ revokeOAuthClient: { revokedAt: string | null } }>(
          REVOKE,
          { id: created.client.id },
          bearer(admin.accessToken),
        )
      ).body.data?.revokeOAuthClient.revokedAt,
    ).not.toBeNull();
  });
});

describe('partner OAuth limits', () => {
  it('limits token requests per client address', async () => {
    const limited = await startHarness({ OAUTH_TOKEN_IP_LIMIT: '2' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const res = await limited.fetch(`${limited.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        statuses.push(res.status);
        retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([401, 401, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
