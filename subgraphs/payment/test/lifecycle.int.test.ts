// Time-driven rules (holds that run out, bookings the farm never confirms, bookings that start), payouts and
// statements, and the ledger's own guards in Postgres.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, isUniqueViolation, type BookingReleaseRequested } from '@vegshare/kit';
import { failOutboxWrites, outboxPayloads } from '@vegshare/tools/testing/outbox-faults';
import { demo } from '@vegshare/demo';
import { waitFor } from '@vegshare/tools/testing/wait';
import { openPaymentDb } from '../src/db.ts';
import {
  startHarness,
  checkInvariants,
  rental,
  users,
  codeOf,
  type GqlResult,
  type PaymentHarness,
} from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness({ env: { PAYMENT_HOLD_SECONDS: '600', CONFIRMATION_HOURS: '48' } });
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

const month = () => h.now().toISOString().slice(0, 7);

describe('holds', () => {
  it('cancels an unpaid payment when its hold runs out and asks the farm to release the booking', async () => {
    const booking = rental();
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.service.drain();
    expect((await h.payment(booking.bookingId))?.status).toBe('PENDING');
    h.advance(601_000);
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled).toMatchObject({ releaseReason: 'HOLD_EXPIRED', cancellationReason: 'Not paid in time' });
    expect(h.stripe.intents.get(pending.providerPaymentId ?? '')?.status).toBe('canceled');
    await h.eventsSent(); // the relay publishes apart from the commit
    expect(h.published.releases).toContainEqual({
      kind: 'RENTAL',
      bookingId: booking.bookingId,
      reason: 'HOLD_EXPIRED',
    });
  });

  it('releases a booking in the same transaction as it asks the farm to: no release without the request', async () => {
    const booking = rental();
    await h.book(booking);
    await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.service.drain();
    const db = h.service.deps.db;
    const requests = async () =>
      (await outboxPayloads<BookingReleaseRequested>(db, 'payment', topics.bookingReleaseRequested)).filter(
        (r) => r.bookingId === booking.bookingId,
      );
    const fault = await failOutboxWrites(db, 'payment', topics.bookingReleaseRequested);
    try {
      h.advance(601_000);
      await waitFor(
        () => fault.attempts(),
        (n) => n >= 2,
      );
      // The worker's pass rolled back with the request it could not write: the hold is still there, not cancelled.
      expect(await h.payment(booking.bookingId)).toMatchObject({ status: 'PENDING', releaseReason: null });
      expect(await requests()).toEqual([]);
    } finally {
      await fault.restore();
    }
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled.releaseReason).toBe('HOLD_EXPIRED');
    expect((await requests())[0]).toEqual({ kind: 'RENTAL', bookingId: booking.bookingId, reason: 'HOLD_EXPIRED' });
  });

  it('voids a YooKassa payment the customer completes after the hold ran out', async () => {
    const booking = rental({ currency: 'RUB', priceCents: 250_000 });
    await h.book(booking);
    const pending = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    h.advance(601_000);
    await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(h.yookassa.payments.get(pending.providerPaymentId ?? '')?.status).toBe('pending'); // YooKassa cannot cancel an unpaid payment
    await h.yookassa.pay(pending.providerPaymentId ?? '');
    await h.waitForPayment(
      booking.bookingId,
      () => h.yookassa.payments.get(pending.providerPaymentId ?? '')?.status === 'canceled',
    );
    expect((await h.payment(booking.bookingId))?.status).toBe('CANCELED');
    expect(await h.service.deps.db.ledgerEntry.count({ where: { paymentId: pending.id } })).toBe(0);
  });

  it('releases money the farm did not confirm within CONFIRMATION_HOURS', async () => {
    const booking = rental();
    await h.book(booking);
    const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.stripe.pay(created.providerPaymentId ?? '');
    await h.waitForPayment(booking.bookingId, (p) => p?.status === 'WAITING_FOR_CAPTURE');
    h.advance(49 * 3_600_000);
    const cancelled = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'CANCELED');
    expect(cancelled.releaseReason).toBe('NOT_CONFIRMED');
    expect(h.stripe.intents.get(created.providerPaymentId ?? '')).toMatchObject({
      status: 'canceled',
      amount_received: 0,
    });
  });
});

describe('cancellations', () => {
  // A service of its own whose worker runs only when kicked: nothing but the test's requests uses its pool.
  let quiet: PaymentHarness;
  beforeAll(async () => {
    quiet = await startHarness({ env: { WORKER_INTERVAL_MS: '60000' } });
  });
  afterAll(async () => {
    await quiet?.stop();
  });

  it('refunds a paid booking once when 20 cancellations wait for its row and fill the pool (no second connection inside one)', async () => {
    const booking = rental();
    const settled = async () => {
      await quiet.service.drain();
      return quiet.payment(booking.bookingId);
    };
    await quiet.book({ ...booking, status: 'ACTIVE' });
    const created = await waitFor(settled, (p) => Boolean(p?.providerPaymentId));
    await quiet.stripe.pay(created?.providerPaymentId ?? '');
    const paid = await waitFor(settled, (p) => p?.status === 'SUCCEEDED');
    if (!paid) throw new Error('not paid');
    // The test holds the payment's row while 20 cancellations arrive: every connection of the pool (10) waits for it.
    // The first to get it then computes the refund; a read through the pool there (the farm's refund policy) would
    // wait for the other cancellations, which wait for it: a deadlock until its transaction timed out (5 s).
    const holder = openPaymentDb(quiet.database.url, 2);
    const waiting = async () =>
      Number(
        (
          await holder.db.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
        )[0]?.n ?? 0,
      );
    try {
      let results: Promise<GqlResult[]> | undefined;
      const started = Date.now();
      await holder.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM payment WHERE id = ${paid.id}::uuid FOR UPDATE`;
        results = Promise.all(
          Array.from({ length: 20 }, () =>
            quiet.gql(`mutation { cancelBooking(paymentId: "${paid.id}") { refundedCents } }`, {}, users.customer),
          ),
        );
        await waitFor(waiting, (n) => n === 10);
      });
      const done = await (results ?? Promise.resolve([]));
      const elapsed = Date.now() - started;
      expect(done.filter((r) => r.body.data?.['cancelBooking'])).toEqual([
        { status: 200, body: { data: { cancelBooking: { refundedCents: expect.any(Number) } } } },
      ]);
      expect(done.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.code))).toEqual(
        Array.from({ length: 19 }, () => 'CONFLICT'),
      );
      expect(await quiet.service.deps.db.refund.count({ where: { paymentId: paid.id } })).toBe(1);
      expect(elapsed).toBeLessThan(4000);
      await checkInvariants(quiet);
    } finally {
      await holder.close();
    }
  }, 30_000);
});

describe('farmer money', () => {
  it('releases the farmer’s share when the booking starts, pays it out by statement and marks the payout paid', async () => {
    const startsOn = new Date(h.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    const booking = rental({ farmId: demo.farms.riverMeadow, startsOn, priceCents: 24_000 });
    await h.book({ ...booking, status: 'ACTIVE' });
    const created = await h.waitForPayment(booking.bookingId, (p) => Boolean(p?.providerPaymentId));
    await h.stripe.pay(created.providerPaymentId ?? '');
    const paid = await h.waitForPayment(booking.bookingId, (p) => p?.status === 'SUCCEEDED');
    const balance = async () =>
      (
        await h.gql(
          '{ farmerBalance { currency pendingCents availableCents inTransitCents paidOutCents } }',
          {},
          users.farmer,
        )
      ).body.data?.['farmerBalance'];
    const before = (await balance())[0];
    expect(before.pendingCents).toBeGreaterThanOrEqual(21_600);
    expect(paid.releasedToFarmerAt).toBeNull();

    h.advance(4 * 86_400_000);
    await h.waitForPayment(booking.bookingId, (p) => p?.releasedToFarmerAt !== null);
    const after = (await balance())[0];
    expect(after.availableCents - before.availableCents).toBe(21_600);
    expect(before.pendingCents - after.pendingCents).toBe(21_600);
    expect(codeOf(await h.gql(`mutation { cancelBooking(paymentId: "${paid.id}") { id } }`, {}, users.customer))).toBe(
      'CONFLICT',
    );

    const STATEMENT = `query($m: String!) { payoutStatement(month: $m) { month currency openingBalanceCents releasedCents refundedCents paidOutCents closingBalanceCents grossCents commissionCents lines { description grossCents commissionCents netCents } payout { id } } }`;
    const statementOf = async (m: string) =>
      (
        (await h.gql(STATEMENT, { m }, users.farmer)).body.data?.['payoutStatement'] as {
          currency: string;
          [k: string]: any;
        }[]
      ).find((s) => s.currency === 'EUR');
    const paidMonth = paid.paidAt?.toISOString().slice(0, 7) ?? '';
    const ofPayment = await statementOf(paidMonth);
    expect(ofPayment?.lines).toContainEqual({
      description: booking.title,
      grossCents: 24_000,
      commissionCents: 2_400,
      netCents: 21_600,
    });
    for (const m of new Set([paidMonth, month()])) {
      const s = await statementOf(m);
      expect(s?.closingBalanceCents).toBe(
        (s?.openingBalanceCents ?? 0) + (s?.releasedCents ?? 0) - (s?.refundedCents ?? 0) - (s?.paidOutCents ?? 0),
      );
    }
    expect((await statementOf(month()))?.closingBalanceCents).toBe(after.availableCents);

    expect(
      codeOf(
        await h.gql(
          `mutation { createPayout(farmerId: "${users.farmer.id}", currency: "EUR", month: "${month()}") { id } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await h.gql(`{ farmerBalance(farmerId: "${users.farmer.id}") { currency } }`, {}, users.farmer2)),
    ).toBe('FORBIDDEN');
    const payout = await h.gql(
      `mutation { createPayout(farmerId: "${users.farmer.id}", currency: "EUR", month: "${month()}") { id amountCents status farmer { id } } }`,
      {},
      users.admin,
    );
    expect(payout.body.errors).toBeUndefined();
    expect(payout.body.data?.['createPayout']).toMatchObject({
      amountCents: after.availableCents,
      status: 'PENDING',
      farmer: { id: users.farmer.id },
    });
    expect(
      codeOf(
        await h.gql(
          `mutation { createPayout(farmerId: "${users.farmer.id}", currency: "EUR", month: "${month()}") { id } }`,
          {},
          users.admin,
        ),
      ),
    ).toBe('CONFLICT');
    const id = payout.body.data?.['createPayout'].id as string;
    const marked = await h.gql(
      `mutation { markPayoutPaid(id: "${id}", reference: "SEPA-2026-0042") { status reference paidAt } }`,
      {},
      users.admin,
    );
    expect(marked.body.data?.['markPayoutPaid']).toMatchObject({ status: 'PAID', reference: 'SEPA-2026-0042' });
    expect(
      codeOf(await h.gql(`mutation { markPayoutPaid(id: "${id}", reference: "again") { status } }`, {}, users.admin)),
    ).toBe('CONFLICT');
    const final = (await balance())[0];
    expect(final).toMatchObject({ availableCents: 0, inTransitCents: 0, paidOutCents: after.availableCents });
    expect(await statementOf(month())).toMatchObject({
      paidOutCents: after.availableCents,
      closingBalanceCents: 0,
      payout: { id },
    });
    const mine = await h.gql('{ payouts { edges { node { id status } } } }', {}, users.farmer);
    expect(mine.body.data?.['payouts'].edges).toEqual([{ node: { id, status: 'PAID' } }]);
    const health = await h.gql('{ ledgerHealth { balanced negativeAccounts entries } }', {}, users.admin);
    expect(health.body.data?.['ledgerHealth']).toMatchObject({ balanced: true, negativeAccounts: 0 });
    expect(codeOf(await h.gql('{ ledgerHealth { balanced } }', {}, users.farmer))).toBe('FORBIDDEN');
  });
});

describe('the ledger in Postgres', () => {
  it('refuses to change or delete entries, and a journal that does not balance', async () => {
    const db = h.service.deps.db;
    const entry = await db.ledgerEntry.findFirstOrThrow();
    await expect(
      db.$executeRaw`UPDATE ledger_entry SET amount_cents = amount_cents + 1 WHERE id = ${entry.id}::uuid`,
    ).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`DELETE FROM ledger_entry WHERE id = ${entry.id}::uuid`).rejects.toThrow(/append-only/);
    await expect(
      db.ledgerEntry.create({
        data: {
          journalId: randomUUID(),
          journalKind: 'capture',
          accountKind: 'PLATFORM_COMMISSION',
          currency: 'EUR',
          amountCents: 100n,
        },
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('recognises a second payment of the same booking as a unique violation (the concurrent-delivery path retries on it)', async () => {
    const existing = await h.service.deps.db.payment.findFirstOrThrow();
    const { id: _id, refundedCents: _r, version: _v, createdAt: _c, updatedAt: _u, ...copy } = existing;
    const error = await h.service.deps.db.payment.create({ data: { ...copy, providerPaymentId: null } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(new Error('something else'))).toBe(false);
  });

  it('refuses hostile inputs with stable codes', async () => {
    expect(codeOf(await h.gql('{ payoutStatement(month: "2026-13") { month } }', {}, users.farmer))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await h.gql('{ myPayments(first: 1000) { edges { cursor } } }', {}, users.customer))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(await h.gql('{ myPayments(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }', {}, users.customer)),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql('mutation { cancelBooking(paymentId: "not-a-uuid") { id } }', {}, users.customer))).toBe(
      'NOT_FOUND',
    );
    expect(
      codeOf(
        await h.gql(
          `mutation { updateFarmPaymentSettings(farmId: "${demo.farms.greenAcres}", input: { refundPolicy: [{ daysBefore: 5, percent: 150 }] }) { currency } }`,
          {},
          users.admin,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql('{ myPayments { edges { cursor } } }'))).toBe('UNAUTHENTICATED');
    const big = await fetch(`${h.service.url}/webhooks/stripe`, { method: 'POST', body: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
  });
});
