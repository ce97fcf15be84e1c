import { centsToDecimal, decimalToCents } from '../../domain/money.ts';
import type {
  CreatePayment,
  CreateRefund,
  PaymentProvider,
  ProviderPayment,
  ProviderPaymentStatus,
  ProviderRefund,
  Receipt,
} from './provider.ts';
import {
  YooKassaClient,
  type YooKassaClientOptions,
  type YooPayment,
  type YooReceipt,
  type YooRefund,
} from './yookassa-client.ts';

export interface YooKassaOptions extends YooKassaClientOptions {
  /** `redirect`: the customer pays on YooKassa's page; `embedded`: in YooKassa's widget inside the app. */
  readonly confirmation: 'redirect' | 'embedded';
}

const STATUS: Record<YooPayment['status'], ProviderPaymentStatus> = {
  pending: 'PENDING',
  waiting_for_capture: 'WAITING_FOR_CAPTURE',
  succeeded: 'SUCCEEDED',
  canceled: 'CANCELED',
};

function toPayment(p: YooPayment): ProviderPayment {
  const c = p.confirmation;
  const confirmation =
    p.status !== 'pending' || !c
      ? null
      : c.confirmation_url
        ? ({ type: 'REDIRECT', url: c.confirmation_url } as const)
        : c.confirmation_token
          ? ({ type: 'EMBEDDED', token: c.confirmation_token } as const)
          : null;
  return {
    id: p.id,
    status: STATUS[p.status],
    rawStatus: p.status,
    amountCents: decimalToCents(p.amount.value),
    currency: p.amount.currency,
    confirmation,
    ourPaymentId: p.metadata?.['paymentId'] ?? null,
    cancellationReason: p.cancellation_details
      ? `${p.cancellation_details.party}:${p.cancellation_details.reason}`
      : null,
  };
}

const toRefund = (r: YooRefund): ProviderRefund => ({
  id: r.id,
  providerPaymentId: r.payment_id,
  status: r.status === 'succeeded' ? 'SUCCEEDED' : r.status === 'canceled' ? 'CANCELED' : 'PENDING',
  amountCents: decimalToCents(r.amount.value),
  ourRefundId: null,
});

/** 54-FZ receipt data: YooKassa's cash register issues the fiscal receipt from it and e-mails the customer. */
function receiptOf(receipt: Receipt | null, currency: string): YooReceipt | undefined {
  if (!receipt) return undefined;
  return {
    customer: { email: receipt.customerEmail },
    items: receipt.lines.map((l) => ({
      description: l.description.slice(0, 128),
      quantity: l.quantity.toFixed(2),
      amount: { value: centsToDecimal(l.amountCents), currency },
      vat_code: l.vatCode,
      payment_subject: l.paymentSubject,
      payment_mode: l.paymentMode,
    })),
  };
}

/** RUB payments through YooKassa: two-stage (capture: false), so the money is held until the farm confirms. */
export function yookassaProvider(options: YooKassaOptions): PaymentProvider {
  const client = new YooKassaClient(options);
  return {
    name: 'YOOKASSA',
    async createPayment(request: CreatePayment) {
      const receipt = receiptOf(request.receipt, request.currency);
      const payment = await client.createPayment(
        {
          amount: { value: centsToDecimal(request.amountCents), currency: request.currency },
          capture: false,
          confirmation:
            options.confirmation === 'embedded'
              ? { type: 'embedded' }
              : { type: 'redirect', return_url: request.returnUrl },
          description: request.description.slice(0, 128),
          metadata: { paymentId: request.paymentId },
          ...(receipt ? { receipt } : {}),
        },
        request.idempotencyKey,
      );
      return toPayment(payment);
    },
    getPayment: async (id) => toPayment(await client.getPayment(id)),
    capturePayment: async (id, amountCents, currency, key) =>
      toPayment(await client.capturePayment(id, { amount: { value: centsToDecimal(amountCents), currency } }, key)),
    cancelPayment: async (id, key) => toPayment(await client.cancelPayment(id, key)),
    async createRefund(request: CreateRefund) {
      const receipt = receiptOf(request.receipt, request.currency);
      const refund = await client.createRefund(
        {
          payment_id: request.providerPaymentId,
          amount: { value: centsToDecimal(request.amountCents), currency: request.currency },
          description: request.description.slice(0, 250),
          ...(receipt ? { receipt } : {}),
        },
        request.idempotencyKey,
      );
      return toRefund(refund);
    },
    getRefund: async (id) => toRefund(await client.getRefund(id)),
  };
}
