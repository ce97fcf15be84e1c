// Account deletion across the whole supergraph (every subgraph in process, the real gateway): a customer with a
// profile, an address, a push device and an active rental with a camera deletes the account; auth deletes it and
// publishes UserDeleted, user erases the profile, farm cancels the rental and erases delivery text, streaming drops
// the camera rights, payment erases the receipt address (the rental's payment was never made, so no refund can need
// it), and each acknowledges, which completes the deletion in auth.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack } from '../src/testing/e2e-stack.ts';
import { waitFor } from '../src/testing/wait.ts';
import pg from 'pg';

let e2e: E2eStack;
const { gql } = gatewayClient(() => e2e.stack.gatewayUrl);
async function ok<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const r = await gql<T>(query, variables, token);
  if (r.errors?.length || !r.data) throw new Error(JSON.stringify(r.errors));
  return r.data;
}
const count = async (sql: string, ...params: unknown[]): Promise<number> => {
  const client = new pg.Client({ connectionString: e2e.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  e2e = await startE2eStack({ env: { PUSH_WORKER: 'false' } });
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
});

describe('account deletion', () => {
  it('erases or anonymises the account in every subgraph and completes once each acknowledged', async () => {
    const email = `leaving-${randomUUID().slice(0, 8)}@example.test`;
    const password = 'a-long-and-fine-password-42';
    const { register } = await ok<{ register: { accessToken: string; user: { id: string } } }>(
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }',
      { i: { email, password, displayName: 'Leaving Soon' } },
    );
    const token = register.accessToken;
    const userId = register.user.id;
    await waitFor(
      async () =>
        (await gql<{ me: { displayName: string } }>('{ me { displayName } }', {}, token)).data?.me.displayName,
      (n) => n === 'Leaving Soon',
    );
    await ok(
      'mutation($i: DeliveryAddressInput!) { createDeliveryAddress(input: $i) { id } }',
      {
        i: {
          recipientName: 'Leaving Soon',
          line1: '3 Garden Lane',
          postalCode: '1000',
          city: 'Brussels',
          countryCode: 'BE',
        },
      },
      token,
    );
    await ok(
      'mutation { registerPushDevice(input: { token: "ExponentPushToken[e2e-account-deletion]", platform: ANDROID }) { id } }',
      {},
      token,
    );
    const starts = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const ends = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const { requestRental } = await ok<{ requestRental: { id: string } }>(
      'mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }',
      { p: demo.plots.river1, s: starts, e: ends },
      token,
    );
    const farmer = (
      await ok<{ login: { accessToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
        i: { email: demo.users.admin.email, password: demo.password },
      })
    ).login.accessToken;
    await ok('mutation($id: ID!) { activateRental(id: $id) { id } }', { id: requestRental.id }, farmer);
    await waitFor(
      () => count('SELECT count(*) AS n FROM streaming.plot_rental WHERE customer_id = $1', userId),
      (n) => n === 1,
    );
    await waitFor(
      () => count('SELECT count(*) AS n FROM payment.customer_contact WHERE user_id = $1', userId),
      (n) => n === 1,
    );
    expect(await count('SELECT count(*) AS n FROM payment.payment WHERE customer_id = $1', userId)).toBe(1);

    const wrong = await gql('mutation { deleteAccount(password: "nope") }', {}, token);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(
      (
        await ok<{ deleteAccount: boolean }>(
          'mutation($p: String!) { deleteAccount(password: $p) }',
          { p: password },
          token,
        )
      ).deleteAccount,
    ).toBe(true);

    await waitFor(
      () =>
        count(
          'SELECT count(*) AS n FROM auth.account_deletion WHERE user_id = $1 AND completed_at IS NOT NULL',
          userId,
        ),
      (n) => n === 1,
      15_000,
    );
    expect(
      await count(
        `SELECT count(*) AS n FROM auth.account_deletion WHERE user_id = $1 AND erased_by @> ARRAY['user','farm','streaming','payment']`,
        userId,
      ),
    ).toBe(1);
    expect(await count('SELECT count(*) AS n FROM payment.customer_contact WHERE user_id = $1', userId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM auth."user" WHERE id = $1', userId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM "user".profile WHERE id = $1', userId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM "user".delivery_address WHERE user_id = $1', userId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM "user".push_device WHERE user_id = $1', userId)).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM farm.rental WHERE customer_id = $1 AND status = 'CANCELLED'`, userId),
    ).toBe(1);
    // Camera rights are gone (the farm's later RentalChanged may record the cancellation again, never an active rental).
    await waitFor(
      () =>
        count(
          `SELECT count(*) AS n FROM streaming.plot_rental WHERE customer_id = $1 AND status IN ('REQUESTED', 'ACTIVE')`,
          userId,
        ),
      (n) => n === 0,
    );
    expect(
      await count(`SELECT count(*) AS n FROM auth.outbox WHERE recipient = $1 AND kind = 'ACCOUNT_DELETED'`, email),
    ).toBe(1);

    // The old token gets nothing personal any more; the password no longer signs in.
    const me = await gql<{ me: unknown }>('{ me { id displayName } }', {}, token);
    expect(me.data?.me ?? null).toBeNull();
    const login = await gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email, password },
    });
    expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
