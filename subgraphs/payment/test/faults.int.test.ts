// Provider failures: 5xx, dropped connections and timeouts are retried with the same idempotency key (one charge at
// the provider), refusals cancel the payment and release the booking; repeated bookings never make two payments.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, checkInvariants, rental, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  h.stripe.http.clear();
  h.yookassa.http.clear();
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

const intentsOf = (paymentId: string) =>
  [...h.stripe.intents.values()].filter((i) => i.metadata['paymentId'] === paymentId);
const yooPaymentsOf = (paymentId: string) =>
  [...h.yookassa.payments.values()].filter((p) => p.metadata['paymentId'] === paymentId);
const count = (requests: string[], line: string) => requests.filter((r) => r === line).length;

describe('provider failures', () => {
  it('retries Stripe 5xx answers and a connection dropped after Stripe acted, and ends with exactly one PaymentIntent', async () => {
    h.stripe.http.inject(/^POST \/v1\/payment_intents$/, { status: 500 }, 2);
    h.stripe.http.inject(/^POST \/v1\/payment_intents$/, { drop: 'after' }, 1);
    // Without webhooks, so that only the retry can learn the PaymentIntent (with them, its creation event would).
    h.stripe.autoDeliver = false;
    const before = h.stripe.http.requests.length;
    const booking = rental();
    await h.book(booking);
    const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId), 20_000);
    h.stripe.autoDeliver = true;
    expect(count(h.stripe.http.requests.slice(before), 'POST /v1/payment_intents')).toBe(4);
    expect(intentsOf(created.id)).toHaveLength(1);
    const command = await h.service.deps.db.outboxCommand.findFirstOrThrow({
      where: { paymentId: created.id, kind: 'CREATE_PAYMENT' },
    });
    expect(command).toMatchObject({ status: 'DONE', idempotencyKey: `vegshare:create:${created.id}` });
    expect(command.attempts).toBeGreaterThanOrEqual(3); // the client may itself repeat a dropped request, with the same key
  });

  it('retries a YooKassa call that timed out after YooKassa acted, and a 5xx on capture, charging once', async () => {
    h.yookassa.http.inject(/^POST \/v3\/payments$/, { delayMs: 2_600 }, 1);
    h.yookassa.http.inject(/^POST \/v3\/payments\/[\w-]+\/capture$/, { status: 503 }, 2);
    const booking = rental({ currency: 'RUB', priceCents: 300_000 });
    await h.book(booking);
    const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId), 20_000);
    expect(yooPaymentsOf(created.id)).toHaveLength(1);
    await h.yookassa.pay(created.providerPaymentId ?? '');
    await h.waitForPayment(booking.bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
    await h.book({ ...booking, status: 'ACTIVE' });
    await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED', 20_000);
    expect(count(h.yookassa.http.requests, `POST /v3/payments/${created.providerPaymentId ?? ''}/capture`)).toBe(3);
    expect(h.yookassa.payments.get(created.providerPaymentId ?? '')?.status).toBe('succeeded');
  });

  it('cancels the payment and releases the booking when the provider refuses it for good', async () => {
    const booking = rental({ priceCents: 20 }); // below Stripe's minimum charge
    await h.book(booking);
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled.cancellationReason).toMatch(/refused/);
    await h.eventsSent(); // the relay publishes apart from the commit
    expect(h.published.releases).toContainEqual({
      kind: 'RENTAL',
      bookingId: booking.bookingId,
      reason: 'PAYMENT_CANCELED',
    });
    expect(intentsOf(cancelled.id)).toHaveLength(0);
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS of a provider that keeps failing, without a payment at the provider', async () => {
    h.stripe.http.inject(/^POST \/v1\/payment_intents$/, { status: 500 }, 1_000);
    const booking = rental();
    await h.book(booking);
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED', 30_000);
    const command = await h.service.deps.db.outboxCommand.findFirstOrThrow({ where: { paymentId: cancelled.id } });
    expect(command).toMatchObject({ status: 'FAILED', attempts: 6 });
    expect(intentsOf(cancelled.id)).toHaveLength(0);
  }, 60_000);

  it('makes one payment of 50 concurrent deliveries of the same booking', async () => {
    const booking = rental();
    await Promise.all(Array.from({ length: 50 }, () => h.book(booking)));
    const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    expect(await h.service.deps.db.payment.count({ where: { bookingId: booking.bookingId } })).toBe(1);
    expect(await h.service.deps.db.outboxCommand.count({ where: { paymentId: created.id } })).toBe(1);
    expect(intentsOf(created.id)).toHaveLength(1);
  });
});
