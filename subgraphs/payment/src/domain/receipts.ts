import type { Payment, PaymentProvider } from '../generated/prisma/client.ts';
import type { PaymentDeps } from './deps.ts';

/** The Receipt mapper. */
export interface ReceiptView {
  readonly number: string;
  readonly issuedAt: Date;
  readonly customerEmail: string | null;
  readonly lines: readonly { description: string; quantity: number; amountCents: number; vatCode: number }[];
  readonly totalCents: number;
  readonly refundedCents: number;
  readonly currency: string;
  readonly provider: PaymentProvider;
}

/** The receipt of a captured payment, from the same data the provider got (YooKassa's 54-FZ receipt is issued from it). */
export async function receiptOf(deps: PaymentDeps, payment: Payment): Promise<ReceiptView | null> {
  if (payment.status !== 'SUCCEEDED' || !payment.paidAt) return null;
  const contact = await deps.db.customerContact.findUnique({ where: { userId: payment.customerId } });
  return {
    number: payment.id,
    issuedAt: payment.paidAt,
    customerEmail: contact?.email ?? null,
    lines: [
      {
        description: payment.description,
        quantity: 1,
        amountCents: payment.amountCents,
        vatCode: deps.config.RECEIPT_VAT_CODE,
      },
    ],
    totalCents: payment.amountCents,
    refundedCents: payment.refundedCents,
    currency: payment.currency,
    provider: payment.provider,
  };
}
