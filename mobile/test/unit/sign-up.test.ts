// Sign-up and sign-in as the app does them against the real auth service in production (issue 14): the deprecated
// `register` is refused there, the app's two steps (signUp, then the emailed code with completeSignUp) create and sign
// in the account, and the device token the app keeps lets its device through the account's back-off after someone
// else's failed guesses.
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, codeOf, type Harness } from '../../../subgraphs/auth/test/harness.ts';
import { DeviceTokens } from '../../src/auth/device-tokens';
import { memoryStorage } from '../../src/auth/storage-types';
import type { AuthPayloadFieldsFragment } from '../../src/gql/graphql';
import { LoginDocument } from '../../src/graphql/operations';
import { PASSWORD, signUpAsApp, startProductionAuth } from './auth-service';

let h: Harness;
beforeAll(async () => {
  h = await startProductionAuth({ LOGIN_FREE_FAILURES: '3' });
});
afterAll(async () => h?.close());

const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.test`;
const login = (address: string, password: string, deviceToken?: string) =>
  h.gql<{ login: AuthPayloadFieldsFragment }>(print(LoginDocument), {
    input: { email: address, password, ...(deviceToken ? { deviceToken } : {}) },
  });

describe('sign-up in production', () => {
  it('refuses the old one-step register, and signs the account up in the app’s two steps', async () => {
    const address = email('new');
    const old = await h.gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { email: address, password: PASSWORD, displayName: 'Old App' },
    });
    expect(codeOf(old)).toBe('FORBIDDEN');

    const payload = await signUpAsApp(h, address);
    expect(payload.user.email).toBe(address);
    expect(payload.deviceToken).toMatch(/^vsd1\./);
    const me = await h.gql<{ me: { email: string } }>('{ me { email } }', {}, bearer(payload.accessToken));
    expect(me.body.data?.me.email).toBe(address);
    expect((await login(address, PASSWORD)).body.errors).toBeUndefined();
  });
});

describe('device tokens', () => {
  it('are kept per account, across sign-outs, and the device they came from signs in during the account’s back-off', async () => {
    const devices = new DeviceTokens(memoryStorage());
    const address = email('owner');
    const payload = await signUpAsApp(h, address);
    await devices.remember(address, payload.deviceToken);
    // Someone elsewhere guesses the password: the account is in back-off for everyone…
    for (let i = 0; i < 5; i += 1) await login(address, `wrong guess ${i}`);
    expect(codeOf(await login(address, PASSWORD))).toBe('RATE_LIMITED');
    // …except this device, which sends the token it kept (the email as typed, in any case).
    const back = await login(address, PASSWORD, await devices.get(address.toUpperCase()));
    expect(back.body.errors).toBeUndefined();
    await devices.remember(address, back.body.data?.login.deviceToken);
    expect(await devices.get(address)).toBe(back.body.data?.login.deviceToken);
  });

  it('remember the five most recent accounts and ignore what is not theirs in storage', async () => {
    let clock = 0;
    const storage = memoryStorage();
    const devices = new DeviceTokens(storage, () => (clock += 1));
    for (let i = 0; i < 7; i += 1) await devices.remember(`user${i}@example.test`, `vsd1.token${i}`);
    expect(await devices.get('user0@example.test')).toBeUndefined();
    expect(await devices.get('user1@example.test')).toBeUndefined();
    expect(await devices.get('user6@example.test')).toBe('vsd1.token6');
    await devices.remember('user6@example.test', null); // a refresh returns none: the kept one stays
    expect(await devices.get('user6@example.test')).toBe('vsd1.token6');
    await storage.set('not json');
    expect(await devices.get('user6@example.test')).toBeUndefined();
    await storage.set('{"a@example.test": {"token": 1}}');
    expect(await devices.get('a@example.test')).toBeUndefined();
  });
});
