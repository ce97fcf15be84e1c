import { demo } from '@vegshare/demo';
import type { PaymentDb } from './db.ts';
import { commissionOf } from './domain/money.ts';
import { postJournal } from './domain/ledger.ts';

/** Fixed ids of the farm seed's demo season (subgraphs/farm/src/seed.ts `demoSeason`), which these payments pay for. */
const DEMO_RENTAL_ID = '40000000-0000-4000-8000-000000000001';
const DEMO_ADOPTION_ID = '51000000-0000-4000-8000-000000000001';
const DEMO_COMMISSION_BPS = 1000;

const farms = [
  { farmId: demo.farms.greenAcres, ownerId: demo.users.farmer.id, name: 'Green Acres' },
  { farmId: demo.farms.riverMeadow, ownerId: demo.users.farmer.id, name: 'River Meadow' },
  { farmId: demo.farms.orchardHill, ownerId: demo.users.farmer2.id, name: 'Orchard Hill' },
];

/**
 * Idempotent demo data: the projections the farm's and auth's events would build (farm owners, customers' e-mail
 * addresses), and captured payments of the demo customer's current season (plot A-1) and adoption (Biscuit), with
 * their ledger journals, so balances, statements and receipts show something at once. Seeded payments never went
 * through a provider (no provider id).
 */
export async function seedPayment(db: PaymentDb, now = new Date()): Promise<void> {
  for (const f of farms) {
    await db.farmAccount.upsert({
      where: { farmId: f.farmId },
      create: { ...f, commissionBps: DEMO_COMMISSION_BPS },
      update: { ownerId: f.ownerId, name: f.name },
    });
  }
  for (const u of Object.values(demo.users)) {
    await db.customerContact.upsert({ where: { userId: u.id }, create: { userId: u.id, email: u.email }, update: {} });
  }
  const year = now.getUTCFullYear();
  const start = new Date(Date.UTC(year, 0, 1));
  const bookings = [
    {
      bookingKind: 'RENTAL' as const,
      bookingId: DEMO_RENTAL_ID,
      farmId: demo.farms.greenAcres,
      farmerId: demo.users.farmer.id,
      description: `Plot A-1, Green Acres, ${year}`,
      amountCents: 18000,
    },
    {
      bookingKind: 'ADOPTION' as const,
      bookingId: DEMO_ADOPTION_ID,
      farmId: demo.farms.orchardHill,
      farmerId: demo.users.farmer2.id,
      description: `Adoption of Biscuit, Orchard Hill, ${year}`,
      amountCents: 18000,
    },
  ];
  for (const b of bookings) {
    await db.$transaction(async (tx) => {
      const exists = await tx.payment.findUnique({
        where: { bookingKind_bookingId: { bookingKind: b.bookingKind, bookingId: b.bookingId } },
      });
      if (exists) return;
      const payment = await tx.payment.create({
        data: {
          ...b,
          customerId: demo.users.customer.id,
          currency: 'EUR',
          commissionBps: DEMO_COMMISSION_BPS,
          provider: 'STRIPE',
          status: 'SUCCEEDED',
          startsOn: start,
          holdExpiresAt: start,
          captureRequested: true,
          createdAt: start,
          authorizedAt: start,
          paidAt: start,
          releasedToFarmerAt: start,
        },
      });
      const commission = commissionOf(b.amountCents, DEMO_COMMISSION_BPS);
      const common = { currency: 'EUR', paymentId: payment.id };
      await postJournal(tx, {
        at: start,
        kind: 'capture',
        ...common,
        postings: [
          { account: 'CUSTOMER', ownerId: payment.customerId, amountCents: -b.amountCents },
          { account: 'FARMER_PENDING', ownerId: b.farmerId, amountCents: b.amountCents - commission },
          { account: 'PLATFORM_COMMISSION', ownerId: null, amountCents: commission },
        ],
      });
      await postJournal(tx, {
        at: start,
        kind: 'release',
        ...common,
        postings: [
          { account: 'FARMER_PENDING', ownerId: b.farmerId, amountCents: -(b.amountCents - commission) },
          { account: 'FARMER_AVAILABLE', ownerId: b.farmerId, amountCents: b.amountCents - commission },
        ],
      });
    });
  }
}
