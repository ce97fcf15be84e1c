import { badInput, conflict, isUniqueViolation, notFound, type Viewer } from '@vegshare/kit';
import type { Payout } from '../generated/prisma/client.ts';
import { lockLedgerOwner } from '../db.ts';
import type { PaymentDeps } from './deps.ts';
import { money, publishEffects, type Effect } from './effects.ts';
import { balanceOf, postJournal } from './ledger.ts';
import { requireAdmin } from './access.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u001f]/;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(month: string): { start: Date; end: Date } {
  const m = MONTH.exec(month);
  if (!m) throw badInput('month: expected YYYY-MM', 'month');
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

const payoutNotice = (payout: Payout, title: string, body: string, step: string): Effect => ({
  type: 'notify',
  request: {
    eventId: `payout:${payout.id}:${step}`,
    userId: payout.farmerId,
    kind: 'account',
    title,
    body,
    link: `vegshare://payouts/${payout.id}`,
  },
});

/** Records a payout of everything the farmer has available in `currency` (admins; one per farmer, currency and month). */
export async function createPayout(
  deps: PaymentDeps,
  viewer: Viewer | null,
  farmerId: string,
  currency: string,
  month: string,
): Promise<Payout> {
  const admin = requireAdmin(viewer);
  parseMonth(month);
  if (!/^[A-Z]{3}$/.test(currency)) throw badInput('currency: an ISO 4217 code such as EUR', 'currency');
  try {
    const payout = await deps.db.$transaction(async (tx) => {
      await lockLedgerOwner(tx, farmerId);
      const available = await balanceOf(tx, 'FARMER_AVAILABLE', farmerId, currency);
      if (available <= 0) throw conflict(`Nothing available to pay out in ${currency}`);
      const created = await tx.payout.create({
        data: { farmerId, currency, month, amountCents: available, createdById: admin.userId },
      });
      await postJournal(tx, {
        at: deps.now(),
        kind: 'payout',
        currency,
        payoutId: created.id,
        postings: [
          { account: 'FARMER_AVAILABLE', ownerId: farmerId, amountCents: -available },
          { account: 'PAYOUT_IN_TRANSIT', ownerId: farmerId, amountCents: available },
        ],
      });
      await publishEffects(deps.events, tx, [
        payoutNotice(
          created,
          'Payout on its way',
          `A payout of ${money(created.amountCents, currency)} for ${month} was recorded.`,
          'created',
        ),
      ]);
      return created;
    });
    return payout;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A payout for ${month} in ${currency} exists already`);
    throw error;
  }
}

/** Marks a payout paid once the bank transfer is done (admins); the money leaves the ledger to the farmer. */
export async function markPayoutPaid(
  deps: PaymentDeps,
  viewer: Viewer | null,
  id: string,
  reference: string,
): Promise<Payout> {
  const admin = requireAdmin(viewer);
  const ref = reference.trim();
  if (ref.length < 1 || ref.length > 200 || CONTROL.test(ref))
    throw badInput('reference: 1–200 printable characters', 'reference');
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.payout.updateMany({
      where: { id, status: 'PENDING' },
      data: { status: 'PAID', reference: ref, paidAt: deps.now(), paidById: admin.userId },
    });
    const row = await tx.payout.findUnique({ where: { id } });
    if (!row) throw notFound('Payout', id);
    if (count === 0) throw conflict('This payout is marked paid already');
    await postJournal(tx, {
      at: deps.now(),
      kind: 'payout_paid',
      currency: row.currency,
      payoutId: row.id,
      postings: [
        { account: 'PAYOUT_IN_TRANSIT', ownerId: row.farmerId, amountCents: -row.amountCents },
        { account: 'PAID_OUT', ownerId: row.farmerId, amountCents: row.amountCents },
      ],
    });
    await publishEffects(deps.events, tx, [
      payoutNotice(
        row,
        'Payout paid',
        `${money(row.amountCents, row.currency)} for ${row.month} was transferred (reference ${ref}).`,
        'paid',
      ),
    ]);
    return row;
  });
}
