// YooKassa's embedded checkout: the customer pays in YooKassa's widget inside the app, with the confirmation token.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, checkInvariants, rental, users, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness({ env: { YOOKASSA_CONFIRMATION: 'embedded' } });
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

describe('YooKassa embedded confirmation', () => {
  it('hands the widget token to the customer only, and clears it once paid', async () => {
    const booking = rental({ currency: 'RUB', priceCents: 99_000 });
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.confirmationToken));
    const token = h.yookassa.payments.get(pending.providerPaymentId ?? '')?.confirmation?.confirmation_token;
    const Q = `{ payment(id: "${pending.id}") { confirmation { type token url } } }`;
    expect((await h.gql(Q, {}, users.customer)).body.data?.['payment']).toEqual({
      confirmation: { type: 'EMBEDDED', token, url: null },
    });
    expect((await h.gql(Q, {}, users.admin)).body.data?.['payment']).toEqual({ confirmation: null });
    await h.yookassa.pay(pending.providerPaymentId ?? '');
    const held = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
    expect(held.confirmationToken).toBeNull();
  });
});
