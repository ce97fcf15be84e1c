import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeOf,
  GOOD_PASSWORD,
  LOGIN,
  REGISTER,
  register,
  startHarness,
  uniqueEmail,
  type Harness,
} from './harness.ts';

// Low limits on real Redis (random key prefix per run): 3 free failures per account, 12 sign-ins per IP, 4 registrations per IP.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOGIN_FREE_FAILURES: '3', LOGIN_IP_LIMIT: '12', REGISTER_IP_LIMIT: '4' });
});
afterAll(async () => {
  await h?.close();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const login = (email: string, password: string, ip: string) => h.gql(LOGIN, { input: { email, password } }, from(ip));

describe('brute force', () => {
  it('backs off an account after the free failures, with growing retryAfter, for known and unknown emails alike', async () => {
    const known = uniqueEmail('brute');
    await register(h, known, GOOD_PASSWORD, from('192.0.2.200'));
    const unknown = uniqueEmail('nobody');
    const limitedBodies: unknown[] = [];
    for (const [i, email] of [known, unknown].entries()) {
      const ip = `192.0.2.${10 + i}`;
      for (let n = 0; n < 3; n++) expect(codeOf(await login(email, 'wrong password!', ip))).toBe('UNAUTHENTICATED');
      // 4th failure locks for 1 s; the next attempt is refused without checking the password.
      expect(codeOf(await login(email, 'wrong password!', ip))).toBe('UNAUTHENTICATED');
      const limited = await login(email, GOOD_PASSWORD, ip);
      expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
      limitedBodies.push(limited.body);
      await new Promise((r) => setTimeout(r, 1100));
      // 5th failure: locked for 2 s.
      expect(codeOf(await login(email, 'wrong password!', ip))).toBe('UNAUTHENTICATED');
      expect((await login(email, GOOD_PASSWORD, ip)).body.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfter: 2,
      });
    }
    // Known and unknown accounts are indistinguishable under attack too.
    expect(limitedBodies[0]).toEqual(limitedBodies[1]);
    // After the lock, the right password works and resets the counter.
    await new Promise((r) => setTimeout(r, 2100));
    expect(codeOf(await login(known, GOOD_PASSWORD, '192.0.2.52'))).toBeUndefined();
    expect(codeOf(await login(known, 'wrong password!', '192.0.2.52'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(known, GOOD_PASSWORD, '192.0.2.52'))).toBeUndefined();
    const audit = await h.db.loginAudit.groupBy({ by: ['outcome'], where: { email: known }, _count: true });
    expect(Object.fromEntries(audit.map((a) => [a.outcome, a._count]))).toMatchObject({
      BAD_CREDENTIALS: 6,
      RATE_LIMITED: 2,
      SUCCESS: 2,
    });
  }, 20_000);

  it("lets a device that signed in before through the account's back-off, until it fails itself", async () => {
    const email = uniqueEmail('owner');
    await register(h, email, GOOD_PASSWORD, from('192.0.2.60'));
    const first = await h.gql<{ login: { deviceToken: string } }>(
      LOGIN,
      { input: { email, password: GOOD_PASSWORD } },
      from('192.0.2.61'),
    );
    const deviceToken = first.body.data?.login.deviceToken;
    expect(deviceToken).toMatch(/^vsd1\./);
    // Someone else fails past the free failures: the account is in back-off for everyone without the device token.
    for (let n = 0; n < 4; n++)
      expect(codeOf(await login(email, 'wrong password!', '192.0.2.62'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(email, GOOD_PASSWORD, '192.0.2.63'))).toBe('RATE_LIMITED');
    const withDevice = (password: string) =>
      h.gql(LOGIN, { input: { email, password, deviceToken } }, from('192.0.2.61'));
    expect(codeOf(await withDevice(GOOD_PASSWORD))).toBeUndefined();
    // The device's own failures (3 free) end its pass: the back-off applies to it too.
    await login(email, 'wrong password!', '192.0.2.62'); // a new lock: the success above cleared the account
    for (let n = 0; n < 3; n++) expect(codeOf(await withDevice('wrong password!'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await withDevice(GOOD_PASSWORD))).toBe('RATE_LIMITED');
  }, 20_000);

  it('limits sign-in attempts per IP across accounts', async () => {
    const ip = '198.18.0.1';
    for (let n = 0; n < 12; n++)
      expect(codeOf(await login(uniqueEmail('spray'), 'wrong password!', ip))).toBe('UNAUTHENTICATED');
    const limited = await login(uniqueEmail('spray'), 'wrong password!', ip);
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(800);
    // Another IP is not affected.
    expect(codeOf(await login(uniqueEmail('spray'), 'wrong password!', '198.18.0.2'))).toBe('UNAUTHENTICATED');
  });

  it('limits registrations per IP', async () => {
    const ip = '198.18.1.1';
    for (let n = 0; n < 4; n++) await register(h, uniqueEmail('reg'), GOOD_PASSWORD, from(ip));
    const res = await h.gql(
      REGISTER,
      { input: { email: uniqueEmail('reg'), password: GOOD_PASSWORD, displayName: 'X' } },
      from(ip),
    );
    expect(codeOf(res)).toBe('RATE_LIMITED');
  });

  it('limits reset emails per address', async () => {
    const email = uniqueEmail('mailbomb');
    const q = 'mutation($e: String!) { requestPasswordReset(email: $e) }';
    for (let n = 0; n < 5; n++) expect(codeOf(await h.gql(q, { e: email }, from(`198.18.2.${n}`)))).toBeUndefined();
    expect(codeOf(await h.gql(q, { e: email }, from('198.18.2.99')))).toBe('RATE_LIMITED');
  });
});

describe('enumeration', () => {
  it('gives the same body, status and similar timing for an unknown email and a wrong password', async () => {
    const email = uniqueEmail('timing');
    await register(h, email);
    const time = async (e: string, n: number) => {
      const started = performance.now();
      const res = await login(e, 'wrong password!', `203.0.113.${n}`);
      return { ms: performance.now() - started, res };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let n = 0; n < 3; n++) {
      const k = await time(email, 100 + n);
      const u = await time(uniqueEmail('ghost'), 150 + n);
      expect(k.res.status).toBe(u.res.status);
      expect(k.res.body).toEqual(u.res.body);
      known.push(k.ms);
      unknown.push(u.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    // Both paths run one argon2id verification: within a factor of 2 of each other (no fast path for unknown emails).
    expect(median(unknown)).toBeGreaterThan(median(known) / 2);
    expect(median(known)).toBeGreaterThan(median(unknown) / 2);
  });
});

describe('a sign-in storm past the hashing queue', () => {
  // One hash at a time, one waiting, each slow (t=10): eight simultaneous sign-ins from eight addresses.
  let storm: Harness;
  beforeAll(async () => {
    storm = await startHarness({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1', ARGON2_TIME_COST: '10' });
  });
  afterAll(async () => {
    await storm?.close();
  });

  it('refuses what cannot wait with SERVICE_UNAVAILABLE and retryAfter, counts no failure, and signs in afterwards', async () => {
    const email = uniqueEmail('storm');
    await register(storm, email, GOOD_PASSWORD, from('192.0.2.230'));
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        storm.gql(LOGIN, { input: { email, password: GOOD_PASSWORD } }, from(`192.0.2.${231 + n}`)),
      ),
    );
    for (const reply of replies) expect(reply.status).toBe(200);
    const codes = replies.map(codeOf);
    // The hash running and the one waiting sign in; the rest arrive while both are taken.
    expect(codes.filter((c) => c === undefined).length).toBeGreaterThanOrEqual(2);
    expect(codes.filter((c) => c === 'SERVICE_UNAVAILABLE').length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === undefined || c === 'SERVICE_UNAVAILABLE')).toBe(true);
    for (const reply of replies.filter((r) => codeOf(r) === 'SERVICE_UNAVAILABLE')) {
      const [error] = reply.body.errors ?? [];
      expect(error?.message).toBe('Password checks are busy; try again in a moment');
      expect(error?.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    }
    // A refusal checked no password: it is neither a failure of the account nor an audited attempt.
    expect(codeOf(await storm.gql(LOGIN, { input: { email, password: GOOD_PASSWORD } }, from('192.0.2.250')))).toBe(
      undefined,
    );
    const audit = await storm.db.loginAudit.groupBy({ by: ['outcome'], where: { email }, _count: true });
    expect(Object.fromEntries(audit.map((a) => [a.outcome, a._count]))).toEqual({
      SUCCESS: codes.filter((c) => c === undefined).length + 1,
    });
  }, 60_000);
});
