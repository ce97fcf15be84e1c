// Account deletion (UserDeleted from auth): the payment service erases the receipt address and payment credentials of
// a deleted customer and acknowledges with UserDataErased — but only once no refund can still need the address (a
// YooKassa refund carries a 54-FZ receipt with it and is refused without one). Payments, refunds and the ledger stay.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type UserDataErased, type UserDeleted, type UserRegistered } from '@vegshare/kit';
import { waitFor } from '@vegshare/tools/testing/wait';
import { startHarness, checkInvariants, rental, users, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
const acks: UserDataErased[] = [];
beforeAll(async () => {
  h = await startHarness({ yookassa: { requireReceipt: true } });
  await h.bus.subscribe(topics.userDataErased, (e) => acks.push(e));
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

/** A customer registered through auth (the payment service learns the receipt address from UserRegistered). */
async function customer(): Promise<{ id: string; email: string; roles: readonly string[] }> {
  const c = { id: randomUUID(), email: `leaving-${randomUUID().slice(0, 8)}@example.test`, roles: ['CUSTOMER'] };
  await h.bus.publish(topics.userRegistered, {
    userId: c.id,
    email: c.email,
    displayName: 'Leaving',
    roles: ['CUSTOMER'],
  });
  await waitFor(
    () => h.service.deps.db.customerContact.findUnique({ where: { userId: c.id } }),
    (row) => row !== null,
  );
  return c;
}

async function deleted(userId: string): Promise<void> {
  await h.bus.publish(topics.userDeleted, { userId, deletedAt: new Date().toISOString() });
  await new Promise((r) => setTimeout(r, 5));
  await h.service.idle();
}

const acked = (userId: string) => acks.filter((a) => a.userId === userId && a.service === 'payment').length;

describe('UserDeleted', () => {
  it('keeps the receipt address while the farm’s cancellation refunds a paid booking, then erases it and acknowledges', async () => {
    const c = await customer();
    const paid = rental({ customerId: c.id, currency: 'RUB', priceCents: 1_500_000, title: 'Грядка A-2, Green Acres' });
    const unpaid = rental({ customerId: c.id, currency: 'EUR' });
    await h.book(paid);
    await h.book(unpaid);
    const created = await h.waitForPayment(paid.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.yookassa.pay(created.providerPaymentId ?? '');
    await h.waitForPayment(paid.bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
    await h.book({ ...paid, status: 'ACTIVE' });
    const captured = await h.waitForPayment(paid.bookingId, (p) => p?.status === 'SUCCEEDED');
    await h.waitForPayment(unpaid.bookingId, (p) => Boolean(p?.clientSecret));
    const entries = await h.service.deps.db.ledgerEntry.count({ where: { paymentId: captured.id } });

    // The account is deleted; the farm has not cancelled the bookings yet: a refund will follow, so nothing is erased.
    await deleted(c.id);
    expect(acked(c.id)).toBe(0);
    expect(await h.service.deps.db.customerContact.findUnique({ where: { userId: c.id } })).not.toBeNull();

    // The farm cancels the deleted customer's bookings: the paid one is refunded with its receipt, the unpaid one cancelled.
    await h.book({ ...paid, status: 'CANCELLED' });
    await h.book({ ...unpaid, status: 'CANCELLED' });
    const refund = await waitFor(
      () => h.service.deps.db.refund.findFirst({ where: { paymentId: captured.id } }),
      (r) => r?.status === 'SUCCEEDED',
    );
    expect(h.yookassa.receipts.get(refund?.providerRefundId ?? '')?.customer).toEqual({ email: c.email });

    // auth publishes UserDeleted again until every service acknowledged: now the data goes.
    await deleted(c.id);
    await waitFor(
      async () => acked(c.id),
      (n) => n === 1,
    );
    expect(await h.service.deps.db.customerContact.findUnique({ where: { userId: c.id } })).toBeNull();
    const payments = await h.service.deps.db.payment.findMany({ where: { customerId: c.id } });
    expect(payments).toHaveLength(2);
    for (const p of payments)
      expect([p.confirmationUrl, p.confirmationToken, p.clientSecret]).toEqual([null, null, null]);
    // The receipt no longer names the customer; the ledger keeps every entry (it is append-only) and stays balanced.
    const receipt = await h.gql(
      `{ payment(id: "${captured.id}") { receipt { customerEmail totalCents refundedCents } } }`,
      {},
      users.admin,
    );
    expect(receipt.body.data?.['payment'].receipt).toEqual({
      customerEmail: null,
      totalCents: 1_500_000,
      refundedCents: 1_500_000,
    });
    expect(await h.service.deps.db.ledgerEntry.count({ where: { paymentId: captured.id } })).toBeGreaterThan(entries);

    // Idempotent: a repeated UserDeleted is acknowledged again and changes nothing.
    await deleted(c.id);
    await waitFor(
      async () => acked(c.id),
      (n) => n === 2,
    );
  });

  it('erases and acknowledges at once when no money is held or owed back (an unpaid payment is only cancelled)', async () => {
    const c = await customer();
    const unpaid = rental({ customerId: c.id, currency: 'EUR' });
    await h.book(unpaid);
    await h.waitForPayment(unpaid.bookingId, (p) => Boolean(p?.clientSecret));
    await deleted(c.id);
    await waitFor(
      async () => acked(c.id),
      (n) => n === 1,
    );
    expect(await h.service.deps.db.customerContact.findUnique({ where: { userId: c.id } })).toBeNull();
    expect((await h.payment(unpaid.bookingId))?.clientSecret).toBeNull();
    // The farm's cancellation still cancels the payment (no receipt needed for that).
    await h.book({ ...unpaid, status: 'CANCELLED' });
    await h.waitForPayment(unpaid.bookingId, (p) => p?.status === 'CANCELED');
  });

  it('ignores a malformed UserDeleted', async () => {
    const before = acks.length;
    await h.bus.publish(topics.userDeleted, { userId: 'not-a-uuid', deletedAt: 'x' });
    await h.service.idle();
    expect(acks.length).toBe(before);
  });
});
