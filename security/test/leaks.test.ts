// Finding 8: smaller leaks — metrics on an internal port only, a bounded operation-name label, and a per-account lock
// that no longer locks the owner's own device out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, MemoryEventBus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { loadService } from '@vegshare/tools/services';
import { GATEWAY_SECRET, codeOf, post, startSuite, type Suite } from './harness.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

describe('metrics', () => {
  it('are never served on a public port, only on each service’s internal metrics listener', async () => {
    const gateway = (await suite.gateway({})) as { url: string; metricsUrl: string };
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${gateway.metricsUrl}/metrics`)).text()).toContain('graphql_operations_total');
    expect((await fetch(`${suite.gatewayUrl}/metrics`)).status).toBe(404);
    for (const [name, service] of suite.stack.subgraphs) {
      expect((await fetch(`${service.url}/metrics`)).status, name).toBe(404);
      expect(await (await fetch(`${service.metricsUrl}/metrics`)).text(), name).toContain(`service="${name}"`);
      expect(new URL(service.metricsUrl).hostname).toBe('127.0.0.1');
    }
  });

  it('keep a bounded set of operation-name labels whatever names clients send', async () => {
    const gateway = (await suite.gateway({})) as { url: string; metricsUrl: string };
    for (let i = 0; i < 160; i += 1) {
      await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Random${i}x${Math.random().toString(36).slice(2, 8)} { __typename }` }),
      });
    }
    // Names of operations that never resolved (invalid documents) never become labels either.
    await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ nope }', operationName: 'Garbage_<script>' }),
    });
    const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    const labels = new Set(
      [...text.matchAll(/^graphql_operations_total\{[^}]*operation="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect(labels.size).toBeLessThanOrEqual(100 + 5 + 2);
    expect(labels.has('other')).toBe(true);
    expect([...labels].some((l) => l?.includes('<'))).toBe(false);
  });
});

describe('per-account lock', () => {
  const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken deviceToken } }';
  const login = (email: string, password: string, deviceToken?: string) =>
    suite.gql<{ login: { accessToken: string; deviceToken: string } }>(LOGIN, {
      i: { email, password, ...(deviceToken ? { deviceToken } : {}) },
    });

  it('keeps the back-off against guessing, but lets a device that signed in before through', async () => {
    const email = demo.users.farmer2.email;
    const owner = await login(email, demo.password);
    const deviceToken = owner.data?.login.deviceToken as string;
    expect(deviceToken).toMatch(/^vsd1\./);
    // An attacker elsewhere burns the free failures: the account is in back-off.
    for (let i = 0; i < 7; i += 1) await login(email, `wrong password ${i}`);
    expect(codeOf(await login(email, demo.password))).toBe('RATE_LIMITED');
    // The owner's device still signs in, with the right password.
    const back = await login(email, demo.password, deviceToken);
    expect(back.errors).toBeUndefined();
    expect(back.data?.login.accessToken).toBeTruthy();
    // A device token of another account, or a forged one, gives nothing.
    const other = (await login(demo.users.customer.email, demo.password)).data?.login.deviceToken as string;
    for (let i = 0; i < 7; i += 1) await login(email, `wrong again ${i}`);
    expect(codeOf(await login(email, demo.password, other))).toBe('RATE_LIMITED');
    expect(codeOf(await login(email, demo.password, `${deviceToken.slice(0, -3)}AAA`))).toBe('RATE_LIMITED');
  });

  it('a device that keeps failing with its token loses the benefit', async () => {
    const email = demo.users.admin.email;
    const deviceToken = (await login(email, demo.password)).data?.login.deviceToken as string;
    for (let i = 0; i < 6; i += 1) await login(email, `guess ${i}`, deviceToken);
    expect(codeOf(await login(email, demo.password, deviceToken))).toBe('RATE_LIMITED');
  });
});

describe('sign-up does not reveal who has an account', () => {
  const SIGN_UP = 'mutation($i: RegisterInput!) { signUp(input: $i) { accepted email } }';
  const mailbox = async (email: string) =>
    (
      (await (await fetch(`${suite.subgraph('auth')}/dev/mailbox?email=${encodeURIComponent(email)}`)).json()) as {
        messages: { kind: string; body: string }[];
      }
    ).messages;

  it('answers an existing email exactly as a new one, and emails the owner instead', async () => {
    const fresh = `new.${Date.now()}@example.test`;
    const taken = demo.users.customer.email;
    const input = (email: string) => ({
      i: { email, password: 'correct horse battery staple', displayName: 'Someone' },
    });
    const a = await suite.gql(SIGN_UP, input(fresh));
    const b = await suite.gql(SIGN_UP, input(taken));
    expect({
      status: a.status,
      errors: a.errors,
      accepted: (a.data as { signUp: { accepted: boolean } }).signUp.accepted,
    }).toEqual({
      status: b.status,
      errors: b.errors,
      accepted: (b.data as { signUp: { accepted: boolean } }).signUp.accepted,
    });
    expect((await mailbox(taken)).map((m) => m.kind)).toContain('ACCOUNT_EXISTS');
    expect((await mailbox(fresh)).map((m) => m.kind)).toEqual(['EMAIL_VERIFICATION']);

    // The pending account cannot sign in — refused exactly like a wrong password.
    const early = await suite.gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: fresh, password: 'correct horse battery staple' },
    });
    const wrong = await suite.gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: taken, password: 'not the password at all' },
    });
    expect(early.errors).toEqual(wrong.errors);

    // The mailbox owner completes it with the emailed code, choosing the password.
    const code = /code: (\S+)/.exec((await mailbox(fresh))[0]?.body ?? '')?.[1] as string;
    const done = await suite.gql<{ completeSignUp: { accessToken: string; user: { email: string } } }>(
      'mutation($i: CompleteSignUpInput!) { completeSignUp(input: $i) { accessToken user { email } } }',
      { i: { token: code, password: 'a different horse battery' } },
    );
    expect(done.errors).toBeUndefined();
    expect(done.data?.completeSignUp.user.email).toBe(fresh);
    expect(
      (
        await suite.gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
          i: { email: fresh, password: 'a different horse battery' },
        })
      ).errors,
    ).toBeUndefined();
  });

  it('turns the email-revealing register mutation off in production', async () => {
    const service = await loadService('auth');
    const auth = await service.start(
      service.loadConfig({
        DATABASE_URL: suite.database.url,
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'production',
        GATEWAY_SECRET,
        AUTH_KEY_ENCRYPTION_SECRET: 'a-long-production-secret-value',
      }),
      { logger: createLogger('auth', 'silent'), events: new MemoryEventBus() },
    );
    try {
      const r = await post(
        `${auth.url}/graphql`,
        {
          query:
            'mutation { register(input: { email: "x@example.test", password: "correct horse battery staple", displayName: "X" }) { accessToken } }',
        },
        { 'x-gateway-secret': GATEWAY_SECRET },
      );
      expect(codeOf(r)).toBe('FORBIDDEN');
    } finally {
      await auth.stop(500);
    }
  });
});
