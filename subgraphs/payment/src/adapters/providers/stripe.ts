import Stripe from 'stripe';
import {
  ProviderError,
  type CreatePayment,
  type CreateRefund,
  type PaymentProvider,
  type ProviderPayment,
  type ProviderPaymentStatus,
  type ProviderRefund,
  type ProviderRefundStatus,
} from './provider.ts';

export interface StripeOptions {
  readonly secretKey: string;
  /** Base URL of the API (https://api.stripe.com; a local server in tests and the embedded sandbox). */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  /** Retries of the official client itself (network errors, 409 lock timeouts, 5xx), with the same idempotency key. */
  readonly maxNetworkRetries: number;
}

/** PaymentIntent statuses as our payment states (manual capture: the money is held at requires_capture). */
function statusOf(intent: Stripe.PaymentIntent): ProviderPaymentStatus {
  switch (intent.status) {
    case 'requires_capture':
      return 'WAITING_FOR_CAPTURE';
    case 'succeeded':
      return 'SUCCEEDED';
    case 'canceled':
      return 'CANCELED';
    default:
      return 'PENDING';
  }
}

function refundStatusOf(refund: Stripe.Refund): ProviderRefundStatus {
  if (refund.status === 'succeeded') return 'SUCCEEDED';
  if (refund.status === 'failed' || refund.status === 'canceled') return 'CANCELED';
  return 'PENDING';
}

const toPayment = (intent: Stripe.PaymentIntent): ProviderPayment => ({
  id: intent.id,
  status: statusOf(intent),
  rawStatus: intent.status,
  amountCents: intent.amount,
  currency: intent.currency.toUpperCase(),
  confirmation:
    intent.client_secret && statusOf(intent) === 'PENDING'
      ? { type: 'CLIENT_SECRET', clientSecret: intent.client_secret }
      : null,
  ourPaymentId: intent.metadata['paymentId'] ?? null,
  cancellationReason: intent.cancellation_reason ?? intent.last_payment_error?.code ?? null,
});

const toRefund = (refund: Stripe.Refund): ProviderRefund => ({
  id: refund.id,
  providerPaymentId:
    typeof refund.payment_intent === 'string' ? refund.payment_intent : (refund.payment_intent?.id ?? ''),
  status: refundStatusOf(refund),
  amountCents: refund.amount,
  ourRefundId: refund.metadata?.['refundId'] ?? null,
});

/** Maps the official client's errors: connection problems, 5xx, 429 and 409 (idempotent request in flight) may be retried. */
function providerError(error: unknown): ProviderError {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode ?? null;
    const retryable =
      error instanceof Stripe.errors.StripeConnectionError ||
      status === null ||
      status >= 500 ||
      status === 429 ||
      status === 409;
    return new ProviderError(`Stripe: ${error.message}`, retryable, status, error.code ?? error.type);
  }
  return new ProviderError(`Stripe: ${error instanceof Error ? error.message : String(error)}`, true);
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw providerError(error);
  }
}

/** EUR payments through Stripe PaymentIntents with manual capture, via the official `stripe` package. */
export function stripeProvider(options: StripeOptions): PaymentProvider & { readonly client: Stripe } {
  const url = new URL(options.apiUrl);
  const client = new Stripe(options.secretKey, {
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol === 'http:' ? 'http' : 'https',
    timeout: options.timeoutMs,
    maxNetworkRetries: options.maxNetworkRetries,
    telemetry: false,
  });
  return {
    name: 'STRIPE',
    client,
    createPayment: (request: CreatePayment) =>
      call(async () =>
        toPayment(
          await client.paymentIntents.create(
            {
              amount: request.amountCents,
              currency: request.currency.toLowerCase(),
              capture_method: 'manual',
              description: request.description,
              metadata: { paymentId: request.paymentId },
              automatic_payment_methods: { enabled: true },
              ...(request.receipt ? { receipt_email: request.receipt.customerEmail } : {}),
            },
            { idempotencyKey: request.idempotencyKey },
          ),
        ),
      ),
    getPayment: (id) => call(async () => toPayment(await client.paymentIntents.retrieve(id))),
    capturePayment: (id, amountCents, _currency, idempotencyKey) =>
      call(async () =>
        toPayment(await client.paymentIntents.capture(id, { amount_to_capture: amountCents }, { idempotencyKey })),
      ),
    cancelPayment: (id, idempotencyKey) =>
      call(async () => toPayment(await client.paymentIntents.cancel(id, {}, { idempotencyKey }))),
    createRefund: (request: CreateRefund) =>
      call(async () =>
        toRefund(
          await client.refunds.create(
            {
              payment_intent: request.providerPaymentId,
              amount: request.amountCents,
              metadata: { refundId: request.refundId },
            },
            { idempotencyKey: request.idempotencyKey },
          ),
        ),
      ),
    getRefund: (id) => call(async () => toRefund(await client.refunds.retrieve(id))),
  };
}
