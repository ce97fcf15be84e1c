// The payment subgraph under the rules every subgraph follows (issue 14): readiness includes its revocation view,
// metrics only on the internal listener, a production start refused without the gateway secret, revocations applied,
// and partner API keys kept away from everything but a farm's public payment settings.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { loadPaymentConfig } from '../src/env.ts';
import { startHarness, codeOf, users, type Caller, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const partnerKey = (scopes: readonly string[]): Caller => ({
  id: demo.users.partner.id,
  roles: ['PARTNER'],
  apiKey: { id: randomUUID(), scopes },
});
const ALL_SCOPES = ['farms:read', 'plots:read', 'crops:read', 'rentals:read', 'rentals:write', 'streams:read'];

describe('operations', () => {
  it('serves health and readiness (postgres, revocations), and metrics only on the internal listener', async () => {
    expect((await fetch(`${h.service.url}/health`)).status).toBe(200);
    const ready = await fetch(`${h.service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'postgres', ok: true },
        { name: 'revocations', ok: true },
      ],
    });
    expect((await fetch(`${h.service.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${h.service.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('service="payment"');
    expect(metrics).toContain('payment_provider_calls_total');
  });

  it('refuses a production configuration without GATEWAY_SECRET', () => {
    const env = { DATABASE_URL: h.database.url, NODE_ENV: 'production' };
    expect(() => loadPaymentConfig(env)).toThrow(/GATEWAY_SECRET/);
    expect(loadPaymentConfig({ ...env, GATEWAY_SECRET: 'a-production-gateway-secret' }).NODE_ENV).toBe('production');
  });

  it('refuses the tokens of a deleted account as soon as the revocation arrives on its bus', async () => {
    const customer = { id: randomUUID(), roles: ['CUSTOMER'] };
    const query = '{ myPayments(first: 1) { edges { cursor } } }';
    expect((await h.gql(query, {}, customer)).body.errors).toBeUndefined();
    await h.bus.publish(topics.accessRevoked, {
      kind: 'ACCOUNT_DELETED',
      userId: customer.id,
      at: Date.now(),
    });
    const refused = await h.gql(query, {}, customer);
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
  });
});

describe('partner API keys', () => {
  it('no payment mutation is open to a key, whatever its scopes (they are customers’, farmers’ and admins’ operations)', async () => {
    const key = partnerKey(ALL_SCOPES);
    for (const mutation of [
      `mutation { cancelBooking(paymentId: "${randomUUID()}") { id } }`,
      `mutation { updateFarmPaymentSettings(farmId: "${demo.farms.greenAcres}", input: { commissionBps: 0 }) { commissionBps } }`,
      `mutation { createPayout(farmerId: "${demo.users.farmer.id}", currency: "EUR", month: "2026-01") { id } }`,
      `mutation { markPayoutPaid(id: "${randomUUID()}", reference: "x") { id } }`,
    ]) {
      const r = await h.gql(mutation, {}, key);
      expect(codeOf(r), mutation).toBe('FORBIDDEN');
      expect((r.body.errors?.[0]?.extensions as { reason?: string } | undefined)?.reason, mutation).toBe(
        'INSUFFICIENT_SCOPE',
      );
    }
  });

  it('a farm’s payment settings need farms:read; payments and balances stay out of a key’s reach', async () => {
    const settings = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Farm { paymentSettings { currency } } } }`;
    const farm = { r: [{ __typename: 'Farm', id: demo.farms.greenAcres }] };
    const without = await h.gql(settings, farm, partnerKey(['crops:read']));
    expect((without.body.errors?.[0]?.extensions as { reason?: string } | undefined)?.reason).toBe(
      'INSUFFICIENT_SCOPE',
    );
    const withScope = await h.gql(settings, farm, partnerKey(['farms:read']));
    expect(withScope.body.errors).toBeUndefined();
    expect(withScope.body.data?.['_entities'][0].paymentSettings.currency).toMatch(/^[A-Z]{3}$/);

    const key = partnerKey(ALL_SCOPES);
    expect(codeOf(await h.gql('{ myPayments(first: 1) { edges { cursor } } }', {}, key))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ farmerBalance { currency } }', {}, key))).toBe('FORBIDDEN');
    // A user session of the same partner is no different: payments are customers', farmers' and admins'.
    expect(codeOf(await h.gql('{ myPayments(first: 1) { edges { cursor } } }', {}, users.partner))).toBe('FORBIDDEN');
  });
});
