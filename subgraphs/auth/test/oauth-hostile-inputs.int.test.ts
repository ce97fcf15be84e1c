// Hostile input on every social sign-in and OAuth-client mutation and on the partner OAuth endpoints: failures are
// stable codes (GraphQL) or OAuth error bodies below 500 (HTTP), never an internal error or a leaked internal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { demo } from '@vegshare/demo';
import { startFakeProvider, type FakeProvider } from '@vegshare/tools/testing/social-providers';
import { seedAuth } from '../src/seed.ts';
import { bearer, LOGIN, register, startHarness, type AuthPayload, type Harness } from './harness.ts';
import { assertStable, hostileStrings, LEAKED_INTERNALS, property } from './hostile.ts';

const APP_REDIRECT = 'http://app.test/auth/callback';

let h: Harness;
let google: FakeProvider;
let customer: AuthPayload;
let partner: AuthPayload;

beforeAll(async () => {
  google = await startFakeProvider('google', { redirectUris: [APP_REDIRECT] });
  h = await startHarness({ SOCIAL_REDIRECT_URIS: APP_REDIRECT, OAUTH_TOKEN_IP_LIMIT: '100000', ...google.env });
  await seedAuth(h.db);
  customer = await register(h);
  partner = (
    await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email: demo.users.partner.email, password: demo.password } })
  ).body.data!.login;
}, 60_000);
afterAll(async () => {
  await h?.close();
  await google?.close();
});

const hostileString = hostileStrings({
  constants: ['vsc_' + 'A'.repeat(24), 'javascript:alert(1)', 'vegshare://auth/callback', APP_REDIRECT, '{"keys":[]}'],
});

describe('hostile inputs to social sign-in and OAuth clients', () => {
  property(
    'startSocialSignIn',
    fc.record({ r: hostileString, link: fc.boolean() }),
    (v) =>
      h.gql(
        'mutation($r: String!, $link: Boolean) { startSocialSignIn(provider: GOOGLE, redirectUri: $r, link: $link) { state } }',
        v,
        bearer(customer.accessToken),
      ),
    20,
  );
  property(
    'completeSocialSignIn',
    fc.record({
      state: hostileString,
      code: hostileString,
      iss: fc.option(hostileString, { nil: null }),
      deviceId: fc.option(hostileString, { nil: null }),
    }),
    (input) =>
      h.gql('mutation($i: CompleteSocialSignInInput!) { completeSocialSignIn(input: $i) { status } }', { i: input }),
    40,
  );
  property(
    'proveSocialLinkWithPassword',
    fc.record({ t: hostileString, p: hostileString }),
    (v) =>
      h.gql(
        'mutation($t: String!, $p: String!) { proveSocialLinkWithPassword(ticket: $t, password: $p) { accessToken } }',
        v,
      ),
    30,
  );
  property(
    'sendSocialLinkCode',
    fc.record({ t: hostileString, e: fc.option(hostileString, { nil: null }) }),
    (v) => h.gql('mutation($t: String!, $e: String) { sendSocialLinkCode(ticket: $t, email: $e) }', v),
    30,
  );
  property(
    'confirmSocialLink',
    fc.record({ c: hostileString }),
    (v) => h.gql('mutation($c: String!) { confirmSocialLink(code: $c) { accessToken } }', v),
    30,
  );
  property(
    'unlinkSocialIdentity',
    fc.record({ id: hostileString }),
    (v) => h.gql('mutation($id: ID!) { unlinkSocialIdentity(id: $id) }', v, bearer(customer.accessToken)),
    30,
  );
  property(
    'createOAuthClient and revokeOAuthClient',
    fc.record({
      name: hostileString,
      scopes: fc.array(fc.oneof(hostileString, fc.constantFrom('farms:read', 'plots:read')), { maxLength: 4 }),
      authMethod: fc.constantFrom('CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'PRIVATE_KEY_JWT'),
      jwks: fc.option(hostileString, { nil: null }),
      partnerId: fc.option(hostileString, { nil: null }),
    }),
    async (input) => {
      const created = await h.gql<{ createOAuthClient: { client: { id: string } } }>(
        'mutation($i: CreateOAuthClientInput!) { createOAuthClient(input: $i) { client { id } } }',
        { i: input },
        bearer(partner.accessToken),
      );
      assertStable(created);
      return h.gql(
        'mutation($id: ID!) { revokeOAuthClient(id: $id) { id } }',
        { id: created.body.data?.createOAuthClient.client.id ?? String(input['name']) },
        bearer(partner.accessToken),
      );
    },
    40,
  );

  it('the token, introspection and revocation endpoints answer any form with an OAuth error below 500', async () => {
    const field = fc.constantFrom(
      'grant_type',
      'client_id',
      'client_secret',
      'scope',
      'token',
      'client_assertion',
      'client_assertion_type',
      'token_type_hint',
      '__proto__',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/oauth/token', '/oauth/introspect', '/oauth/revoke'),
        fc.array(fc.tuple(field, hostileString), { maxLength: 6 }),
        fc.option(hostileString, { nil: null }),
        async (path, pairs, authorization) => {
          const body = new URLSearchParams(pairs).toString();
          const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
          if (authorization !== null)
            headers['authorization'] = `Basic ${Buffer.from(authorization).toString('base64')}`;
          const res = await h.fetch(`${h.url}${path}`, { method: 'POST', headers, body });
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as Record<string, unknown>;
          if (res.status >= 400) expect(typeof json['error']).toBe('string');
          expect(JSON.stringify(json)).not.toMatch(LEAKED_INTERNALS);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
