// A provider whose keys are not configured takes no payments, but cancels nothing at once: the creation is retried
// (keys added by a restart take over) and the booking keeps its hold until it runs out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@vegshare/tools/testing/wait';
import { startHarness, checkInvariants, rental, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness({ unconfigured: ['STRIPE'], env: { PAYMENT_HOLD_SECONDS: '600' } });
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

describe('a provider without keys', () => {
  it('keeps the payment pending and the booking held until the hold runs out, then cancels without any call', async () => {
    const booking = rental();
    await h.book(booking);
    await h.book({ ...booking, status: 'ACTIVE' });
    await h.service.drain();
    await h.service.drain();
    const waiting = await h.payment(booking.bookingId);
    expect(waiting).toMatchObject({
      status: 'PENDING',
      providerPaymentId: null,
      releaseReason: null,
      captureRequested: true,
    });
    const create = await h.service.deps.db.outboxCommand.findFirstOrThrow({ where: { paymentId: waiting?.id ?? '' } });
    expect(create).toMatchObject({ status: 'PENDING', lastError: 'STRIPE is not configured' });
    expect(h.published.releases.filter((r) => r.bookingId === booking.bookingId)).toEqual([]);
    h.advance(601_000);
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled.releaseReason).toBe('HOLD_EXPIRED');
    await h.eventsSent(); // the relay publishes apart from the commit
    expect(h.published.releases).toContainEqual({
      kind: 'RENTAL',
      bookingId: booking.bookingId,
      reason: 'HOLD_EXPIRED',
    });
    // The creation still due is closed without a call on its next attempt.
    await waitFor(
      () => h.service.deps.db.outboxCommand.count({ where: { paymentId: cancelled.id, status: 'PENDING' } }),
      (n) => n === 0,
    );
    expect(h.stripe.http.requests).toEqual([]);
  });
});
