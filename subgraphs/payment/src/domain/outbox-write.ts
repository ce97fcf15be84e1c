import type { OutboxKind } from '../generated/prisma/client.ts';
import type { Tx } from '../db.ts';

/** The idempotency key of a provider call, derived from our own record: the same record always sends the same key. */
function idempotencyKeyOf(kind: OutboxKind, recordId: string, variant = ''): string {
  const verb = {
    CREATE_PAYMENT: 'create',
    CAPTURE_PAYMENT: 'capture',
    CANCEL_PAYMENT: 'cancel',
    CREATE_REFUND: 'refund',
  }[kind];
  return `vegshare:${verb}:${recordId}${variant ? `:${variant}` : ''}`;
}

/**
 * Writes a provider call to make, in the caller's transaction. One command per key: writing the same command twice
 * (a repeated event, a retried mutation) keeps the first.
 */
export async function enqueue(
  tx: Tx,
  kind: OutboxKind,
  paymentId: string,
  options: { refundId?: string; variant?: string } = {},
): Promise<void> {
  const idempotencyKey = idempotencyKeyOf(kind, options.refundId ?? paymentId, options.variant);
  await tx.outboxCommand.createMany({
    data: [{ kind, paymentId, refundId: options.refundId ?? null, idempotencyKey }],
    skipDuplicates: true,
  });
}
