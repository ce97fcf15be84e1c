/**
 * What the payment subgraph needs from a payment provider, whatever it is (YooKassa for RUB, Stripe for EUR).
 * Every call that changes something carries an idempotency key derived from our own record, so a retried call
 * (after a timeout, a 5xx or a crash of ours) returns the provider's first answer instead of acting twice.
 */
export type ProviderName = 'STRIPE' | 'YOOKASSA';
export type ProviderPaymentStatus = 'PENDING' | 'WAITING_FOR_CAPTURE' | 'SUCCEEDED' | 'CANCELED';
export type ProviderRefundStatus = 'PENDING' | 'SUCCEEDED' | 'CANCELED';

/** How the customer confirms the payment: a provider page (redirect), a provider widget (embedded token) or Stripe.js (client secret). */
type Confirmation =
  | { readonly type: 'REDIRECT'; readonly url: string }
  | { readonly type: 'EMBEDDED'; readonly token: string }
  | { readonly type: 'CLIENT_SECRET'; readonly clientSecret: string };

export interface ProviderPayment {
  readonly id: string;
  readonly status: ProviderPaymentStatus;
  /** The provider's own status word (for logs and support). */
  readonly rawStatus: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly confirmation: Confirmation | null;
  /** Our payment id, from the metadata we attached. */
  readonly ourPaymentId: string | null;
  readonly cancellationReason: string | null;
}

export interface ProviderRefund {
  readonly id: string;
  readonly providerPaymentId: string;
  readonly status: ProviderRefundStatus;
  readonly amountCents: number;
  /** Our refund id, from the metadata we attached (when the provider keeps metadata on refunds). */
  readonly ourRefundId: string | null;
}

/** One line of a receipt (54-FZ for YooKassa: VAT code, payment subject and mode). */
interface ReceiptLine {
  readonly description: string;
  readonly quantity: number;
  readonly amountCents: number;
  /** 54-FZ VAT code (1 = no VAT … 6); only YooKassa sends it. */
  readonly vatCode: number;
  readonly paymentSubject: 'service' | 'commodity';
  readonly paymentMode: 'full_prepayment' | 'full_payment';
}

export interface Receipt {
  readonly customerEmail: string;
  readonly lines: readonly ReceiptLine[];
}

export interface CreatePayment {
  readonly paymentId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly description: string;
  readonly returnUrl: string;
  readonly receipt: Receipt | null;
  readonly idempotencyKey: string;
}

export interface CreateRefund {
  readonly refundId: string;
  readonly providerPaymentId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly description: string;
  readonly receipt: Receipt | null;
  readonly idempotencyKey: string;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  createPayment(request: CreatePayment): Promise<ProviderPayment>;
  getPayment(providerPaymentId: string): Promise<ProviderPayment>;
  capturePayment(
    providerPaymentId: string,
    amountCents: number,
    currency: string,
    idempotencyKey: string,
  ): Promise<ProviderPayment>;
  cancelPayment(providerPaymentId: string, idempotencyKey: string): Promise<ProviderPayment>;
  createRefund(request: CreateRefund): Promise<ProviderRefund>;
  getRefund(providerRefundId: string): Promise<ProviderRefund>;
}

/**
 * A provider call that failed. `retryable`: the same call with the same idempotency key may succeed later (timeouts,
 * connection errors, 5xx, 429, a request still in progress); otherwise the provider refused it for good (4xx).
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** Statuses only move forward; a late or repeated notification never moves a payment back. */
const RANK: Record<ProviderPaymentStatus, number> = { PENDING: 0, WAITING_FOR_CAPTURE: 1, SUCCEEDED: 2, CANCELED: 2 };
export const isForward = (from: ProviderPaymentStatus, to: ProviderPaymentStatus): boolean => RANK[to] > RANK[from];
