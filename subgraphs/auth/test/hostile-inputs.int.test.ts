import { afterAll, beforeAll, describe } from 'vitest';
import fc from 'fast-check';
import { demo } from '@vegshare/demo';
import { seedAuth } from '../src/seed.ts';
import { bearer, LOGIN, REFRESH, REGISTER, register, startHarness, type AuthPayload, type Harness } from './harness.ts';
import { assertStable, hostileStrings, property } from './hostile.ts';

let h: Harness;
let customer: AuthPayload;
let admin: AuthPayload;
let partner: AuthPayload;

beforeAll(async () => {
  h = await startHarness();
  await seedAuth(h.db);
  customer = await register(h);
  const login = async (email: string) =>
    (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email, password: demo.password } })).body.data!.login;
  admin = await login(demo.users.admin.email);
  partner = await login(demo.users.partner.email);
});
afterAll(async () => {
  await h?.close();
});

const hostileString = hostileStrings({
  also: [fc.emailAddress()],
  constants: ['a\u0000@b.co', '🌱'.repeat(200), 'vsk_' + 'A'.repeat(43), 'NaN'],
});

describe('hostile inputs never produce an internal error', () => {
  property(
    'register',
    fc.record({ email: hostileString, password: hostileString, displayName: hostileString }),
    (input) => h.gql(REGISTER, { input }),
  );
  property('login', fc.record({ email: hostileString, password: hostileString }), (input) => h.gql(LOGIN, { input }));
  property('refreshSession', fc.record({ t: hostileString }), (v) => h.gql(REFRESH, v), 50);
  property(
    'verifyEmail',
    fc.record({ t: hostileString }),
    (v) => h.gql('mutation($t: String!) { verifyEmail(token: $t) }', v),
    50,
  );
  property(
    'requestPasswordReset',
    fc.record({ e: hostileString }),
    (v) =>
      h.gql('mutation($e: String!) { requestPasswordReset(email: $e) }', v, {
        'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.0.1`,
      }),
    30,
  );
  property(
    'resetPassword',
    fc.record({ token: hostileString, newPassword: hostileString }),
    (input) => h.gql('mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }', { i: input }),
    30,
  );
  property(
    'changePassword',
    fc.record({ currentPassword: hostileString, newPassword: hostileString }),
    (input) =>
      h.gql(
        'mutation($i: ChangePasswordInput!) { changePassword(input: $i) }',
        { i: input },
        bearer(customer.accessToken),
      ),
    15,
  );
  property(
    'revokeSession',
    fc.record({ id: hostileString }),
    (v) => h.gql('mutation($id: ID!) { revokeSession(id: $id) }', v, bearer(customer.accessToken)),
    50,
  );
  property(
    'setRoles',
    fc.record({ u: hostileString, r: fc.array(fc.constantFrom('CUSTOMER', 'FARMER', 'PARTNER'), { maxLength: 5 }) }),
    (v) =>
      h.gql('mutation($u: ID!, $r: [Role!]!) { setRoles(userId: $u, roles: $r) { id } }', v, bearer(admin.accessToken)),
    50,
  );
  property(
    'createApiKey and revokeApiKey',
    fc.record({ name: hostileString, scopes: fc.array(hostileString, { maxLength: 4 }) }),
    async (input) => {
      const created = await h.gql<{ createApiKey: { apiKey: { id: string } } }>(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }',
        { i: input },
        bearer(partner.accessToken),
      );
      assertStable(created);
      const id = created.body.data?.createApiKey.apiKey.id ?? String(input['name']);
      return h.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id }, bearer(partner.accessToken));
    },
    40,
  );
});
