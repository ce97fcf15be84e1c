// RUB payments through the local server speaking YooKassa's API: two-stage payments with 54-FZ receipt data,
// notifications accepted only from YooKassa's documented addresses (behind a trusted proxy here) and re-read before
// acting, capture, cancel, refunds with receipts.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { waitFor } from '@vegshare/tools/testing/wait';
import { startHarness, checkInvariants, rental, users, type PaymentHarness } from './harness.ts';
import { YOOKASSA_NOTIFICATION_SOURCES } from '../src/env.ts';

let h: PaymentHarness;
beforeAll(async () => {
  // The service sits behind an ingress (127.0.0.1 here) that adds X-Forwarded-For; YooKassa's address is 185.71.76.10.
  h = await startHarness({
    env: { YOOKASSA_WEBHOOK_ALLOWLIST: YOOKASSA_NOTIFICATION_SOURCES, TRUSTED_PROXIES: '127.0.0.1/32' },
    yookassa: { requireReceipt: true, notificationHeaders: { 'x-forwarded-for': '185.71.76.10' } },
  });
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

const rub = (overrides = {}) =>
  rental({ currency: 'RUB', priceCents: 1_500_000, title: 'Грядка A-2, Green Acres', ...overrides });

describe('a rental paid through YooKassa', () => {
  it('creates a two-stage payment with receipt data, captures it when the farm confirms, and refunds a cancellation with a receipt', async () => {
    const booking = rub();
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.confirmationUrl));
    const remote = h.yookassa.payments.get(pending.providerPaymentId ?? '');
    expect(remote).toMatchObject({
      status: 'pending',
      amount: { value: '15000.00', currency: 'RUB' },
      metadata: { paymentId: pending.id },
      confirmation: { type: 'redirect' },
    });
    expect(h.yookassa.receipts.get(remote?.id ?? '')).toEqual({
      customer: { email: users.customer.email },
      items: [
        {
          description: 'Грядка A-2, Green Acres',
          quantity: '1.00',
          amount: { value: '15000.00', currency: 'RUB' },
          vat_code: 1,
          payment_subject: 'service',
          payment_mode: 'full_prepayment',
        },
      ],
    });
    const view = await h.gql(
      `{ myPayments(first: 5) { edges { node { id provider status confirmation { type url } } } } }`,
      {},
      users.customer,
    );
    expect(view.body.data?.['myPayments'].edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      id: pending.id,
      provider: 'YOOKASSA',
      status: 'PENDING',
      confirmation: { type: 'REDIRECT', url: remote?.confirmation?.confirmation_url },
    });
    const page = await fetch(remote?.confirmation?.confirmation_url ?? '');
    expect(await page.text()).toContain('15000.00 RUB');

    await h.yookassa.pay(pending.providerPaymentId ?? '');
    await h.waitForPayment(booking.bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
    await h.book({ ...booking, status: 'ACTIVE' });
    const paid = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
    expect(remote?.status).toBe('succeeded');

    const cancelled = await h.gql(
      `mutation { cancelBooking(paymentId: "${paid.id}") { refundedCents } }`,
      {},
      users.customer,
    );
    expect(cancelled.body.data?.['cancelBooking']).toEqual({ refundedCents: 1_500_000 });
    const refund = await waitFor(
      () => h.service.deps.db.refund.findFirst({ where: { paymentId: paid.id } }),
      (r) => r?.status === 'SUCCEEDED',
    );
    expect(h.yookassa.refunds.get(refund?.providerRefundId ?? '')).toMatchObject({
      payment_id: remote?.id,
      amount: { value: '15000.00', currency: 'RUB' },
    });
    expect(h.yookassa.receipts.get(refund?.providerRefundId ?? '')?.items[0]?.amount).toEqual({
      value: '15000.00',
      currency: 'RUB',
    });
  });

  it('accepts notifications only from YooKassa’s addresses, and acts on the re-read object, not on the notification', async () => {
    const booking = rub();
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    const forged = {
      type: 'notification',
      event: 'payment.succeeded',
      object: { ...h.yookassa.payments.get(pending.providerPaymentId ?? ''), status: 'succeeded', paid: true },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${h.service.url}/webhooks/yookassa`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(forged),
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-forwarded-for': '10.1.2.3' })).status).toBe(403);
    expect((await post({ 'x-forwarded-for': '185.71.76.10, 10.1.2.3' })).status).toBe(403);
    // From an allowed address, but the payment is still pending at YooKassa: nothing changes.
    const fromYoo = await post({ 'x-forwarded-for': '185.71.76.10' });
    expect(fromYoo.status).toBe(200);
    expect((await h.payment(booking.bookingId))?.status).toBe('PENDING');
    expect(await h.service.deps.db.ledgerEntry.count({ where: { paymentId: pending.id } })).toBe(0);
  });

  it('records a declined payment as cancelled and asks the farm to release the booking until it does', async () => {
    const booking = rub();
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.yookassa.decline(pending.providerPaymentId ?? '');
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled.releaseReason).toBe('PAYMENT_CANCELED');
    const duplicate = h.yookassa.notifications.find(
      (n) => n.event === 'payment.canceled' && n.object.id === pending.providerPaymentId,
    );
    if (!duplicate) throw new Error('no notification');
    expect(await h.yookassa.notify(duplicate)).toBe(200);
    expect(h.published.releases).toContainEqual({
      kind: 'RENTAL',
      bookingId: booking.bookingId,
      reason: 'PAYMENT_CANCELED',
    });
    // Not acknowledged: the request is sent again; once the farm's cancellation arrives, no more.
    h.advance(6_000);
    await h.service.drain();
    await h.eventsSent();
    const before = h.published.releases.filter((r) => r.bookingId === booking.bookingId).length;
    expect(before).toBeGreaterThanOrEqual(2);
    await h.book({ ...booking, status: 'CANCELLED' });
    expect((await h.payment(booking.bookingId))?.releaseAckedAt).not.toBeNull();
    h.advance(6_000);
    await h.service.drain();
    await h.eventsSent();
    expect(h.published.releases.filter((r) => r.bookingId === booking.bookingId).length).toBe(before);
  });

  it('pays adoptions in the farm’s currency (set by an admin), captured at once since adoptions are confirmed when made', async () => {
    const admin = await h.gql(
      `mutation { updateFarmPaymentSettings(farmId: "${demo.farms.orchardHill}", input: { currency: "RUB", commissionBps: 1500 }) { currency commissionBps } }`,
      {},
      users.admin,
    );
    expect(admin.body.data?.['updateFarmPaymentSettings']).toEqual({ currency: 'RUB', commissionBps: 1500 });
    const adoption = rental({
      kind: 'ADOPTION',
      bookingId: randomUUID(),
      farmId: demo.farms.orchardHill,
      farmerId: demo.users.farmer2.id,
      status: 'ACTIVE',
      currency: null,
      priceCents: 600_000,
      title: 'Adoption of Noisette, Orchard Hill, 6 months',
    });
    await h.book(adoption);
    const pending = await h.waitForPayment(adoption.bookingId, (p) => Boolean(p?.providerPaymentId));
    expect(pending).toMatchObject({
      provider: 'YOOKASSA',
      currency: 'RUB',
      commissionBps: 1500,
      captureRequested: true,
    });
    await h.yookassa.pay(pending.providerPaymentId ?? '');
    const paid = await h.waitForPayment(adoption.bookingId, (p) => p?.status === 'SUCCEEDED');
    const commission = await h.service.deps.db.ledgerEntry.findFirst({
      where: { paymentId: paid.id, accountKind: 'PLATFORM_COMMISSION' },
    });
    expect(Number(commission?.amountCents)).toBe(90_000);
    const entity = await h.gql(
      `{ _entities(representations: [{ __typename: "Adoption", id: "${adoption.bookingId}" }]) { ... on Adoption { payment { status currency } } } }`,
      {},
      users.farmer2,
    );
    expect(entity.body.data?.['_entities'][0].payment).toEqual({ status: 'SUCCEEDED', currency: 'RUB' });
  });
});
