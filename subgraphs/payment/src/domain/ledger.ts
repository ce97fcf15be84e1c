import { randomUUID } from 'node:crypto';
import type { LedgerAccountKind } from '../generated/prisma/client.ts';
import type { PaymentDb, Tx } from '../db.ts';

/**
 * The append-only double-entry ledger. Money moves between accounts in journals whose entries sum to zero per
 * currency (Postgres checks it at commit); nothing is ever updated or deleted (a trigger refuses it). Every balance
 * is a sum over entries, reported on the account's normal side: a CUSTOMER account is where money came from, so its
 * balance is minus its sum (what the customer paid in, net of refunds); all other balances are their sums. With
 * that convention no balance may ever be negative.
 *
 *   capture   CUSTOMER −A · FARMER_PENDING +(A−C) · PLATFORM_COMMISSION +C
 *   refund    CUSTOMER +R · FARMER_PENDING (or FARMER_AVAILABLE once released) −(R−c) · PLATFORM_COMMISSION −c
 *   release   FARMER_PENDING −x · FARMER_AVAILABLE +x          (the booking started: no more policy refunds)
 *   payout    FARMER_AVAILABLE −P · PAYOUT_IN_TRANSIT +P
 *   paid      PAYOUT_IN_TRANSIT −P · PAID_OUT +P
 */
const NORMAL_SIGN: Record<LedgerAccountKind, 1 | -1> = {
  CUSTOMER: -1,
  FARMER_PENDING: 1,
  FARMER_AVAILABLE: 1,
  PAYOUT_IN_TRANSIT: 1,
  PAID_OUT: 1,
  PLATFORM_COMMISSION: 1,
};

type JournalKind = 'capture' | 'refund' | 'refund_reversed' | 'release' | 'payout' | 'payout_paid';

interface Posting {
  readonly account: LedgerAccountKind;
  readonly ownerId: string | null;
  readonly amountCents: number;
}

export interface Journal {
  readonly kind: JournalKind;
  readonly currency: string;
  readonly paymentId?: string;
  readonly refundId?: string;
  readonly payoutId?: string;
  /** When it happened, by the service's clock (statements group by it). */
  readonly at: Date;
  readonly postings: readonly Posting[];
}

class UnbalancedJournalError extends Error {}

/** Writes one journal inside the caller's transaction; refuses one that does not sum to zero before Postgres would. */
export async function postJournal(tx: Tx, journal: Journal): Promise<string> {
  const postings = journal.postings.filter((p) => p.amountCents !== 0);
  const sum = postings.reduce((s, p) => s + p.amountCents, 0);
  if (sum !== 0 || postings.some((p) => !Number.isSafeInteger(p.amountCents)))
    throw new UnbalancedJournalError(`journal ${journal.kind} does not balance (${sum})`);
  const journalId = randomUUID();
  if (postings.length === 0) return journalId;
  await tx.ledgerEntry.createMany({
    data: postings.map((p) => ({
      journalId,
      journalKind: journal.kind,
      accountKind: p.account,
      ownerId: p.ownerId,
      currency: journal.currency,
      amountCents: BigInt(p.amountCents),
      paymentId: journal.paymentId ?? null,
      refundId: journal.refundId ?? null,
      payoutId: journal.payoutId ?? null,
      createdAt: journal.at,
    })),
  });
  return journalId;
}

type Reader = Pick<PaymentDb, '$queryRaw'>;

/** An account's balance on its normal side, optionally as it was before `before`. */
export async function balanceOf(
  db: Reader,
  account: LedgerAccountKind,
  ownerId: string | null,
  currency: string,
  before?: Date,
): Promise<number> {
  const at = before ?? new Date('9999-12-31T00:00:00Z');
  const [row] = await db.$queryRaw<{ sum: bigint | null }[]>`
    SELECT SUM(amount_cents)::bigint AS sum FROM ledger_entry
    WHERE account_kind = ${account}::"LedgerAccountKind" AND owner_id IS NOT DISTINCT FROM ${ownerId}::uuid AND currency = ${currency} AND created_at < ${at}`;
  return Number(row?.sum ?? 0n) * NORMAL_SIGN[account];
}

export interface OwnerBalance {
  readonly currency: string;
  readonly balances: Readonly<Partial<Record<LedgerAccountKind, number>>>;
}

/** Every balance of one owner (a farmer), per currency. */
export async function balancesOfOwner(db: Reader, ownerId: string): Promise<OwnerBalance[]> {
  const rows = await db.$queryRaw<{ account_kind: LedgerAccountKind; currency: string; sum: bigint }[]>`
    SELECT account_kind, currency, SUM(amount_cents)::bigint AS sum FROM ledger_entry WHERE owner_id = ${ownerId}::uuid
    GROUP BY account_kind, currency ORDER BY currency`;
  const byCurrency = new Map<string, Partial<Record<LedgerAccountKind, number>>>();
  for (const r of rows) {
    const entry = byCurrency.get(r.currency) ?? {};
    entry[r.account_kind] = Number(r.sum) * NORMAL_SIGN[r.account_kind];
    byCurrency.set(r.currency, entry);
  }
  return [...byCurrency].map(([currency, balances]) => ({ currency, balances }));
}

export interface LedgerCheck {
  /** Currencies whose entries do not sum to zero, with the sum. */
  readonly unbalanced: readonly { currency: string; sum: number }[];
  /** Accounts whose normal-side balance is negative. */
  readonly negative: readonly {
    account: LedgerAccountKind;
    ownerId: string | null;
    currency: string;
    balance: number;
  }[];
  readonly entries: number;
}

/** The ledger's invariants: everything sums to zero per currency, and no account's balance is below zero. */
export async function checkLedger(db: Reader): Promise<LedgerCheck> {
  const sums = await db.$queryRaw<{ currency: string; sum: bigint; n: bigint }[]>`
    SELECT currency, SUM(amount_cents)::bigint AS sum, COUNT(*) AS n FROM ledger_entry GROUP BY currency`;
  const accounts = await db.$queryRaw<
    { account_kind: LedgerAccountKind; owner_id: string | null; currency: string; sum: bigint }[]
  >`
    SELECT account_kind, owner_id, currency, SUM(amount_cents)::bigint AS sum FROM ledger_entry GROUP BY account_kind, owner_id, currency`;
  return {
    unbalanced: sums.filter((s) => s.sum !== 0n).map((s) => ({ currency: s.currency, sum: Number(s.sum) })),
    negative: accounts
      .map((a) => ({
        account: a.account_kind,
        ownerId: a.owner_id,
        currency: a.currency,
        balance: Number(a.sum) * NORMAL_SIGN[a.account_kind],
      }))
      .filter((a) => a.balance < 0),
    entries: sums.reduce((n, s) => n + Number(s.n), 0),
  };
}
