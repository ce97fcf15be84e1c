import type { Payment, Payout } from '../generated/prisma/client.ts';
import type { PaymentDeps } from './deps.ts';
import { balanceOf } from './ledger.ts';
import { parseMonth } from './payouts.ts';
import { commissionOf } from './money.ts';

interface StatementLineView {
  readonly payment: Payment;
  readonly description: string;
  readonly grossCents: number;
  readonly commissionCents: number;
  readonly refundedCents: number;
  readonly netCents: number;
  readonly paidAt: Date;
}

/** The PayoutStatement mapper: a farmer's month in one currency, computed from the ledger. */
export interface Statement {
  readonly farmerId: string;
  readonly month: string;
  readonly currency: string;
  readonly openingBalanceCents: number;
  readonly releasedCents: number;
  readonly refundedCents: number;
  readonly paidOutCents: number;
  readonly closingBalanceCents: number;
  readonly pendingCents: number;
  readonly grossCents: number;
  readonly commissionCents: number;
  readonly lines: readonly StatementLineView[];
  readonly payout: Payout | null;
}

/** The farmer's statements of `month`, one per currency they have money in. */
export async function statementsOf(deps: PaymentDeps, farmerId: string, month: string): Promise<Statement[]> {
  const { start, end } = parseMonth(month);
  const currencies = await deps.db.$queryRaw<{ currency: string }[]>`
    SELECT DISTINCT currency FROM ledger_entry WHERE owner_id = ${farmerId}::uuid AND created_at < ${end} ORDER BY currency`;
  const out: Statement[] = [];
  for (const { currency } of currencies) {
    const flows = await deps.db.$queryRaw<{ journal_kind: string; sum: bigint }[]>`
      SELECT journal_kind, SUM(amount_cents)::bigint AS sum FROM ledger_entry
      WHERE owner_id = ${farmerId}::uuid AND currency = ${currency} AND account_kind = 'FARMER_AVAILABLE'
        AND created_at >= ${start} AND created_at < ${end}
      GROUP BY journal_kind`;
    const flow = (kind: string) => Number(flows.find((f) => f.journal_kind === kind)?.sum ?? 0n);
    const paid = await deps.db.payment.findMany({
      where: { farmerId, currency, paidAt: { gte: start, lt: end } },
      orderBy: { paidAt: 'asc' },
    });
    const lines = paid.map((p): StatementLineView => {
      const kept = p.amountCents - p.refundedCents;
      const commission = commissionOf(kept, p.commissionBps);
      return {
        payment: p,
        description: p.description,
        grossCents: p.amountCents,
        commissionCents: commission,
        refundedCents: p.refundedCents,
        netCents: kept - commission,
        paidAt: p.paidAt ?? start,
      };
    });
    out.push({
      farmerId,
      month,
      currency,
      openingBalanceCents: await balanceOf(deps.db, 'FARMER_AVAILABLE', farmerId, currency, start),
      releasedCents: flow('release'),
      refundedCents: -(flow('refund') + flow('refund_reversed')),
      paidOutCents: -flow('payout'),
      closingBalanceCents: await balanceOf(deps.db, 'FARMER_AVAILABLE', farmerId, currency, end),
      pendingCents: await balanceOf(deps.db, 'FARMER_PENDING', farmerId, currency, end),
      grossCents: lines.reduce((s, l) => s + l.grossCents, 0),
      commissionCents: lines.reduce((s, l) => s + l.commissionCents, 0),
      lines,
      payout: await deps.db.payout.findUnique({ where: { farmerId_currency_month: { farmerId, currency, month } } }),
    });
  }
  return out;
}
