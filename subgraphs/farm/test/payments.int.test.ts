// The farm's side of payments: every rental and adoption change is announced to payments (BookingChanged with price,
// currency and farmer), and the payment subgraph's release requests cancel a held booking once, acknowledged by the
// booking's new state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type BookingChanged, type BookingReleaseRequested } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { waitFor } from '@vegshare/tools/testing/wait';
import { sleepingWrites, slowRowWrites } from '@vegshare/tools/testing/outbox-faults';
import { createFarmDb } from '../src/db.ts';
import { startHarness, users, collect, futureYear, type FarmHarness } from './harness.ts';
import { demoSeason } from '../src/seed.ts';
import { adoptionMonths } from '../src/domain/payments/bookings.ts';

let h: FarmHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const Y = futureYear(1);

/** customer2 books (`field`: the mutation's name, asked for `{ id }`); resolves with the id once its booking is announced. */
async function bookAnnounced(
  seen: { readonly events: readonly { bookingId?: string }[] },
  field: 'requestRental' | 'adoptAnimal',
  args: string,
): Promise<string> {
  const r = await h.gql(`mutation { ${field}(${args}) { id } }`, {}, users.customer2);
  const id = (r.body.data?.[field] as { id: string }).id;
  await waitFor(
    () => seen.events.filter((e) => e.bookingId === id).length,
    (n) => n === 1,
  );
  return id;
}

/** customer2 requests river1 for May–September of `year`, announced. */
const requestAnnounced = (seen: Parameters<typeof bookAnnounced>[0], year: number) =>
  bookAnnounced(
    seen,
    'requestRental',
    `plotId: "${demo.plots.river1}", startsOn: "${year}-05-01", endsOn: "${year}-09-01"`,
  );

describe('bookings for payments', () => {
  it('announces a requested rental with its price and farmer, and cancels it when payments ask (once, acknowledged each time)', async () => {
    const seen = await collect(h.bus, topics.bookingChanged);
    const rentalId = await requestAnnounced(seen, Y);
    expect(seen.events.find((e) => e.bookingId === rentalId)).toEqual({
      kind: 'RENTAL',
      bookingId: rentalId,
      customerId: users.customer2.id,
      farmId: demo.farms.riverMeadow,
      farmerId: demo.users.farmer.id,
      status: 'REQUESTED',
      startsOn: `${Y}-05-01`,
      endsOn: `${Y}-09-01`,
      priceCents: 24000,
      currency: 'EUR',
      title: `Plot R-1, River Meadow, ${Y}-05-01 – ${Y}-09-01`,
    });
    const request: BookingReleaseRequested = { kind: 'RENTAL', bookingId: rentalId, reason: 'HOLD_EXPIRED' };
    await Promise.all([
      h.bus.publish(topics.bookingReleaseRequested, request),
      h.bus.publish(topics.bookingReleaseRequested, request),
    ]);
    await waitFor(
      () => seen.events.filter((e) => e.bookingId === rentalId && e.status === 'CANCELLED').length,
      (n) => n === 2,
    );
    const rental = await h.gql(`{ rental(id: "${rentalId}") { status } }`, {}, users.customer2);
    expect(rental.body.data).toEqual({ rental: { status: 'CANCELLED' } });
    const feed = await h.gql(
      `{ plot(id: "${demo.plots.river1}") { activity(first: 5) { edges { node { message } } } } }`,
      {},
      users.farmer,
    );
    const messages = (
      feed.body.data?.['plot'] as { activity: { edges: { node: { message: string } }[] } }
    ).activity.edges.map((e) => e.node.message);
    expect(messages.filter((m) => m === 'Rental cancelled: not paid in time')).toHaveLength(1);
    // The dates are free again.
    const again = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.river1}", startsOn: "${Y}-05-01", endsOn: "${Y}-09-01") { status } }`,
      {},
      users.customer,
    );
    expect(again.body.data).toEqual({ requestRental: { status: 'REQUESTED' } });
    await seen.stop();
  });

  it('announces adoptions priced by whole months in the farm’s currency, and releases them on request', async () => {
    const seen = await collect(h.bus, topics.bookingChanged);
    const adoptionId = await bookAnnounced(
      seen,
      'adoptAnimal',
      `animalId: "${demoSeason.animals.noisette}", startsOn: "${Y}-01-15", endsOn: "${Y}-04-20"`,
    );
    expect(seen.events.find((e) => e.bookingId === adoptionId)).toMatchObject({
      kind: 'ADOPTION',
      status: 'ACTIVE',
      priceCents: 1500 * 4,
      currency: null,
      farmerId: demo.users.farmer2.id,
    });
    await h.bus.publish(topics.bookingReleaseRequested, {
      kind: 'ADOPTION',
      bookingId: adoptionId,
      reason: 'PAYMENT_CANCELED',
    });
    await waitFor(() => seen.events.some((e) => e.bookingId === adoptionId && e.status === 'CANCELLED'), Boolean);
    expect(adoptionMonths(`${Y}-01-01`, `${Y}-07-01`)).toBe(6);
    expect(adoptionMonths(`${Y}-01-10`, `${Y}-01-20`)).toBe(1);
    await h.bus.publish(topics.bookingReleaseRequested, {
      kind: 'RENTAL',
      bookingId: 'not-a-uuid',
      reason: 'HOLD_EXPIRED',
    });
    await seen.stop();
  });

  it('releases a rental while 20 confirmations of it wait for the release and fill the pool (no second connection inside the release)', async () => {
    const seen = await collect(h.bus, topics.bookingChanged);
    const rentalId = await requestAnnounced(seen, futureYear(2));
    const farmer = await h.token(users.farmer.id, ['FARMER']);
    // The release's cancellation takes a second: meanwhile the farm's confirmations of the same rental wait for its row,
    // holding every connection of the pool (10) but the release's own. A read through the pool after the
    // cancellation, inside the release's transaction, would wait for them in turn: a deadlock until the transaction
    // timed out (5 s), and then a confirmation would win the row (the rental ACTIVE until the retried release).
    const db = createFarmDb(h.database.url);
    const restore = await slowRowWrites(db, 'farm', 'rental', 'UPDATE', `NEW.status = 'CANCELLED'`, 1);
    try {
      const started = Date.now();
      await h.bus.publish(topics.bookingReleaseRequested, {
        kind: 'RENTAL',
        bookingId: rentalId,
        reason: 'HOLD_EXPIRED',
      });
      await waitFor(
        () => sleepingWrites(db),
        (n) => n === 1,
      );
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          h.gql(`mutation($id: ID!) { activateRental(id: $id) { status } }`, { id: rentalId }, farmer),
        ),
      );
      await waitFor(
        () => seen.events.filter((e) => e.bookingId === rentalId).map((e) => e.status),
        (s) => s.includes('CANCELLED'),
      );
      const elapsed = Date.now() - started;
      // Each confirmation found the rental cancelled once the release committed.
      expect(results.map((r) => r.body.errors?.[0]?.extensions?.code)).toEqual(
        Array.from({ length: 20 }, () => 'CONFLICT'),
      );
      // Never confirmed: the booking went from REQUESTED to CANCELLED.
      expect(seen.events.filter((e) => e.bookingId === rentalId).map((e) => e.status)).toEqual([
        'REQUESTED',
        'CANCELLED',
      ]);
      expect(elapsed).toBeLessThan(4000);
    } finally {
      await restore();
      await db.$disconnect();
      await seen.stop();
    }
  }, 30_000);
});
