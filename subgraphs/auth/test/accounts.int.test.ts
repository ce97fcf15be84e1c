import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { createJwtVerifier, topics, type UserRegistered } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { seedAuth } from '../src/seed.ts';
import { issueOneTimeToken } from '../src/domain/one-time-tokens.ts';
import {
  AUTH_FIELDS,
  bearer,
  codeOf,
  GOOD_PASSWORD,
  LOGIN,
  REFRESH,
  REGISTER,
  register,
  startHarness,
  uniqueEmail,
  type AuthPayload,
  type Harness,
} from './harness.ts';

let h: Harness;
const registered: UserRegistered[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.events.subscribe(topics.userRegistered, (e) => registered.push(e));
  await seedAuth(h.db);
});
afterAll(async () => {
  await h?.close();
});

async function mailbox(email: string): Promise<{ kind: string; body: string; subject: string }[]> {
  const res = await fetch(`${h.url}/dev/mailbox?email=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { kind: string; body: string; subject: string }[] }).messages;
}
const tokenIn = (body: string): string => /code: ([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? '';

describe('registration', () => {
  it('creates a customer, signs in, publishes UserRegistered and mails a verification link', async () => {
    const email = uniqueEmail('Reg');
    const { body } = await h.gql<{ register: AuthPayload }>(
      REGISTER,
      { input: { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, displayName: ' Zoé ' } },
      { 'user-agent': 'vitest-device', 'x-forwarded-for': '203.0.113.7' },
    );
    expect(body.errors).toBeUndefined();
    const auth = body.data!.register;
    expect(auth.tokenType).toBe('Bearer');
    expect(auth.expiresIn).toBe(900);
    expect(auth.user).toMatchObject({ email: email.toLowerCase(), emailVerified: false, roles: ['CUSTOMER'] });
    expect(auth.session).toMatchObject({ ip: '203.0.113.7', userAgent: 'vitest-device' });
    expect(auth.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const verifier = createJwtVerifier({
      keys: new URL(`${h.url}/.well-known/jwks.json`),
      issuer: 'https://auth.vegshare.local',
      audience: 'vegshare-api',
    });
    expect(await verifier.verify(auth.accessToken)).toEqual({
      userId: auth.user.id,
      roles: ['CUSTOMER'],
      sessionId: auth.session.id,
      scopes: [],
      apiKeyId: null,
      tokenId: expect.any(String),
      issuedAt: expect.any(Number),
    });

    expect(registered).toContainEqual({
      userId: auth.user.id,
      email: email.toLowerCase(),
      displayName: 'Zoé',
      roles: ['CUSTOMER'],
    });

    const [mail] = await mailbox(email);
    expect(mail?.kind).toBe('EMAIL_VERIFICATION');
    const token = tokenIn(mail!.body);
    expect((await h.gql('mutation($t: String!) { verifyEmail(token: $t) }', { t: token })).body.data).toEqual({
      verifyEmail: true,
    });
    const me = await h.gql<{ me: { emailVerified: boolean } }>(
      '{ me { emailVerified } }',
      {},
      bearer(auth.accessToken),
    );
    expect(me.body.data?.me.emailVerified).toBe(true);
    // Single use: the same link again is refused.
    const again = await h.gql('mutation($t: String!) { verifyEmail(token: $t) }', { t: token });
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    // Only hashes are stored.
    const stored = await h.db.oneTimeToken.findMany({ where: { userId: auth.user.id } });
    expect(stored.some((t) => t.tokenHash === token)).toBe(false);
  });

  it('refuses a taken email with CONFLICT', async () => {
    const email = uniqueEmail();
    await register(h, email);
    const res = await h.gql(REGISTER, { input: { email, password: GOOD_PASSWORD, displayName: 'Again' } });
    expect(codeOf(res)).toBe('CONFLICT');
  });

  it.each([
    ['short', 'Passw0!', 'input.password'],
    ['long', 'x'.repeat(129), 'input.password'],
    ['common', 'password123', 'input.password'],
    ['common, any case', 'PassWord123', 'input.password'],
  ])('refuses a %s password with BAD_USER_INPUT', async (_label, password, field) => {
    const res = await h.gql(REGISTER, { input: { email: uniqueEmail(), password, displayName: 'X' } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('counts password length in characters and accepts 128', async () => {
    await expect(register(h, uniqueEmail(), 'é'.repeat(4) + '🌱'.repeat(4))).resolves.toBeTruthy();
    await expect(register(h, uniqueEmail(), 'a1'.repeat(64))).resolves.toBeTruthy();
  });

  it('refuses a malformed email and an empty display name', async () => {
    expect(
      codeOf(await h.gql(REGISTER, { input: { email: 'not-an-email', password: GOOD_PASSWORD, displayName: 'X' } })),
    ).toBe('BAD_USER_INPUT');
    const res = await h.gql(REGISTER, { input: { email: uniqueEmail(), password: GOOD_PASSWORD, displayName: '   ' } });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });
});

describe('login', () => {
  it('answers an unknown email exactly like a wrong password, and audits both', async () => {
    const email = uniqueEmail('enum');
    await register(h, email);
    const wrong = await h.gql(LOGIN, { input: { email, password: 'wrong password here' } });
    const unknown = await h.gql(LOGIN, { input: { email: uniqueEmail('nobody'), password: 'wrong password here' } });
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.body).toEqual(unknown.body);
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    const ok = await h.gql<{ login: AuthPayload }>(LOGIN, {
      input: { email: email.toUpperCase(), password: GOOD_PASSWORD },
    });
    expect(ok.body.data?.login.user.email).toBe(email);
    const audit = await h.db.loginAudit.findMany({ where: { email }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.outcome)).toEqual(['BAD_CREDENTIALS', 'SUCCESS']);
  });

  it('signs in the seeded demo accounts with their fixed ids and roles', async () => {
    for (const user of Object.values(demo.users)) {
      const res = await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email: user.email, password: demo.password } });
      expect(res.body.data?.login.user).toMatchObject({ id: user.id, roles: [...user.roles], emailVerified: true });
    }
  });

  it('upgrades an imported bcrypt hash to argon2id on the next login', async () => {
    const email = uniqueEmail('bcrypt');
    await h.db.user.create({ data: { email, passwordHash: await bcrypt.hash('imported-secret-42', 4) } });
    const wrong = await h.gql(LOGIN, { input: { email, password: 'imported-secret-43' } });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect((await h.db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toMatch(/^\$2[aby]\$/);
    const ok = await h.gql(LOGIN, { input: { email, password: 'imported-secret-42' } });
    expect(ok.body.errors).toBeUndefined();
    const hash = (await h.db.user.findUniqueOrThrow({ where: { email } })).passwordHash;
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await argon2.verify(hash ?? '', 'imported-secret-42')).toBe(true);
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: 'imported-secret-42' } }))).toBeUndefined();
  });

  it('rehashes when the argon2 parameters changed', async () => {
    const email = uniqueEmail('rehash');
    await h.db.user.create({
      data: {
        email,
        passwordHash: await argon2.hash('older-params-pw', {
          type: argon2.argon2id,
          memoryCost: 19_456,
          timeCost: 3,
          parallelism: 1,
        }),
      },
    });
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: 'older-params-pw' } }))).toBeUndefined();
    expect((await h.db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toMatch(/\$m=19456,p=1,t=2\$/);
  });
});

describe('sessions', () => {
  it('rotates the refresh token on every use and revokes the family when an old one is reused', async () => {
    const first = await register(h);
    const second = (await h.gql<{ refreshSession: AuthPayload }>(REFRESH, { t: first.refreshToken })).body.data!
      .refreshSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.session.id).toBe(first.session.id);
    const third = (await h.gql<{ refreshSession: AuthPayload }>(REFRESH, { t: second.refreshToken })).body.data!
      .refreshSession;
    // Replaying the first token (stolen copy) kills the family, including the newest token.
    expect(codeOf(await h.gql(REFRESH, { t: first.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REFRESH, { t: third.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql('{ me { id } }', {}, bearer(third.accessToken)))).toBe('UNAUTHENTICATED');
    const session = await h.db.session.findUniqueOrThrow({ where: { id: first.session.id } });
    expect(session.revokedReason).toBe('refresh_token_reuse');
    expect(await h.db.loginAudit.count({ where: { userId: first.user.id, outcome: 'REFRESH_REUSE' } })).toBe(1);
    expect(await h.db.refreshToken.count({ where: { tokenHash: first.refreshToken } })).toBe(0);
  });

  it('lets exactly one of concurrent rotations of one refresh token win, and ends the session as reuse', async () => {
    const first = await register(h);
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        h.gql<{ refreshSession: AuthPayload | null }>(REFRESH, { t: first.refreshToken }),
      ),
    );
    const won = replies.filter((r) => r.body.data?.refreshSession);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => codeOf(r) === 'UNAUTHENTICATED')).toHaveLength(3);
    const session = await h.db.session.findUniqueOrThrow({ where: { id: first.session.id } });
    expect(session.revokedReason).toBe('refresh_token_reuse');
    expect(codeOf(await h.gql(REFRESH, { t: won[0]!.body.data!.refreshSession!.refreshToken }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses unknown and malformed refresh tokens without internals', async () => {
    expect(codeOf(await h.gql(REFRESH, { t: 'A'.repeat(43) }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REFRESH, { t: "'; drop table" }))).toBe('BAD_USER_INPUT');
  });

  it('lists sessions with device and IP, revokes one, logs out and logs out everywhere', async () => {
    const email = uniqueEmail('multi');
    const a = await register(h, email, GOOD_PASSWORD, { 'user-agent': 'phone', 'x-forwarded-for': '198.51.100.1' });
    const b = (
      await h.gql<{ login: AuthPayload }>(
        LOGIN,
        { input: { email, password: GOOD_PASSWORD } },
        { 'user-agent': 'laptop', 'x-forwarded-for': '10.9.9.9, 198.51.100.2' },
      )
    ).body.data!.login;
    const c = (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email, password: GOOD_PASSWORD } })).body.data!
      .login;
    const list = await h.gql<{
      mySessions: { id: string; current: boolean; ip: string; userAgent: string; lastSeenAt: string }[];
    }>('{ mySessions { id current ip userAgent lastSeenAt } }', {}, bearer(a.accessToken));
    const sessions = list.body.data!.mySessions;
    expect(sessions).toHaveLength(3);
    expect(sessions.find((s) => s.id === a.session.id)).toMatchObject({
      current: true,
      ip: '198.51.100.1',
      userAgent: 'phone',
    });
    // The gateway appends the address it saw: only the rightmost x-forwarded-for entry is trusted.
    expect(sessions.find((s) => s.id === b.session.id)).toMatchObject({
      current: false,
      ip: '198.51.100.2',
      userAgent: 'laptop',
    });

    // Someone else cannot revoke my session.
    const stranger = await register(h);
    expect(
      (await h.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: b.session.id }, bearer(stranger.accessToken)))
        .body.data,
    ).toEqual({ revokeSession: false });
    expect(
      (await h.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: b.session.id }, bearer(a.accessToken))).body
        .data,
    ).toEqual({ revokeSession: true });
    expect(codeOf(await h.gql(REFRESH, { t: b.refreshToken }))).toBe('UNAUTHENTICATED');

    expect((await h.gql('mutation { logout }', {}, bearer(c.accessToken))).body.data).toEqual({ logout: true });
    expect(codeOf(await h.gql('{ me { id } }', {}, bearer(c.accessToken)))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REFRESH, { t: c.refreshToken }))).toBe('UNAUTHENTICATED');

    const d = (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email, password: GOOD_PASSWORD } })).body.data!
      .login;
    expect((await h.gql('mutation { logoutEverywhere }', {}, bearer(a.accessToken))).body.data).toEqual({
      logoutEverywhere: 2,
    });
    expect(codeOf(await h.gql(REFRESH, { t: d.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql('{ mySessions { id } }', {}, bearer(a.accessToken)))).toBe('UNAUTHENTICATED');
  });

  it('requires a signed-in viewer for private operations', async () => {
    expect((await h.gql('{ me { id } }')).body).toEqual({ data: { me: null } });
    for (const op of [
      '{ mySessions { id } }',
      'mutation { logout }',
      'mutation { logoutEverywhere }',
      'mutation { requestEmailVerification }',
    ]) {
      expect(codeOf(await h.gql(op))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await h.gql('{ me { id } }', {}, { authorization: 'Bearer not.a.jwt' }))).toBe('UNAUTHENTICATED');
  });
});

describe('passwords', () => {
  it('changes the password, keeping only the current session', async () => {
    const email = uniqueEmail('change');
    const a = await register(h, email);
    const b = (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email, password: GOOD_PASSWORD } })).body.data!
      .login;
    const change = 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) }';
    expect(
      (
        await h.gql(
          change,
          { i: { currentPassword: 'not it at all', newPassword: 'another good passphrase' } },
          bearer(a.accessToken),
        )
      ).body.errors?.[0]?.extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.currentPassword',
    });
    expect(
      (await h.gql(change, { i: { currentPassword: GOOD_PASSWORD, newPassword: 'qwertyuiop' } }, bearer(a.accessToken)))
        .body.errors?.[0]?.extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.newPassword',
    });
    expect(
      (
        await h.gql(
          change,
          { i: { currentPassword: GOOD_PASSWORD, newPassword: 'another good passphrase' } },
          bearer(a.accessToken),
        )
      ).body.data,
    ).toEqual({ changePassword: true });
    expect(codeOf(await h.gql(REFRESH, { t: b.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(REFRESH, { t: a.refreshToken }))).toBeUndefined();
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: GOOD_PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: 'another good passphrase' } }))).toBeUndefined();
  });

  it('resets a forgotten password with a single-use emailed token and ends every session', async () => {
    const email = uniqueEmail('reset');
    const a = await register(h, email);
    const request = 'mutation($e: String!) { requestPasswordReset(email: $e) }';
    const unknownEmail = uniqueEmail('ghost');
    expect((await h.gql(request, { e: unknownEmail })).body.data).toEqual({ requestPasswordReset: true });
    expect(await mailbox(unknownEmail)).toEqual([]);
    expect((await h.gql(request, { e: email })).body.data).toEqual({ requestPasswordReset: true });
    const mail = (await mailbox(email)).find((m) => m.kind === 'PASSWORD_RESET');
    const token = tokenIn(mail!.body);
    const reset = 'mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }';
    expect(codeOf(await h.gql(reset, { i: { token, newPassword: 'short' } }))).toBe('BAD_USER_INPUT');
    expect((await h.gql(reset, { i: { token, newPassword: 'a brand new passphrase' } })).body.data).toEqual({
      resetPassword: true,
    });
    expect(codeOf(await h.gql(reset, { i: { token, newPassword: 'yet another passphrase' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(REFRESH, { t: a.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: 'a brand new passphrase' } }))).toBeUndefined();
  });

  it('answers a reset asked for a pending sign-up with a new sign-up code, which then completes it', async () => {
    const email = uniqueEmail('pending');
    const signUp = await h.gql('mutation($i: RegisterInput!) { signUp(input: $i) { accepted } }', {
      i: { email, password: GOOD_PASSWORD, displayName: 'Pending' },
    });
    expect(signUp.body.errors).toBeUndefined();
    expect((await h.gql('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: email })).body.data).toEqual({
      requestPasswordReset: true,
    });
    const mails = await mailbox(email);
    expect(mails.map((m) => m.kind)).toEqual(['EMAIL_VERIFICATION', 'EMAIL_VERIFICATION']); // newest first
    // An old reset link of a pending account (issued before this rule) does not make a password that cannot sign in.
    const user = await h.db.user.findUniqueOrThrow({ where: { email } });
    const legacy = await issueOneTimeToken(h.db, user.id, 'PASSWORD_RESET');
    expect(
      codeOf(
        await h.gql('mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }', {
          i: { token: legacy, newPassword: 'a brand new passphrase' },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    const done = await h.gql<{ completeSignUp: AuthPayload }>(
      `mutation($i: CompleteSignUpInput!) { completeSignUp(input: $i) { ${AUTH_FIELDS} } }`,
      { i: { token: tokenIn(mails[0]!.body), password: 'the password I chose' } },
    );
    expect(done.body.errors).toBeUndefined();
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: 'the password I chose' } }))).toBeUndefined();
  });

  it('refuses an expired reset token', async () => {
    const email = uniqueEmail('expired');
    await register(h, email);
    await h.gql('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: email });
    const token = tokenIn((await mailbox(email)).find((m) => m.kind === 'PASSWORD_RESET')!.body);
    await h.db.oneTimeToken.updateMany({
      where: { purpose: 'PASSWORD_RESET', user: { email } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      codeOf(
        await h.gql('mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }', {
          i: { token, newPassword: 'a brand new passphrase' },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
  });
});

describe('roles and private fields', () => {
  const adminLogin = async () =>
    (await h.gql<{ login: AuthPayload }>(LOGIN, { input: { email: demo.users.admin.email, password: demo.password } }))
      .body.data!.login;
  const setRoles = 'mutation($u: ID!, $r: [Role!]!) { setRoles(userId: $u, roles: $r) { id roles } }';

  it('lets only an admin change roles; the next refresh carries them', async () => {
    const user = await register(h);
    expect(codeOf(await h.gql(setRoles, { u: user.user.id, r: ['ADMIN'] }, bearer(user.accessToken)))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await h.gql(setRoles, { u: user.user.id, r: ['ADMIN'] }))).toBe('UNAUTHENTICATED');
    const admin = await adminLogin();
    expect(
      (await h.gql(setRoles, { u: user.user.id, r: ['FARMER', 'CUSTOMER'] }, bearer(admin.accessToken))).body.data,
    ).toEqual({ setRoles: { id: user.user.id, roles: ['FARMER', 'CUSTOMER'] } });
    const refreshed = (await h.gql<{ refreshSession: AuthPayload }>(REFRESH, { t: user.refreshToken })).body.data!
      .refreshSession;
    expect(refreshed.user.roles).toEqual(['FARMER', 'CUSTOMER']);
    expect(codeOf(await h.gql(setRoles, { u: admin.user.id, r: ['CUSTOMER'] }, bearer(admin.accessToken)))).toBe(
      'CONFLICT',
    );
    expect(
      codeOf(
        await h.gql(
          setRoles,
          { u: '00000000-0000-4000-8000-00000000dead', r: ['CUSTOMER'] },
          bearer(admin.accessToken),
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(setRoles, { u: user.user.id, r: [] }, bearer(admin.accessToken)))).toBe('BAD_USER_INPUT');
  });

  it('shows email only to the user themself and to admins, through entity references too', async () => {
    const user = await register(h);
    const other = await register(h);
    const admin = await adminLogin();
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email emailVerified roles } } }';
    const r = [
      { __typename: 'User', id: user.user.id },
      { __typename: 'User', id: '00000000-0000-4000-8000-00000000beef' },
    ];
    const anonymous = await h.gql<{ _entities: unknown[] }>(q, { r });
    expect(anonymous.body.data?._entities).toEqual([
      { id: user.user.id, email: null, emailVerified: null, roles: ['CUSTOMER'] },
      null,
    ]);
    expect(
      (await h.gql<{ _entities: { email: string | null }[] }>(q, { r }, bearer(other.accessToken))).body.data
        ?._entities[0]?.email,
    ).toBeNull();
    expect(
      (await h.gql<{ _entities: { email: string | null }[] }>(q, { r }, bearer(user.accessToken))).body.data
        ?._entities[0]?.email,
    ).toBe(user.user.email);
    expect(
      (await h.gql<{ _entities: { email: string | null }[] }>(q, { r }, bearer(admin.accessToken))).body.data
        ?._entities[0]?.email,
    ).toBe(user.user.email);
  });
});

describe('service', () => {
  it('serves readiness with postgres and revocation checks (not Redis: sign-in works without it)', async () => {
    const ready = await fetch(`${h.url}/ready`);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'postgres', ok: true },
        { name: 'revocations', ok: true },
      ],
    });
  });

  it('keeps AUTH_FIELDS in sync with the schema', async () => {
    expect((await h.gql(`{ __type(name: "AuthPayload") { fields { name } } }`)).body.data).toBeTruthy();
    expect(AUTH_FIELDS).toContain('refreshToken');
  });
});
