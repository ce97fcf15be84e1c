// Social sign-in against real OpenID Connect / OAuth 2.0 servers run here (oidc-provider configured like VK ID,
// Yandex ID, Google and Apple, quirks included): tampering with state, nonce and PKCE, replayed codes, provider emails
// that match existing accounts (verified or not), linking and unlinking.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type UserRegistered } from '@vegshare/kit';
import {
  followSignIn,
  startFakeProvider,
  type FakeProvider,
  type FakeProviderKind,
} from '@vegshare/tools/testing/social-providers';
import {
  AUTH_FIELDS,
  bearer,
  HARNESS_GATEWAY_SECRET,
  codeOf,
  GOOD_PASSWORD,
  LOGIN,
  register,
  startHarness,
  uniqueEmail,
  type AuthPayload,
  type GqlResponse,
  type Harness,
} from './harness.ts';

const APP_REDIRECT = 'http://app.test/auth/callback';

const START = `mutation($p: SocialProvider!, $r: String!, $link: Boolean) { startSocialSignIn(provider: $p, redirectUri: $r, link: $link) { authorizationUrl state expiresAt } }`;
const COMPLETE = `mutation($input: CompleteSocialSignInInput!) {
  completeSocialSignIn(input: $input) { status provider ticket email auth { ${AUTH_FIELDS} } identity { id provider email privateEmail } }
}`;
const PROVE = `mutation($t: String!, $p: String!) { proveSocialLinkWithPassword(ticket: $t, password: $p) { ${AUTH_FIELDS} } }`;
const SEND_CODE = `mutation($t: String!, $e: String) { sendSocialLinkCode(ticket: $t, email: $e) }`;
const CONFIRM = `mutation($c: String!) { confirmSocialLink(code: $c) { ${AUTH_FIELDS} } }`;
const IDENTITIES = `{ mySocialIdentities { id provider email privateEmail createdAt lastUsedAt } }`;
const UNLINK = `mutation($id: ID!) { unlinkSocialIdentity(id: $id) }`;
const SIGN_UP = `mutation($i: RegisterInput!) { signUp(input: $i) { accepted } }`;
const COMPLETE_SIGN_UP = `mutation($i: CompleteSignUpInput!) { completeSignUp(input: $i) { ${AUTH_FIELDS} } }`;

interface Outcome {
  status: 'SIGNED_IN' | 'LINKED' | 'PROOF_REQUIRED' | 'EMAIL_CONFIRMATION_REQUIRED';
  provider: string;
  ticket: string | null;
  email: string | null;
  auth: AuthPayload | null;
  identity: { id: string; provider: string; email: string | null; privateEmail: boolean } | null;
}
interface Started {
  authorizationUrl: string;
  state: string;
}
interface Callback {
  state: string;
  code: string;
  iss: string | null;
  deviceId: string | null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let h: Harness;
const fakes = new Map<FakeProviderKind, FakeProvider>();
const registered: UserRegistered[] = [];
const fake = (kind: FakeProviderKind): FakeProvider => fakes.get(kind) as FakeProvider;

beforeAll(async () => {
  const port = await freePort();
  const publicApiUrl = `http://127.0.0.1:${port}`;
  for (const kind of ['google', 'vk', 'yandex'] as const)
    fakes.set(kind, await startFakeProvider(kind, { redirectUris: [APP_REDIRECT] }));
  fakes.set(
    'apple',
    await startFakeProvider('apple', { redirectUris: [`${publicApiUrl}/oauth/social/callback/apple`] }),
  );
  h = await startHarness({
    PORT: String(port),
    PUBLIC_API_URL: publicApiUrl,
    SOCIAL_REDIRECT_URIS: `${APP_REDIRECT},vegshare://auth/callback`,
    ...Object.assign({}, ...[...fakes.values()].map((f) => f.env)),
  });
  await h.events.subscribe(topics.userRegistered, (e) => registered.push(e));
}, 60_000);

afterAll(async () => {
  await h?.close();
  for (const f of fakes.values()) await f.close();
});

async function start(kind: FakeProviderKind, headers: Record<string, string> = {}, link = false): Promise<Started> {
  const res = await h.gql<{ startSocialSignIn: Started }>(
    START,
    { p: kind.toUpperCase(), r: APP_REDIRECT, link },
    headers,
  );
  if (!res.body.data?.startSocialSignIn) throw new Error(`start failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.startSocialSignIn;
}

/** The browser part: the provider signs `sub` in and sends the browser back to the app with code and state. */
async function authorize(kind: FakeProviderKind, sub: string, authorizationUrl: string): Promise<Callback> {
  fake(kind).signInAs(sub);
  // Apple's form_post reaches auth through the gateway in production, which adds its secret.
  const back = await followSignIn(authorizationUrl, APP_REDIRECT, (url) =>
    url.origin === new URL(h.url).origin ? { 'x-gateway-secret': HARNESS_GATEWAY_SECRET } : {},
  );
  const q = back.searchParams;
  return { state: q.get('state') ?? '', code: q.get('code') ?? '', iss: q.get('iss'), deviceId: q.get('device_id') };
}

const complete = (input: Callback, headers: Record<string, string> = {}) =>
  h.gql<{ completeSocialSignIn: Outcome }>(COMPLETE, { input }, headers);

async function signIn(
  kind: FakeProviderKind,
  sub: string,
  headers: Record<string, string> = {},
  link = false,
): Promise<Outcome> {
  const started = await start(kind, headers, link);
  const callback = await authorize(kind, sub, started.authorizationUrl);
  expect(callback.state).toBe(started.state);
  const res = await complete(callback, headers);
  if (!res.body.data?.completeSocialSignIn) throw new Error(`complete failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.completeSocialSignIn;
}

/** The code of the newest social-link mail to `email` (what the user clicks). */
async function mailedCode(email: string): Promise<string> {
  const mail = await h.db.outboxMessage.findFirstOrThrow({
    where: { recipient: email, kind: 'SOCIAL_LINK' },
    orderBy: { createdAt: 'desc' },
  });
  const match = /link-account\?code=([A-Za-z0-9_-]+)/.exec(mail.body);
  if (!match?.[1]) throw new Error('no code in the mail');
  return match[1];
}

/** The code of the newest sign-up (email verification) mail to `email`. */
async function verificationCode(email: string): Promise<string> {
  const mail = await h.db.outboxMessage.findFirstOrThrow({
    where: { recipient: email, kind: 'EMAIL_VERIFICATION' },
    orderBy: { createdAt: 'desc' },
  });
  const match = /Verification code: ([A-Za-z0-9_-]+)/.exec(mail.body);
  if (!match?.[1]) throw new Error('no code in the mail');
  return match[1];
}

/** Mail requests are limited per client address (5 an hour): each test request comes from its own. */
const ownAddress = () => ({
  'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1`,
});

let n = 0;
const subject = (label: string) => `${label}-${process.pid}-${Date.now()}-${n++}`;

describe('social sign-in', () => {
  it('Google: a verified email nobody uses becomes an account, signed in like a password login, and signs in again', async () => {
    const email = uniqueEmail('google');
    const sub = subject('g');
    fake('google').addAccount({ sub, email, emailVerified: true, givenName: 'Gala', familyName: 'Green' });
    const first = await signIn('google', sub);
    expect(first.status).toBe('SIGNED_IN');
    expect(first.provider).toBe('GOOGLE');
    expect(first.auth?.user).toMatchObject({ email, emailVerified: true, roles: ['CUSTOMER'] });
    expect(first.identity).toMatchObject({ provider: 'GOOGLE', email, privateEmail: false });
    const userId = first.auth?.user.id ?? '';
    // Our own tokens, exactly like a password login: the access token works, the session is listed, the audit says how.
    const me = await h.gql<{ me: { id: string } }>(
      '{ me { id } mySessions { id current } }',
      {},
      bearer(first.auth?.accessToken ?? ''),
    );
    expect(me.body.data?.me.id).toBe(userId);
    const refreshed = await h.gql<{ refreshSession: AuthPayload }>(
      `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`,
      { t: first.auth?.refreshToken },
    );
    expect(refreshed.body.data?.refreshSession.user.id).toBe(userId);
    const audit = await h.db.loginAudit.findMany({ where: { userId } });
    expect(audit.map((a) => [a.outcome, a.method])).toEqual([['SUCCESS', 'social:google']]);
    await expect
      .poll(() => registered.find((e) => e.userId === userId))
      .toMatchObject({ email, displayName: 'Gala Green', roles: ['CUSTOMER'] });
    const user = await h.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.passwordHash).toBeNull();

    const again = await signIn('google', sub);
    expect(again.status).toBe('SIGNED_IN');
    expect(again.auth?.user.id).toBe(userId);
    expect(await h.db.socialIdentity.count({ where: { userId } })).toBe(1);
    expect(await h.db.session.count({ where: { userId } })).toBe(2);
  });

  it('refuses a tampered state, nonce or PKCE challenge, replayed codes and codes injected into another sign-in', async () => {
    const sub = subject('t');
    fake('google').addAccount({ sub, email: uniqueEmail('tamper'), emailVerified: true });
    const rejected = (r: GqlResponse<unknown>) => [codeOf(r), r.body.errors?.[0]?.extensions?.['reason' as 'code']];

    // A state that is not ours is refused and spends nothing: the real one still works, once.
    const started = await start('google');
    const callback = await authorize('google', sub, started.authorizationUrl);
    const forged = await complete({ ...callback, state: `${callback.state.slice(0, -4)}AAAA` });
    expect(codeOf(forged)).toBe('BAD_USER_INPUT');
    const ok = await complete(callback);
    expect(ok.body.data?.completeSocialSignIn.status).toBe('SIGNED_IN');
    // The same code and state again: the state is spent.
    expect(codeOf(await complete(callback))).toBe('BAD_USER_INPUT');
    // The used code with a fresh sign-in's state: the provider refuses it (used, and another PKCE verifier).
    const fresh = await start('google');
    expect(rejected(await complete({ ...callback, state: fresh.state }))).toEqual([
      'UNAUTHENTICATED',
      'PROVIDER_REJECTED',
    ]);

    // A code obtained in one sign-in, injected into another: PKCE ties it to the first.
    const a = await start('google');
    const b = await start('google');
    const codeA = await authorize('google', sub, a.authorizationUrl);
    expect(rejected(await complete({ ...codeA, state: b.state }))).toEqual(['UNAUTHENTICATED', 'PROVIDER_REJECTED']);
    // …and that attempt spent b's state, while a's own code is still good for a.
    expect((await complete(codeA)).body.data?.completeSocialSignIn.status).toBe('SIGNED_IN');

    // The nonce changed on the way to the provider: the ID token carries the wrong one.
    const n1 = await start('google');
    const nonceUrl = new URL(n1.authorizationUrl);
    nonceUrl.searchParams.set('nonce', 'attacker-chosen-nonce-value');
    expect(rejected(await complete(await authorize('google', sub, nonceUrl.href)))).toEqual([
      'UNAUTHENTICATED',
      'PROVIDER_REJECTED',
    ]);

    // The PKCE challenge swapped for an attacker's: our verifier does not match it.
    const p1 = await start('google');
    const pkceUrl = new URL(p1.authorizationUrl);
    pkceUrl.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(rejected(await complete(await authorize('google', sub, pkceUrl.href)))).toEqual([
      'UNAUTHENTICATED',
      'PROVIDER_REJECTED',
    ]);

    const failures = await h.db.loginAudit.count({ where: { method: 'social:google', outcome: 'BAD_CREDENTIALS' } });
    expect(failures).toBeGreaterThanOrEqual(4);
  });

  it('VK ID: an unverified email matching an account neither signs in nor links until the account is proven', async () => {
    const email = uniqueEmail('vk-owner');
    const owner = await register(h, email);
    const sub = String(900_000_000 + n++);
    fake('vk').addAccount({ sub, email, givenName: 'Vera', familyName: 'Volkova' });

    const pending = await signIn('vk', sub);
    // VK ID does not vouch for emails: no tokens, no link, no hint whether the address has an account.
    expect(pending).toMatchObject({
      status: 'EMAIL_CONFIRMATION_REQUIRED',
      provider: 'VK',
      email,
      auth: null,
      identity: null,
    });
    expect(await h.db.socialIdentity.count({ where: { provider: 'vk', subject: sub } })).toBe(0);

    const wrong = await h.gql(PROVE, { t: pending.ticket, p: 'not the password at all' });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(
      await h.db.loginAudit.count({
        where: { userId: owner.user.id, outcome: 'BAD_CREDENTIALS', method: 'social:vk' },
      }),
    ).toBe(1);
    const proven = await h.gql<{ proveSocialLinkWithPassword: AuthPayload }>(PROVE, {
      t: pending.ticket,
      p: GOOD_PASSWORD,
    });
    expect(proven.body.data?.proveSocialLinkWithPassword.user.id).toBe(owner.user.id);
    // The ticket is spent; VK ID now signs the owner in directly.
    expect(codeOf(await h.gql(PROVE, { t: pending.ticket, p: GOOD_PASSWORD }))).toBe('BAD_USER_INPUT');
    const direct = await signIn('vk', sub);
    expect(direct.status).toBe('SIGNED_IN');
    expect(direct.auth?.user.id).toBe(owner.user.id);
    expect(direct.identity?.email).toBe(email);
  });

  it('VK ID: a mailed code never puts an unvouched identity on an existing account (its owner is warned instead); device_id is required', async () => {
    const email = uniqueEmail('vk-mail');
    const owner = await register(h, email);
    const sub = String(910_000_000 + n++);
    fake('vk').addAccount({ sub, email, givenName: 'Vlad' });
    const pending = await signIn('vk', sub);
    expect(pending.status).toBe('EMAIL_CONFIRMATION_REQUIRED');
    // The same answer as for a free address, but the owner gets a warning without a code: a VK account set up with
    // someone else's address cannot have that someone click it onto their account.
    expect((await h.gql(SEND_CODE, { t: pending.ticket }, ownAddress())).body.data).toEqual({
      sendSocialLinkCode: true,
    });
    const warning = await h.db.outboxMessage.findFirstOrThrow({ where: { recipient: email, kind: 'SOCIAL_LINK' } });
    expect(warning.body).not.toMatch(/code=|Code:/);
    expect(warning.subject).toMatch(/tried to sign in/);
    // Typing the owner's address instead changes nothing either.
    const typed = await signIn('vk', sub);
    await h.gql(SEND_CODE, { t: typed.ticket, e: email }, ownAddress());
    expect(
      await h.db.outboxMessage.count({ where: { recipient: email, kind: 'SOCIAL_LINK', body: { contains: 'code=' } } }),
    ).toBe(0);
    expect(await h.db.socialIdentity.count({ where: { provider: 'vk', subject: sub } })).toBe(0);
    // The owner links it from a signed-in session.
    const linking = await start('vk', bearer(owner.accessToken), true);
    const linked = await complete(await authorize('vk', sub, linking.authorizationUrl), bearer(owner.accessToken));
    expect(linked.body.data?.completeSocialSignIn).toMatchObject({
      status: 'LINKED',
      identity: { provider: 'VK', email },
    });
    expect((await signIn('vk', sub)).auth?.user.id).toBe(owner.user.id);

    const started = await start('vk');
    const callback = await authorize('vk', sub, started.authorizationUrl);
    expect(callback.deviceId).toMatch(/^dev-/);
    const withoutDevice = await complete({ ...callback, deviceId: null });
    expect(codeOf(withoutDevice)).toBe('UNAUTHENTICATED');
  });

  it('Google: a verified email of an existing account needs proof; the code goes to that account only', async () => {
    const email = uniqueEmail('g-owner');
    const owner = await register(h, email);
    const sub = subject('gp');
    fake('google').addAccount({ sub, email, emailVerified: true });
    const pending = await signIn('google', sub);
    expect(pending).toMatchObject({ status: 'PROOF_REQUIRED', email, auth: null });
    expect(await h.db.socialIdentity.count({ where: { subject: sub } })).toBe(0);
    expect(codeOf(await h.gql(SEND_CODE, { t: pending.ticket, e: uniqueEmail('elsewhere') }, ownAddress()))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await h.gql(SEND_CODE, { t: pending.ticket }, ownAddress()))).toBeUndefined();
    const confirmed = await h.gql<{ confirmSocialLink: AuthPayload }>(CONFIRM, { c: await mailedCode(email) });
    expect(confirmed.body.data?.confirmSocialLink.user.id).toBe(owner.user.id);
    expect((await signIn('google', sub)).auth?.user.id).toBe(owner.user.id);
  });

  it('Apple: form_post through our relay, the name only on the first sign-in, a private relay address, the ES256 client secret', async () => {
    const email = `${subject('relay').toLowerCase()}@privaterelay.appleid.com`;
    const sub = subject('a');
    fake('apple').addAccount({
      sub,
      email,
      emailVerified: true,
      privateEmail: true,
      givenName: 'Anna',
      familyName: 'Apfel',
    });
    const first = await signIn('apple', sub);
    expect(first.status).toBe('SIGNED_IN');
    expect(first.identity).toMatchObject({ provider: 'APPLE', email, privateEmail: true });
    const userId = first.auth?.user.id ?? '';
    await expect.poll(() => registered.find((e) => e.userId === userId)?.displayName).toBe('Anna Apfel');
    expect((await h.db.socialIdentity.findFirstOrThrow({ where: { subject: sub } })).displayName).toBe('Anna Apfel');
    // Apple never sends the name again; the account stays the same and keeps it.
    const second = await signIn('apple', sub);
    expect(second.auth?.user.id).toBe(userId);
    const lastRequest = await h.db.socialAuthRequest.findFirstOrThrow({
      where: { provider: 'apple' },
      orderBy: { createdAt: 'desc' },
    });
    expect(lastRequest.postedName).toBeNull();
    // The relay answers only for a sign-in it started.
    const stray = await h.fetch(`${h.url}/oauth/social/callback/apple`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'state=forged-state-value&code=x',
    });
    expect(stray.status).toBe(400);
    expect(stray.headers.get('location')).toBeNull();
  });

  it('Yandex ID: user info with its OAuth scheme; a new unverified address, or none, becomes an account only through the mailed code', async () => {
    const email = uniqueEmail('yandex');
    const sub = String(1_130_000_000 + n++);
    fake('yandex').addAccount({ sub, email, givenName: 'Yana', familyName: 'Yandexova' });
    const pending = await signIn('yandex', sub);
    expect(pending).toMatchObject({ status: 'EMAIL_CONFIRMATION_REQUIRED', email });
    expect(await h.db.user.count({ where: { email } })).toBe(0);
    await h.gql(SEND_CODE, { t: pending.ticket }, ownAddress());
    const created = await h.gql<{ confirmSocialLink: AuthPayload }>(CONFIRM, { c: await mailedCode(email) });
    const user = created.body.data?.confirmSocialLink.user;
    expect(user).toMatchObject({ email, emailVerified: true });
    await expect.poll(() => registered.find((e) => e.userId === user?.id)?.displayName).toBe('Yana Yandexova');
    expect((await signIn('yandex', sub)).auth?.user.id).toBe(user?.id);

    const silent = String(1_140_000_000 + n++);
    fake('yandex').addAccount({ sub: silent });
    const noEmail = await signIn('yandex', silent);
    expect(noEmail).toMatchObject({ status: 'EMAIL_CONFIRMATION_REQUIRED', email: null });
    expect(codeOf(await h.gql(SEND_CODE, { t: noEmail.ticket }, ownAddress()))).toBe('BAD_USER_INPUT');
    const chosen = uniqueEmail('chosen');
    await h.gql(SEND_CODE, { t: noEmail.ticket, e: chosen }, ownAddress());
    const made = await h.gql<{ confirmSocialLink: AuthPayload }>(CONFIRM, { c: await mailedCode(chosen) });
    expect(made.body.data?.confirmSocialLink.user.email).toBe(chosen);
  });

  it('a sign-up still pending confirmation is no account: a verified provider email takes the address, and nothing the sign-up supplied survives', async () => {
    const email = uniqueEmail('pending-google');
    // Someone signs up with the address but never proves it (the code went to the mailbox, which is not theirs).
    const typed = 'someone else typed this password';
    const signUp = await h.gql(SIGN_UP, { i: { email, password: typed, displayName: 'Not The Owner' } }, ownAddress());
    expect(signUp.body.data).toEqual({ signUp: { accepted: true } });
    const pendingUser = await h.db.user.findUniqueOrThrow({ where: { email } });
    expect(pendingUser.pendingSignUp).toBe(true);
    const signUpCode = await verificationCode(email);

    // The mailbox's owner signs in with Google, which vouches for the address.
    const sub = subject('pg');
    fake('google').addAccount({ sub, email, emailVerified: true, givenName: 'Olga', familyName: 'Owner' });
    const outcome = await signIn('google', sub);
    expect(outcome.status).toBe('SIGNED_IN');
    expect(outcome.auth?.user).toMatchObject({ id: pendingUser.id, email, emailVerified: true });
    expect(outcome.auth?.deviceToken).toMatch(/^vsd1\./);
    const user = await h.db.user.findUniqueOrThrow({ where: { id: pendingUser.id } });
    expect([user.pendingSignUp, user.passwordHash, user.pendingDisplayName]).toEqual([false, null, null]);
    // The registration is announced now, named by Google — not by what the unproven sign-up typed.
    await expect
      .poll(() => registered.find((e) => e.userId === pendingUser.id))
      .toMatchObject({ email, displayName: 'Olga Owner' });

    // Whoever typed the sign-up password has no way in: neither the password nor the sign-up's code works.
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: typed } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(COMPLETE_SIGN_UP, { i: { token: signUpCode, password: typed } }))).toBe('BAD_USER_INPUT');
    // The owner keeps signing in with Google.
    expect((await signIn('google', sub)).auth?.user.id).toBe(pendingUser.id);
  });

  it('a pending sign-up’s password proves nothing for an unvouched provider email; the code mailed to the address decides', async () => {
    const email = uniqueEmail('pending-vk');
    const typed = 'a password the mailbox never confirmed';
    expect(
      (await h.gql(SIGN_UP, { i: { email, password: typed, displayName: 'Sign-up' } }, ownAddress())).body.errors,
    ).toBeUndefined();
    const pendingUser = await h.db.user.findUniqueOrThrow({ where: { email } });
    const sub = String(920_000_000 + n++);
    fake('vk').addAccount({ sub, email, givenName: 'Vasilisa' });

    const started = await signIn('vk', sub);
    expect(started).toMatchObject({ status: 'EMAIL_CONFIRMATION_REQUIRED', email, auth: null });
    // The sign-up's password would have put this VK identity on the address without anyone proving the mailbox.
    expect(codeOf(await h.gql(PROVE, { t: started.ticket, p: typed }))).toBe('UNAUTHENTICATED');
    expect(await h.db.socialIdentity.count({ where: { provider: 'vk', subject: sub } })).toBe(0);
    // A pending sign-up is no account, so the address gets a code (not the owner's warning), and the code claims it.
    expect((await h.gql(SEND_CODE, { t: started.ticket }, ownAddress())).body.data).toEqual({
      sendSocialLinkCode: true,
    });
    const confirmed = await h.gql<{ confirmSocialLink: AuthPayload }>(CONFIRM, { c: await mailedCode(email) });
    expect(confirmed.body.data?.confirmSocialLink.user).toMatchObject({
      id: pendingUser.id,
      email,
      emailVerified: true,
    });
    const user = await h.db.user.findUniqueOrThrow({ where: { id: pendingUser.id } });
    expect([user.pendingSignUp, user.passwordHash]).toEqual([false, null]);
    expect(codeOf(await h.gql(LOGIN, { input: { email, password: typed } }))).toBe('UNAUTHENTICATED');
    expect((await signIn('vk', sub)).auth?.user.id).toBe(pendingUser.id);
  });

  it('a sign-up completed from its mailbox is an account like any other: a provider email of it needs proof', async () => {
    const email = uniqueEmail('completed');
    expect(
      (await h.gql(SIGN_UP, { i: { email, password: GOOD_PASSWORD, displayName: 'Done' } }, ownAddress())).body.errors,
    ).toBeUndefined();
    const done = await h.gql<{ completeSignUp: AuthPayload }>(COMPLETE_SIGN_UP, {
      i: { token: await verificationCode(email), password: GOOD_PASSWORD },
    });
    expect(done.body.errors).toBeUndefined();
    const sub = subject('cg');
    fake('google').addAccount({ sub, email, emailVerified: true });
    const outcome = await signIn('google', sub);
    expect(outcome).toMatchObject({ status: 'PROOF_REQUIRED', email, auth: null });
    const proven = await h.gql<{ proveSocialLinkWithPassword: AuthPayload }>(PROVE, {
      t: outcome.ticket,
      p: GOOD_PASSWORD,
    });
    expect(proven.body.data?.proveSocialLinkWithPassword.user.id).toBe(done.body.data?.completeSignUp.user.id);
  });

  it('links and unlinks identities, but never the last way to sign in', async () => {
    // A password account links Google while signed in.
    const owner = await register(h);
    const auth = bearer(owner.accessToken);
    const gsub = subject('lg');
    fake('google').addAccount({ sub: gsub, email: uniqueEmail('lg'), emailVerified: true });
    expect(codeOf(await h.gql(START, { p: 'GOOGLE', r: APP_REDIRECT, link: true }))).toBe('UNAUTHENTICATED');
    const linking = await start('google', auth, true);
    const callback = await authorize('google', gsub, linking.authorizationUrl);
    // Finishing a link needs the same signed-in user.
    expect(codeOf(await complete(callback))).toBe('FORBIDDEN');
    const linking2 = await start('google', auth, true);
    const linked = await complete(await authorize('google', gsub, linking2.authorizationUrl), auth);
    expect(linked.body.data?.completeSocialSignIn).toMatchObject({
      status: 'LINKED',
      auth: null,
      identity: { provider: 'GOOGLE' },
    });
    const mine = await h.gql<{ mySocialIdentities: { id: string }[] }>(IDENTITIES, {}, auth);
    expect(mine.body.data?.mySocialIdentities).toHaveLength(1);
    // The same Google account cannot be linked to a second account.
    const other = await register(h);
    const stolen = await start('google', bearer(other.accessToken), true);
    expect(
      codeOf(await complete(await authorize('google', gsub, stolen.authorizationUrl), bearer(other.accessToken))),
    ).toBe('CONFLICT');
    // With a password left, unlinking is fine.
    expect((await h.gql(UNLINK, { id: mine.body.data?.mySocialIdentities[0]?.id }, auth)).body.data).toEqual({
      unlinkSocialIdentity: true,
    });

    // An account made by Apple has no password: its only identity stays.
    const asub = subject('la');
    const aemail = `${asub.toLowerCase()}@privaterelay.appleid.com`;
    fake('apple').addAccount({ sub: asub, email: aemail, emailVerified: true, privateEmail: true });
    const appleUser = await signIn('apple', asub);
    const appleAuth = bearer(appleUser.auth?.accessToken ?? '');
    const appleIdentity = appleUser.identity?.id;
    const appleUserId = appleUser.auth?.user.id ?? '';
    expect(codeOf(await h.gql(UNLINK, { id: appleIdentity }, appleAuth))).toBe('CONFLICT');
    // Another user cannot unlink it either.
    expect(codeOf(await h.gql(UNLINK, { id: appleIdentity }, auth))).toBe('NOT_FOUND');
    // With Google linked too, either may go, but not both.
    const g2 = subject('lg2');
    fake('google').addAccount({ sub: g2, email: uniqueEmail('lg2'), emailVerified: true });
    const link2 = await start('google', appleAuth, true);
    const linkedGoogle = await complete(await authorize('google', g2, link2.authorizationUrl), appleAuth);
    const googleIdentity = linkedGoogle.body.data?.completeSocialSignIn.identity?.id;
    const both = await Promise.all([
      h.gql(UNLINK, { id: appleIdentity }, appleAuth),
      h.gql(UNLINK, { id: googleIdentity }, appleAuth),
    ]);
    expect(both.map(codeOf).sort()).toEqual(['CONFLICT', undefined]);
    expect(await h.db.socialIdentity.count({ where: { userId: appleUserId } })).toBe(1);
    // A password set through the reset mail makes the last identity removable.
    await h.gql('mutation($e: String!) { requestPasswordReset(email: $e) }', { e: aemail }, ownAddress());
    const mail = await h.db.outboxMessage.findFirstOrThrow({ where: { recipient: aemail, kind: 'PASSWORD_RESET' } });
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.body)?.[1];
    expect(
      (
        await h.gql('mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }', {
          i: { token, newPassword: 'a brand new passphrase 42' },
        })
      ).body.errors,
    ).toBeUndefined();
    const signedInAgain = await h.gql<{ login: AuthPayload }>(
      `mutation($i: LoginInput!) { login(input: $i) { ${AUTH_FIELDS} } }`,
      { i: { email: aemail, password: 'a brand new passphrase 42' } },
    );
    const last = (await h.db.socialIdentity.findFirstOrThrow({ where: { userId: appleUserId } })).id;
    expect(
      (await h.gql(UNLINK, { id: last }, bearer(signedInAgain.body.data?.login.accessToken ?? ''))).body.data,
    ).toEqual({ unlinkSocialIdentity: true });
  });

  it('offers only configured providers and allow-listed redirect URIs', async () => {
    const providers = await h.gql<{ socialProviders: { provider: string; displayName: string }[] }>(
      '{ socialProviders { provider displayName } }',
    );
    expect(providers.body.data?.socialProviders.map((p) => p.provider).sort()).toEqual([
      'APPLE',
      'GOOGLE',
      'VK',
      'YANDEX',
    ]);
    const evil = await h.gql(START, { p: 'GOOGLE', r: 'https://evil.example/auth/callback' });
    expect([codeOf(evil), evil.body.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', 'redirectUri']);
    const scheme = await h.gql<{ startSocialSignIn: Started }>(START, { p: 'VK', r: 'vegshare://auth/callback' });
    const url = new URL(scheme.body.data?.startSocialSignIn.authorizationUrl ?? '');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      redirect_uri: 'vegshare://auth/callback',
      code_challenge_method: 'S256',
      response_type: 'code',
    });
    // VK ID is OAuth 2.0 only: no nonce; the PKCE verifier never leaves the server.
    expect(url.searchParams.has('nonce')).toBe(false);
    expect(url.href).not.toContain(
      (await h.db.socialAuthRequest.findFirstOrThrow({ where: { provider: 'vk' }, orderBy: { createdAt: 'desc' } }))
        .codeVerifier,
    );
  });
});

describe('social sign-in limits', () => {
  it('answers SERVICE_UNAVAILABLE, not an internal error, while a provider cannot be discovered', async () => {
    const port = await freePort();
    const down = await startHarness({
      SOCIAL_REDIRECT_URIS: APP_REDIRECT,
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GOOGLE_ISSUER: `http://127.0.0.1:${port}`,
    });
    try {
      const res = await down.gql(START, { p: 'GOOGLE', r: APP_REDIRECT });
      expect(codeOf(res)).toBe('SERVICE_UNAVAILABLE');
      expect(await down.db.socialAuthRequest.count()).toBe(0);
    } finally {
      await down.close();
    }
  });

  it('counts sign-ins against the per-IP limit', async () => {
    const google = await startFakeProvider('google', { redirectUris: [APP_REDIRECT] });
    const limited = await startHarness({ LOGIN_IP_LIMIT: '3', SOCIAL_REDIRECT_URIS: APP_REDIRECT, ...google.env });
    try {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) codes.push(codeOf(await limited.gql(START, { p: 'GOOGLE', r: APP_REDIRECT })));
      expect(codes).toEqual([undefined, undefined, undefined, 'RATE_LIMITED']);
    } finally {
      await limited.close();
      await google.close();
    }
  });
});
