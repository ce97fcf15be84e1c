// OAuth through the whole supergraph: a partner's client_credentials token obtained at the gateway's origin (discovery,
// token, introspection, revocation forwarded to auth) and used on /graphql like any token; Sign in with Apple with its
// form_post callback through the gateway, ending in our own tokens that every subgraph accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack, type GraphQLResult } from '@vegshare/tools/testing/e2e-stack';
import { freePort } from '@vegshare/tools/ports';
import { followSignIn, startFakeProvider, type FakeProvider } from '@vegshare/tools/testing/social-providers';

const APP_REDIRECT = 'http://app.test/auth/callback';
let apple: FakeProvider;
let origin: string;

/** Read loosely: each test reads the fields it asked for. */
type Data = Record<string, any>;
type Gql = GraphQLResult<Data>;
let e2e: E2eStack;
const { gql } = gatewayClient<Data>(() => origin);

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  apple = await startFakeProvider('apple', { redirectUris: [`${origin}/oauth/social/callback/apple`] });
  e2e = await startE2eStack({
    ports: { gateway: port },
    // The gateway's origin is the issuer partners discover, and where Apple posts back.
    env: {
      GATEWAY_SECRET: 'oauth-e2e-gateway-secret-0123',
      JWT_ISSUER: origin,
      PUBLIC_API_URL: origin,
      SOCIAL_REDIRECT_URIS: APP_REDIRECT,
      ...apple.env,
    },
    envFor: (service) => (service === 'gateway' ? { SAFELIST_MODE: 'api-keys' } : {}),
  });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
  await apple?.close();
});

describe('OAuth through the gateway', () => {
  it('a partner client obtains a token at the gateway and uses it like any token, as an integration, until it is revoked', async () => {
    const login = await gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: demo.users.partner.email, password: demo.password },
    });
    const session = { authorization: `Bearer ${login.data?.['login'].accessToken as string}` };
    const created = await gql(
      'mutation { createOAuthClient(input: { name: "Bistro", scopes: ["farms:read", "plots:read"], authMethod: CLIENT_SECRET_BASIC }) { clientSecret client { id clientId } } }',
      {},
      session,
    );
    expect(created.errors).toBeUndefined();
    const { clientSecret, client } = created.data?.['createOAuthClient'] as {
      clientSecret: string;
      client: { id: string; clientId: string };
    };

    // Standard discovery at the gateway's origin (the issuer check holds), then the client_credentials grant.
    const config = await oidc.discovery(
      new URL(origin),
      client.clientId,
      undefined,
      oidc.ClientSecretBasic(clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect(config.serverMetadata().token_endpoint).toBe(`${origin}/oauth/token`);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'farms:read' });
    expect(tokens.scope).toBe('farms:read');
    const bearer = { authorization: `Bearer ${tokens.access_token}` };

    // Verified by the gateway (JWKS, issuer, audience) and by the subgraphs: the partner, with no session.
    const farms = await gql(
      'query FarmList($first: Int = 20, $after: String) {\n  farms(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        locality\n        location {\n          latitude\n          longitude\n        }\n        owner {\n          displayName\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}',
      {},
      bearer,
    );
    expect(farms.errors).toBeUndefined();
    expect(farms.data?.['farms'].edges.length).toBeGreaterThan(0);
    // An integration, like an API key: with SAFELIST_MODE=api-keys only the partner manifest's operations run.
    const adHoc = await gql('{ me { id roles } }', {}, bearer);
    expect(adHoc.errors?.[0]?.extensions?.['code']).toBe('QUERY_NOT_IN_SAFELIST');
    // The partner's own signed-in session is not restricted, and sees the client used.
    const listed = await gql('{ me { id } myOAuthClients { clientId lastUsedAt } }', {}, session);
    expect(listed.data?.['me'].id).toBe(demo.users.partner.id);
    expect(
      listed.data?.['myOAuthClients'].find((c: { clientId: string }) => c.clientId === client.clientId).lastUsedAt,
    ).not.toBeNull();

    // Introspection and revocation at the gateway's origin.
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      scope: 'farms:read',
      client_id: client.clientId,
    });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    // A revoked client gets no more tokens (a Basic client is challenged for Basic again, RFC 6749 §5.2).
    await gql('mutation($id: ID!) { revokeOAuthClient(id: $id) { id } }', { id: client.id }, session);
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({
      status: 401,
      code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
    });
    // A forged bearer token is refused by the gateway itself.
    const forged = await gql(
      '{ crops { name } }',
      {},
      { authorization: `Bearer ${tokens.access_token.slice(0, -6)}AAAAAA` },
    );
    expect([forged.status, forged.errors?.[0]?.extensions?.['code']]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('Sign in with Apple through the gateway: form_post relay, our own tokens, the profile named from Apple', async () => {
    const providers = await gql('{ socialProviders { provider displayName } }');
    expect(providers.data?.['socialProviders']).toEqual([{ provider: 'APPLE', displayName: 'Apple' }]);
    const sub = `apple-e2e-${Date.now()}`;
    const email = `${sub}@privaterelay.appleid.com`;
    apple.addAccount({
      sub,
      email,
      emailVerified: true,
      privateEmail: true,
      givenName: 'Oksana',
      familyName: 'Orchard',
    });
    apple.signInAs(sub);
    const started = await gql(
      'mutation($r: String!) { startSocialSignIn(provider: APPLE, redirectUri: $r) { authorizationUrl state } }',
      { r: APP_REDIRECT },
    );
    expect(started.errors).toBeUndefined();
    const { authorizationUrl, state } = started.data?.['startSocialSignIn'] as {
      authorizationUrl: string;
      state: string;
    };
    expect(new URL(authorizationUrl).searchParams.get('redirect_uri')).toBe(`${origin}/oauth/social/callback/apple`);
    // Apple posts to the gateway, which forwards to auth, which sends the browser on to the app with code and state.
    const back = await followSignIn(authorizationUrl, APP_REDIRECT);
    expect(back.searchParams.get('state')).toBe(state);
    const done = await gql(
      'mutation($i: CompleteSocialSignInInput!) { completeSocialSignIn(input: $i) { status auth { accessToken user { id email } } } }',
      { i: { state, code: back.searchParams.get('code'), iss: back.searchParams.get('iss') } },
    );
    expect(done.errors).toBeUndefined();
    expect(done.data?.['completeSocialSignIn']).toMatchObject({ status: 'SIGNED_IN', auth: { user: { email } } });
    const token = done.data?.['completeSocialSignIn'].auth.accessToken as string;
    // The user subgraph made the profile from the registration event, named as Apple said on this first sign-in.
    let me: Gql | null = null;
    for (let i = 0; i < 50; i++) {
      me = await gql('{ me { id email displayName } }', {}, { authorization: `Bearer ${token}` });
      if (me.data?.['me']?.displayName) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(me?.data?.['me']).toMatchObject({ email, displayName: 'Oksana Orchard' });
  });
});
