// Finding 8: smaller leaks — metrics on an internal port only, a bounded operation-name label, and a per-account lock
// that no longer locks the owner's own device out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/kit';
import { codeOf, startSuite, type Suite } from './harness.ts';

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
      await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `query Random${i}x${Math.random().toString(36).slice(2, 8)} { __typename }` }) });
    }
    // Names of operations that never resolved (invalid documents) never become labels either.
    await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ nope }', operationName: 'Garbage_<script>' }) });
    const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    const labels = new Set([...text.matchAll(/^graphql_operations_total\{[^}]*operation="([^"]*)"/gm)].map((m) => m[1]));
    expect(labels.size).toBeLessThanOrEqual(100 + 5 + 2);
    expect(labels.has('other')).toBe(true);
    expect([...labels].some((l) => l?.includes('<'))).toBe(false);
  });
});

describe('per-account lock', () => {
  const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken deviceToken } }';
  const login = (email: string, password: string, deviceToken?: string) => suite.gql<{ login: { accessToken: string; deviceToken: string } }>(LOGIN, { i: { email, password, ...(deviceToken ? { deviceToken } : {}) } });

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
