import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { demo } from '@vegshare/demo';
import { seedAuth } from '../src/seed.ts';
import {
  bearer,
  LOGIN,
  REFRESH,
  REGISTER,
  register,
  startHarness,
  type AuthPayload,
  type GqlResponse,
  type Harness,
} from './harness.ts';

/** Every failure must carry one of these codes: no INTERNAL_SERVER_ERROR, no leaked internals. */
const STABLE = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED']);

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

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.emailAddress(),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000@b.co',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '🌱'.repeat(200),
    'x'.repeat(5000),
    'A'.repeat(43),
    'vsk_' + 'A'.repeat(43),
    '00000000-0000-4000-8000-000000000004',
    '__proto__',
    'NaN',
  ),
);

function assertStable(res: GqlResponse<unknown>): void {
  expect(res.status).toBeLessThan(500);
  for (const error of res.body.errors ?? []) {
    const code = error.extensions?.code ?? '';
    expect(STABLE.has(code), `unexpected ${code}: ${error.message}`).toBe(true);
    expect(JSON.stringify(error)).not.toMatch(/prisma|postgres|stack|at \w+ \(/i);
  }
}

const property = (
  name: string,
  arb: fc.Arbitrary<Record<string, unknown>>,
  run: (input: Record<string, unknown>) => Promise<GqlResponse<unknown>>,
  numRuns = 30,
) =>
  it(
    name,
    async () => {
      await fc.assert(
        fc.asyncProperty(arb, async (input) => assertStable(await run(input))),
        { numRuns },
      );
    },
    60_000,
  );

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
