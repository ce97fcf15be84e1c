// The customer's season with money, end to end through the gateway: the whole supergraph in one process (every
// subgraph of rover.yaml, seeded) with the local servers speaking Stripe's and YooKassa's APIs. A customer books a
// plot and pays, the farmer is asked to confirm and confirms, the payment is captured, a second booking is cancelled
// and refunded by the farm's policy, the farmer reads the month's payout statement, and 50 customers checking out
// the same plot at once make exactly one hold and one payment.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack, type GraphQLResult } from '@vegshare/tools/testing/e2e-stack';
import { startPaymentSandbox, type PaymentSandbox } from '@vegshare/tools/testing/payments/sandbox';
import { waitFor } from '@vegshare/tools/testing/wait';

let sandbox: PaymentSandbox;

/** Read loosely: each test reads the fields it asked for. */
type Data = Record<string, any>;
type Gql = GraphQLResult<Data>;
let e2e: E2eStack;
const { gql, login } = gatewayClient<Data>(() => e2e.stack.gatewayUrl);

const Y = new Date().getUTCFullYear() + 1;
const PAYMENT =
  'id status amountCents currency provider providerPaymentId refundedCents confirmation { type clientSecret url } refunds { amountCents status }';

async function paymentOf(rentalId: string, token: string, ok: (p: any) => boolean) {
  return waitFor(
    async () =>
      (await gql(`query($id: ID!) { rental(id: $id) { status payment { ${PAYMENT} } } }`, { id: rentalId }, token))
        .data?.['rental'],
    (r) => Boolean(r?.payment) && ok(r.payment),
    20_000,
  );
}

/** Customer books a plot and pays it on the provider's side (Stripe.js confirming the PaymentIntent). */
async function bookAndPay(token: string, plotId: string, startsOn: string, endsOn: string) {
  const requested = await gql(
    'mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id status } }',
    { p: plotId, s: startsOn, e: endsOn },
    token,
  );
  expect(requested.errors).toBeUndefined();
  const rentalId = requested.data?.['requestRental'].id as string;
  const pending = await paymentOf(rentalId, token, (p) => p.confirmation !== null);
  expect(pending.payment).toMatchObject({
    status: 'PENDING',
    provider: 'STRIPE',
    currency: 'EUR',
    confirmation: { type: 'CLIENT_SECRET' },
  });
  await sandbox.stripe.pay(pending.payment.providerPaymentId);
  await paymentOf(rentalId, token, (p) => p.status === 'WAITING_FOR_CAPTURE');
  return rentalId;
}

beforeAll(async () => {
  sandbox = await startPaymentSandbox();
  e2e = await startE2eStack({
    env: {
      ...sandbox.env,
      GATEWAY_SECRET: 'e2e-gateway-secret-0123456789',
      REGISTER_IP_LIMIT: '200',
      WORKER_INTERVAL_MS: '200',
    },
  });
  const payment = e2e.stack.subgraphs.get('payment');
  if (!payment) throw new Error('the payment subgraph is not in rover.yaml');
  sandbox.connect(payment.url);
}, 120_000);

afterEach(async () => {
  // The ledger's invariants after every test.
  const admin = await login(demo.users.admin.email);
  const health = await gql('{ ledgerHealth { balanced negativeAccounts } }', {}, admin);
  expect(health.data?.['ledgerHealth']).toEqual({ balanced: true, negativeAccounts: 0 });
});

afterAll(async () => {
  await e2e?.stop();
  await sandbox?.stop();
});

describe('a customer season with payments, through the gateway', () => {
  it('pays a rental, is confirmed by the farmer, captured, refunds a cancelled booking and shows up on the payout statement', async () => {
    const customer = await login(demo.users.customer.email);
    const farmer = await login(demo.users.farmer.email);

    const rentalId = await bookAndPay(customer, demo.plots.greenA2, `${Y}-03-01`, `${Y}-11-01`);
    const asked = await waitFor(
      async () =>
        (await gql('{ notifications(first: 20) { edges { node { title body } } } }', {}, farmer)).data?.[
          'notifications'
        ].edges,
      (edges: { node: { title: string } }[]) => edges.some((e) => e.node.title === 'A paid booking waits for you'),
    );
    expect(asked.length).toBeGreaterThan(0);
    expect((await gql(`mutation { activateRental(id: "${rentalId}") { status } }`, {}, farmer)).data).toEqual({
      activateRental: { status: 'ACTIVE' },
    });
    const captured = await paymentOf(rentalId, customer, (p) => p.status === 'SUCCEEDED');
    expect(captured).toMatchObject({ status: 'ACTIVE', payment: { amountCents: 18000, confirmation: null } });

    const crops = await gql('{ crops { id name } }');
    const lettuce = (crops.data?.['crops'] as { id: string; name: string }[]).find((c) => c.name === 'Lettuce');
    const plan = await gql(
      'mutation($i: PlantingPlanInput!) { savePlantingPlan(input: $i) { items { crop { name } } } }',
      { i: { rentalId, items: [{ cropId: lettuce?.id, share: 0.5, sowOn: `${Y}-04-01` }] } },
      customer,
    );
    expect(plan.errors).toBeUndefined();

    const mine = await gql(
      '{ myPayments(first: 10) { edges { node { status amountCents rental { id plot { code farm { name } } } receipt { totalCents customerEmail } customer { displayName } } } } }',
      {},
      customer,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.['myPayments'].edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      status: 'SUCCEEDED',
      amountCents: 18000,
      rental: { id: rentalId, plot: { code: 'A-2', farm: { name: 'Green Acres' } } },
      receipt: { totalCents: 18000, customerEmail: demo.users.customer.email },
      customer: { displayName: demo.users.customer.displayName },
    });

    const viaUser = await gql(
      '{ me { id payments(first: 5, status: SUCCEEDED) { edges { node { rental { id } } } } } }',
      {},
      customer,
    );
    expect(
      viaUser.data?.['me'].payments.edges.map((e: { node: { rental: { id: string } | null } }) => e.node.rental?.id),
    ).toContain(rentalId);
    expect(
      (await gql(`{ rental(id: "${rentalId}") { payment { status } } }`, {}, farmer)).data?.['rental'].payment,
    ).toEqual({ status: 'SUCCEEDED' });

    // A second booking, paid and confirmed, then cancelled by the customer long before the season: refunded in full.
    const second = await bookAndPay(customer, demo.plots.greenB1, `${Y}-04-01`, `${Y}-10-01`);
    await gql(`mutation { activateRental(id: "${second}") { status } }`, {}, farmer);
    const paid = await paymentOf(second, customer, (p) => p.status === 'SUCCEEDED');
    const quote = await gql(
      `{ payment(id: "${paid.payment.id}") { refundQuote { percent amountCents } } }`,
      {},
      customer,
    );
    expect(quote.data?.['payment'].refundQuote).toEqual({ percent: 100, amountCents: 29000 });
    const cancelled = await gql(
      `mutation { cancelBooking(paymentId: "${paid.payment.id}") { refundedCents } }`,
      {},
      customer,
    );
    expect(cancelled.data).toEqual({ cancelBooking: { refundedCents: 29000 } });
    const released = await paymentOf(second, customer, (p) => p.refunds[0]?.status === 'SUCCEEDED');
    expect(released.payment.refunds).toEqual([{ amountCents: 29000, status: 'SUCCEEDED' }]);
    await waitFor(
      async () => (await gql(`{ rental(id: "${second}") { status } }`, {}, customer)).data?.['rental'].status,
      (s) => s === 'CANCELLED',
    );

    // The farmer's month: the captured rental is on the statement; its share waits until the season starts.
    const month = new Date().toISOString().slice(0, 7);
    const statement = await gql(
      `{ payoutStatement(month: "${month}") { currency grossCents commissionCents pendingCents lines { description grossCents refundedCents netCents payment { rental { id } } } } farmerBalance { currency pendingCents availableCents } }`,
      {},
      farmer,
    );
    expect(statement.errors).toBeUndefined();
    const eur = statement.data?.['payoutStatement'].find((s: { currency: string }) => s.currency === 'EUR');
    expect(eur.lines).toContainEqual({
      description: expect.stringContaining('Plot A-2'),
      grossCents: 18000,
      refundedCents: 0,
      netCents: 16200,
      payment: { rental: { id: rentalId } },
    });
    expect(eur.lines).toContainEqual({
      description: expect.stringContaining('Plot B-1'),
      grossCents: 29000,
      refundedCents: 29000,
      netCents: 0,
      payment: { rental: { id: second } },
    });
    expect(eur.pendingCents).toBe(16200);
    expect(statement.data?.['farmerBalance']).toContainEqual({
      currency: 'EUR',
      pendingCents: 16200,
      availableCents: expect.any(Number),
    });
    expect(
      (await gql(`{ rental(id: "${rentalId}") { payment { id } } }`, {}, await login(demo.users.farmer2.email))).data?.[
        'rental'
      ],
    ).toBeNull();

    // What is available (the demo season's share, released when it started) is paid out by an admin and marked paid.
    const available =
      (statement.data?.['farmerBalance'] as { currency: string; availableCents: number }[]).find(
        (b) => b.currency === 'EUR',
      )?.availableCents ?? 0;
    expect(available).toBeGreaterThan(0);
    const admin = await login(demo.users.admin.email);
    const payout = await gql(
      `mutation { createPayout(farmerId: "${demo.users.farmer.id}", currency: "EUR", month: "${month}") { id amountCents } }`,
      {},
      admin,
    );
    expect(payout.data?.['createPayout'].amountCents).toBe(available);
    await gql(
      `mutation { markPayoutPaid(id: "${payout.data?.['createPayout'].id}", reference: "SEPA-E2E-1") { status } }`,
      {},
      admin,
    );
    const after = await gql(
      `{ payoutStatement(month: "${month}") { currency paidOutCents closingBalanceCents payout { status reference amountCents } } }`,
      {},
      farmer,
    );
    expect(after.data?.['payoutStatement'].find((s: { currency: string }) => s.currency === 'EUR')).toMatchObject({
      paidOutCents: available,
      closingBalanceCents: 0,
      payout: { status: 'PAID', reference: 'SEPA-E2E-1', amountCents: available },
    });
  }, 120_000);

  it('lets exactly one of 50 customers checking out the same plot at once hold it and pay', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
          i: {
            email: `rush-${i}-${Date.now()}@example.test`,
            password: 'a-long-unusual-passphrase-42',
            displayName: `Rush ${i}`,
          },
        });
        expect(r.errors).toBeUndefined();
        return r.data?.['register'].accessToken as string;
      }),
    );
    const results = await Promise.all(
      tokens.map((t) =>
        gql(
          `mutation { requestRental(plotId: "${demo.plots.orchard1}", startsOn: "${Y}-05-01", endsOn: "${Y}-09-01") { id } }`,
          {},
          t,
        ),
      ),
    );
    const won = results.filter((r) => r.data?.['requestRental']);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.['code'] === 'CONFLICT')).toHaveLength(49);
    const winner = tokens[results.indexOf(won[0] as Gql)] as string;
    const rentalId = won[0]?.data?.['requestRental'].id as string;
    const pending = await paymentOf(rentalId, winner, (p) => p.providerPaymentId !== null);
    expect(pending.payment).toMatchObject({ amountCents: 12000, status: 'PENDING' });
    const intents = [...sandbox.stripe.intents.values()].filter(
      (i) => i.description?.includes('Plot T-1') && i.description.includes(`${Y}-05-01`),
    );
    expect(intents).toHaveLength(1);
  }, 120_000);
});
