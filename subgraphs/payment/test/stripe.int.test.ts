// EUR payments through the local server speaking Stripe's API: PaymentIntents with manual capture, signed webhooks,
// duplicate and out-of-order deliveries, the farm's confirmation, refunds by the farm's policy, receipts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { waitFor } from '@vegshare/tools/testing/wait';
import { startHarness, checkInvariants, rental, users, codeOf, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

const PAYMENT =
  'id status amountCents currency provider providerPaymentId refundedCents confirmation { type clientSecret url } rental { id }';

async function authorised(bookingId: string) {
  const created = await h.waitForPayment(bookingId, (p) => Boolean(p?.providerPaymentId));
  await h.stripe.pay(created.providerPaymentId ?? '');
  return h.waitForPayment(bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
}

describe('a rental paid through Stripe', () => {
  it('creates a manual-capture PaymentIntent keyed by our payment, holds the money, captures when the farm confirms, and posts the capture to the ledger', async () => {
    const booking = rental();
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.clientSecret));
    const intent = h.stripe.intents.get(pending.providerPaymentId ?? '');
    expect(intent).toMatchObject({
      amount: 18000,
      currency: 'eur',
      capture_method: 'manual',
      metadata: { paymentId: pending.id },
      receipt_email: users.customer.email,
    });

    const asCustomer = await h.gql(
      `query($b: ID!) { _entities(representations: [{ __typename: "Rental", id: $b }]) { ... on Rental { payment { ${PAYMENT} } } } }`,
      { b: booking.bookingId },
      users.customer,
    );
    expect(asCustomer.body.data?.['_entities'][0].payment).toMatchObject({
      status: 'PENDING',
      provider: 'STRIPE',
      confirmation: { type: 'CLIENT_SECRET', clientSecret: intent?.client_secret },
      rental: { id: booking.bookingId },
    });
    const asFarmer = await h.gql(`{ payment(id: "${pending.id}") { status confirmation { type } } }`, {}, users.farmer);
    expect(asFarmer.body.data?.['payment']).toEqual({ status: 'PENDING', confirmation: null });
    expect(
      (await h.gql(`{ payment(id: "${pending.id}") { id } }`, {}, users.customer2)).body.data?.['payment'],
    ).toBeNull();

    await authorised(booking.bookingId);
    // The notification leaves through the outbox relay after the payment's change committed: wait for it.
    const farmerTitles = () =>
      h.published.notifications
        .filter((n) => n.userId === users.farmer.id && n.eventId.startsWith(`payment:${pending.id}`))
        .map((n) => n.title);
    expect(await waitFor(farmerTitles, (titles) => titles.includes('A paid booking waits for you'))).toContain(
      'A paid booking waits for you',
    );
    expect(await h.service.deps.db.ledgerEntry.count({ where: { paymentId: pending.id } })).toBe(0); // nothing is captured yet

    await h.book({ ...booking, status: 'ACTIVE' });
    const paid = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
    expect(paid.paidAt).not.toBeNull();
    expect(intent?.status).toBe('succeeded');
    const entries = await h.service.deps.db.ledgerEntry.findMany({
      where: { paymentId: paid.id },
      orderBy: { accountKind: 'asc' },
    });
    expect(entries.map((e) => [e.accountKind, Number(e.amountCents)])).toEqual([
      ['CUSTOMER', -18000],
      ['FARMER_PENDING', 16200],
      ['PLATFORM_COMMISSION', 1800],
    ]);
    const receipt = await h.gql(
      `{ payment(id: "${paid.id}") { receipt { number totalCents currency customerEmail lines { description amountCents } } } }`,
      {},
      users.customer,
    );
    expect(receipt.body.data?.['payment'].receipt).toMatchObject({
      number: paid.id,
      totalCents: 18000,
      currency: 'EUR',
      customerEmail: users.customer.email,
      lines: [{ amountCents: 18000 }],
    });
  });

  it('captures at once when the farm confirmed before the customer paid', async () => {
    const booking = rental();
    await h.book(booking);
    await h.book({ ...booking, status: 'ACTIVE' });
    await authorised(booking.bookingId).catch(() => undefined);
    const paid = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
    expect(h.stripe.intents.get(paid.providerPaymentId ?? '')?.status).toBe('succeeded');
  });

  it('refuses webhooks with a bad or stale signature and ignores duplicate and out-of-order deliveries', async () => {
    h.stripe.autoDeliver = false;
    try {
      const booking = rental();
      await h.book(booking);
      const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
      await h.stripe.pay(created.providerPaymentId ?? '');
      const authorisedEvent = h.stripe.events.find(
        (e) => e.type === 'payment_intent.amount_capturable_updated' && e.data.object.id === created.providerPaymentId,
      );
      expect(authorisedEvent).toBeDefined();
      if (!authorisedEvent) return;
      expect(await h.stripe.deliver(authorisedEvent, 'whsec_not_the_secret_of_this_endpoint')).toBe(400);
      const payload = JSON.stringify(authorisedEvent);
      const stale = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
        payload,
        secret: h.env['STRIPE_WEBHOOK_SECRET'] ?? '',
        timestamp: Math.floor(Date.now() / 1000) - 600,
      });
      expect(
        (
          await fetch(`${h.service.url}/webhooks/stripe`, {
            method: 'POST',
            headers: { 'stripe-signature': stale },
            body: payload,
          })
        ).status,
      ).toBe(400);
      const forged = await fetch(`${h.service.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'stripe-signature': 't=1,v1=00' },
        body: JSON.stringify(authorisedEvent),
      });
      expect(forged.status).toBe(400);
      expect((await h.payment(booking.bookingId))?.status).toBe('PENDING');

      // The farm confirms; the capture's "succeeded" event arrives before the older "authorised" one, and both twice.
      await h.book({ ...booking, status: 'ACTIVE' });
      expect(await h.stripe.deliver(authorisedEvent)).toBe(200);
      const captured = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
      const succeededEvent = h.stripe.events.find(
        (e) => e.type === 'payment_intent.succeeded' && e.data.object.id === created.providerPaymentId,
      );
      if (!succeededEvent) throw new Error('no succeeded event');
      const replies = await Promise.all([
        h.stripe.deliver(succeededEvent),
        h.stripe.deliver(succeededEvent),
        h.stripe.deliver(authorisedEvent),
      ]);
      expect(replies).toEqual([200, 200, 200]);
      const after = await h.payment(booking.bookingId);
      expect(after?.status).toBe('SUCCEEDED');
      expect(after?.version).toBe(captured.version);
      expect(
        await h.service.deps.db.ledgerEntry.count({ where: { paymentId: captured.id, journalKind: 'capture' } }),
      ).toBe(3);
      expect(
        await h.service.deps.db.webhookEvent.count({
          where: { provider: 'STRIPE', eventKey: { in: [succeededEvent.id, authorisedEvent.id] } },
        }),
      ).toBe(2);
    } finally {
      h.stripe.autoDeliver = true;
    }
  });

  it('refunds a customer who cancels before the season per the farm policy, and cancels a held payment without charging', async () => {
    const startsOn = new Date(Date.now() + 100 * 86_400_000).toISOString().slice(0, 10);
    const paidBooking = rental({ startsOn });
    await h.book(paidBooking);
    await authorised(paidBooking.bookingId);
    await h.book({ ...paidBooking, status: 'ACTIVE' });
    const paid = await h.waitForPayment(paidBooking.bookingId, (p) => p?.status === 'SUCCEEDED');
    // Half back under the farm's own policy: 100 days before the start, between the 30- and 200-day tiers.
    const farmer = await h.gql(
      `mutation { updateFarmPaymentSettings(farmId: "${paidBooking.farmId}", input: { refundPolicy: [{ daysBefore: 30, percent: 50 }, { daysBefore: 200, percent: 100 }] }) { refundPolicy { daysBefore percent } } }`,
      {},
      users.farmer,
    );
    expect(farmer.body.errors).toBeUndefined();
    expect(farmer.body.data?.['updateFarmPaymentSettings'].refundPolicy).toEqual([
      { daysBefore: 200, percent: 100 },
      { daysBefore: 30, percent: 50 },
    ]);
    expect(
      codeOf(
        await h.gql(
          `mutation { updateFarmPaymentSettings(farmId: "${paidBooking.farmId}", input: { commissionBps: 0 }) { commissionBps } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    const quote = await h.gql(
      `{ payment(id: "${paid.id}") { refundQuote { percent amountCents } } }`,
      {},
      users.customer,
    );
    const expected = quote.body.data?.['payment'].refundQuote as { percent: number; amountCents: number };
    expect(expected).toEqual({ percent: 50, amountCents: 9000 });
    expect(codeOf(await h.gql(`mutation { cancelBooking(paymentId: "${paid.id}") { id } }`, {}, users.customer2))).toBe(
      'NOT_FOUND',
    );
    const cancelled = await h.gql(
      `mutation { cancelBooking(paymentId: "${paid.id}") { status refundedCents refunds { amountCents reason } } }`,
      {},
      users.customer,
    );
    expect(cancelled.body.data?.['cancelBooking']).toMatchObject({
      status: 'SUCCEEDED',
      refundedCents: expected.amountCents,
    });
    await h.eventsSent(); // the relay publishes apart from the commit
    expect(h.published.releases).toContainEqual({
      kind: 'RENTAL',
      bookingId: paidBooking.bookingId,
      reason: 'CUSTOMER_CANCELLED',
    });
    const refund = await waitFor(
      () => h.service.deps.db.refund.findFirst({ where: { paymentId: paid.id } }),
      (r) => r?.status === 'SUCCEEDED',
    );
    expect([...h.stripe.refunds.values()].filter((r) => r.payment_intent === paid.providerPaymentId)).toEqual([
      expect.objectContaining({ id: refund?.providerRefundId, amount: 9000, metadata: { refundId: refund?.id } }),
    ]);
    const ledger = await h.service.deps.db.ledgerEntry.findMany({ where: { refundId: refund?.id ?? '' } });
    expect(ledger.map((e) => [e.accountKind, Number(e.amountCents)]).sort()).toEqual([
      ['CUSTOMER', 9000],
      ['FARMER_PENDING', -8100],
      ['PLATFORM_COMMISSION', -900],
    ]);
    expect(codeOf(await h.gql(`mutation { cancelBooking(paymentId: "${paid.id}") { id } }`, {}, users.customer))).toBe(
      'CONFLICT',
    );
    await h.gql(
      `mutation { updateFarmPaymentSettings(farmId: "${paidBooking.farmId}", input: { refundPolicy: [] }) { commissionBps } }`,
      {},
      users.admin,
    );

    const held = rental();
    await h.book(held);
    const heldPayment = await authorised(held.bookingId);
    const voided = await h.gql(`mutation { cancelBooking(paymentId: "${heldPayment.id}") { id } }`, {}, users.customer);
    expect(voided.body.errors).toBeUndefined();
    await h.waitForPayment(held.bookingId, (p) => p?.status === 'CANCELED');
    expect(h.stripe.intents.get(heldPayment.providerPaymentId ?? '')?.status).toBe('canceled');
    expect(await h.service.deps.db.ledgerEntry.count({ where: { paymentId: heldPayment.id } })).toBe(0);
  });

  it('refunds everything when the farm cancels a paid booking before it starts', async () => {
    const booking = rental();
    await h.book(booking);
    await authorised(booking.bookingId);
    await h.book({ ...booking, status: 'ACTIVE' });
    const paid = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
    await h.book({ ...booking, status: 'CANCELLED' });
    await h.book({ ...booking, status: 'CANCELLED' });
    const refunded = await h.waitForPayment(booking.bookingId, (p) => p?.refundedCents === 18000);
    expect(refunded.releaseReason).toBe('FARM_CANCELLED');
    expect(await h.service.deps.db.refund.count({ where: { paymentId: paid.id } })).toBe(1);
  });
});
