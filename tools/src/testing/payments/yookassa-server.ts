// A local server speaking the part of YooKassa's API v3 the payment subgraph uses, as documented at
// https://yookassa.ru/developers/api: payments (two-stage: `capture: false` → waiting_for_capture), capture, cancel,
// refunds, 54-FZ receipt data (checked: items add up to the amount, a customer contact is given), HTTP Basic auth
// with the shop id and secret key, `Idempotence-Key` on every POST (a repeat returns the first answer, other data
// under the same key is refused), errors as `{ type: "error", code, description }`, and HTTP notifications
// (`{ type: "notification", event, object }`, unsigned, as YooKassa sends them). It also serves the payment page the
// customer is redirected to, with Pay and Decline. Used by the tests and as the embedded start's sandbox.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { deliver, serveLocal, type LocalHttp, type Reply, type Route } from './http.ts';

interface Amount {
  value: string;
  currency: string;
}

export interface YooReceiptData {
  customer: { email?: string; phone?: string };
  items: {
    description: string;
    quantity: string;
    amount: Amount;
    vat_code: number;
    payment_subject?: string;
    payment_mode?: string;
  }[];
}

export interface YooPaymentObject {
  id: string;
  status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
  paid: boolean;
  amount: Amount;
  description?: string;
  confirmation?: { type: string; confirmation_url?: string; confirmation_token?: string; return_url?: string };
  metadata: Record<string, string>;
  cancellation_details?: { party: string; reason: string };
  refunded_amount?: Amount;
  receipt_registration?: 'pending' | 'succeeded';
  created_at: string;
  captured_at?: string;
  recipient: { account_id: string; gateway_id: string };
  refundable: boolean;
  test: true;
}

export interface YooRefundObject {
  id: string;
  payment_id: string;
  status: 'pending' | 'succeeded' | 'canceled';
  amount: Amount;
  description?: string;
  created_at: string;
}

export interface YooNotification {
  type: 'notification';
  event: 'payment.waiting_for_capture' | 'payment.succeeded' | 'payment.canceled' | 'refund.succeeded';
  object: YooPaymentObject | YooRefundObject;
}

export interface LocalYooKassaOptions {
  readonly shopId?: string;
  readonly secretKey?: string;
  readonly notificationUrl?: string;
  /** The shop is registered for 54-FZ: payments and refunds without receipt data are refused. */
  readonly requireReceipt?: boolean;
  /** Headers added to every notification (e.g. the X-Forwarded-For an ingress in front of the service would add). */
  readonly notificationHeaders?: Readonly<Record<string, string>>;
  readonly port?: number;
}

export interface LocalYooKassa {
  readonly url: string;
  readonly apiUrl: string;
  readonly http: LocalHttp;
  readonly env: Record<string, string>;
  readonly payments: Map<string, YooPaymentObject>;
  readonly refunds: Map<string, YooRefundObject>;
  /** Receipt data sent with payments and refunds, by payment or refund id. */
  readonly receipts: Map<string, YooReceiptData>;
  readonly notifications: YooNotification[];
  autoDeliver: boolean;
  setNotificationUrl(url: string): void;
  /** Sends a notification (again), once (no retries); resolves with the endpoint's HTTP status. */
  notify(notification: YooNotification, headers?: Record<string, string>): Promise<number>;
  /** What the customer does on the payment page. */
  pay(paymentId: string): Promise<void>;
  decline(paymentId: string): Promise<void>;
  close(): Promise<void>;
}

const toCents = (v: string) => Math.round(Number(v) * 100);
const fromCents = (c: number) => (c / 100).toFixed(2);
const err = (status: number, code: string, description: string): Reply => ({
  status,
  body: { type: 'error', id: randomUUID(), code, description },
});

function receiptProblem(receipt: YooReceiptData | undefined, amount: Amount, required: boolean): string | null {
  if (!receipt) return required ? 'Receipt is missing or illegal' : null;
  if (!receipt.customer?.email && !receipt.customer?.phone) return 'Receipt customer contact is missing';
  if (!Array.isArray(receipt.items) || receipt.items.length === 0) return 'Receipt items are missing';
  const sum = receipt.items.reduce((s, i) => s + toCents(i.amount.value) * Number(i.quantity), 0);
  if (Math.round(sum) !== toCents(amount.value)) return 'Sum of receipt items does not match the amount';
  if (receipt.items.some((i) => !Number.isInteger(i.vat_code) || i.vat_code < 1 || i.vat_code > 12))
    return 'Receipt item vat_code is illegal';
  return null;
}

export async function startLocalYooKassa(options: LocalYooKassaOptions = {}): Promise<LocalYooKassa> {
  const shopId = options.shopId ?? String(100000 + Math.floor(Math.random() * 800000));
  const secretKey = options.secretKey ?? `test_${randomBytes(16).toString('base64url')}`;
  let notificationUrl = options.notificationUrl ?? null;
  const payments = new Map<string, YooPaymentObject>();
  const refunds = new Map<string, YooRefundObject>();
  const receipts = new Map<string, YooReceiptData>();
  const notifications: YooNotification[] = [];
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();
  let base = '';

  async function send(
    notification: YooNotification,
    headers: Record<string, string> = {},
    attempts = 5,
  ): Promise<number> {
    if (!notificationUrl) return 0;
    return deliver(
      notificationUrl,
      JSON.stringify(notification),
      { ...options.notificationHeaders, ...headers },
      attempts,
    );
  }

  function emit(event: YooNotification['event'], object: YooPaymentObject | YooRefundObject): void {
    const n: YooNotification = { type: 'notification', event, object: structuredClone(object) };
    notifications.push(n);
    if (local.autoDeliver) void send(n);
  }

  const authorized = (req: IncomingMessage) =>
    req.headers.authorization === `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;

  const mutating =
    (handle: (body: Record<string, unknown>, match: RegExpExecArray) => Reply): Route['handle'] =>
    (req, raw, match) => {
      if (!authorized(req)) return err(401, 'invalid_credentials', 'Authentication by given credentials failed');
      const key = req.headers['idempotence-key'];
      if (typeof key !== 'string' || key.length < 1 || key.length > 64)
        return err(400, 'invalid_request', 'Idempotence-Key header is missing or too long (max 64)');
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return err(400, 'invalid_request', 'Request body is not JSON');
      }
      const fingerprint = createHash('sha256')
        .update(`${req.url} ${JSON.stringify(body)}`)
        .digest('hex');
      const seen = idempotent.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint)
          return err(400, 'invalid_request', 'Idempotence key duplicated with different request data');
        return { ...seen.reply, after: () => undefined };
      }
      const reply = handle(body, match);
      if (reply.status < 500) idempotent.set(key, { fingerprint, reply: { status: reply.status, body: reply.body } });
      return reply;
    };

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/v3\/payments$/,
      handle: mutating((b) => {
        const amount = b['amount'] as Amount | undefined;
        if (!amount || !/^\d+(\.\d{1,2})?$/.test(amount.value) || amount.currency !== 'RUB')
          return err(400, 'invalid_request', 'amount is illegal');
        const confirmation = b['confirmation'] as { type?: string; return_url?: string } | undefined;
        const problem = receiptProblem(
          b['receipt'] as YooReceiptData | undefined,
          amount,
          options.requireReceipt ?? false,
        );
        if (problem) return err(400, 'invalid_request', problem);
        const id = `${randomUUID().slice(0, 8)}-000f-5000-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`;
        const payment: YooPaymentObject = {
          id,
          status: 'pending',
          paid: false,
          amount,
          ...(typeof b['description'] === 'string' ? { description: b['description'] } : {}),
          confirmation:
            confirmation?.type === 'embedded'
              ? { type: 'embedded', confirmation_token: `ct-${randomBytes(12).toString('hex')}` }
              : {
                  type: 'redirect',
                  confirmation_url: `${base}/checkout/${id}`,
                  ...(confirmation?.return_url ? { return_url: confirmation.return_url } : {}),
                },
          metadata: (b['metadata'] as Record<string, string> | undefined) ?? {},
          ...(b['receipt'] ? { receipt_registration: 'pending' as const } : {}),
          created_at: new Date().toISOString(),
          recipient: { account_id: shopId, gateway_id: '100500' },
          refundable: false,
          test: true,
        };
        if (b['receipt']) receipts.set(id, b['receipt'] as YooReceiptData);
        payments.set(id, payment);
        return { status: 200, body: payment };
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v3\/payments\/([\w-]+)$/,
      handle: (req, _b, m) => {
        if (!authorized(req)) return err(401, 'invalid_credentials', 'Authentication by given credentials failed');
        const payment = payments.get(m[1] ?? '');
        return payment ? { status: 200, body: payment } : err(404, 'not_found', 'Payment not found');
      },
    },
    {
      method: 'POST',
      pattern: /^\/v3\/payments\/([\w-]+)\/capture$/,
      handle: mutating((b, m) => {
        const payment = payments.get(m[1] ?? '');
        if (!payment) return err(404, 'not_found', 'Payment not found');
        if (payment.status !== 'waiting_for_capture')
          return err(400, 'invalid_request', `Payment in status ${payment.status} can't be captured`);
        const amount = (b['amount'] as Amount | undefined) ?? payment.amount;
        if (toCents(amount.value) > toCents(payment.amount.value))
          return err(400, 'invalid_request', 'Capture amount exceeds the payment amount');
        payment.status = 'succeeded';
        payment.amount = amount;
        payment.captured_at = new Date().toISOString();
        payment.refundable = true;
        if (payment.receipt_registration) payment.receipt_registration = 'succeeded';
        emit('payment.succeeded', payment);
        return { status: 200, body: payment };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v3\/payments\/([\w-]+)\/cancel$/,
      handle: mutating((_b, m) => {
        const payment = payments.get(m[1] ?? '');
        if (!payment) return err(404, 'not_found', 'Payment not found');
        if (payment.status !== 'waiting_for_capture')
          return err(400, 'invalid_request', `Payment in status ${payment.status} can't be canceled`);
        payment.status = 'canceled';
        payment.cancellation_details = { party: 'merchant', reason: 'canceled_by_merchant' };
        emit('payment.canceled', payment);
        return { status: 200, body: payment };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v3\/refunds$/,
      handle: mutating((b) => {
        const payment = payments.get(String(b['payment_id'] ?? ''));
        if (!payment) return err(404, 'not_found', 'Payment not found');
        if (payment.status !== 'succeeded')
          return err(400, 'invalid_request', `Payment in status ${payment.status} can't be refunded`);
        const amount = b['amount'] as Amount | undefined;
        const refunded = payment.refunded_amount ? toCents(payment.refunded_amount.value) : 0;
        if (!amount || toCents(amount.value) <= 0 || toCents(amount.value) > toCents(payment.amount.value) - refunded)
          return err(400, 'invalid_request', 'Refund amount exceeds the refundable amount');
        const problem = receiptProblem(
          b['receipt'] as YooReceiptData | undefined,
          amount,
          options.requireReceipt ?? false,
        );
        if (problem) return err(400, 'invalid_request', problem);
        const refund: YooRefundObject = {
          id: randomUUID(),
          payment_id: payment.id,
          status: 'succeeded',
          amount,
          ...(typeof b['description'] === 'string' ? { description: b['description'] } : {}),
          created_at: new Date().toISOString(),
        };
        refunds.set(refund.id, refund);
        if (b['receipt']) receipts.set(refund.id, b['receipt'] as YooReceiptData);
        payment.refunded_amount = { value: fromCents(refunded + toCents(amount.value)), currency: amount.currency };
        emit('refund.succeeded', refund);
        return { status: 200, body: refund };
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v3\/refunds\/([\w-]+)$/,
      handle: (req, _b, m) => {
        if (!authorized(req)) return err(401, 'invalid_credentials', 'Authentication by given credentials failed');
        const refund = refunds.get(m[1] ?? '');
        return refund ? { status: 200, body: refund } : err(404, 'not_found', 'Refund not found');
      },
    },
    {
      method: 'GET',
      pattern: /^\/checkout\/([\w-]+)$/,
      handle: (_req, _b, m) => {
        const payment = payments.get(m[1] ?? '');
        if (!payment) return { status: 404, body: '<!doctype html><p>No such payment</p>' };
        const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
        return {
          status: 200,
          body: `<!doctype html><meta charset="utf-8"><title>YooKassa sandbox</title><h1>${esc(payment.description ?? 'Payment')}</h1><p>${esc(payment.amount.value)} ${esc(payment.amount.currency)}</p><form method="post" action="/checkout/${esc(payment.id)}/pay"><button>Pay</button></form><form method="post" action="/checkout/${esc(payment.id)}/decline"><button>Decline</button></form>`,
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/checkout\/([\w-]+)\/(pay|decline)$/,
      handle: (_req, _b, m) => {
        const payment = payments.get(m[1] ?? '');
        if (!payment || payment.status !== 'pending')
          return { status: 409, body: '<!doctype html><p>This payment is not waiting for you</p>' };
        if (m[2] === 'pay') {
          payment.status = 'waiting_for_capture';
          payment.paid = true;
          emit('payment.waiting_for_capture', payment);
        } else {
          payment.status = 'canceled';
          payment.cancellation_details = { party: 'payment_network', reason: 'card_expired' };
          emit('payment.canceled', payment);
        }
        const back = payment.confirmation?.return_url;
        return back
          ? { status: 303, body: '', headers: { location: back } }
          : { status: 200, body: `<!doctype html><p>${m[2] === 'pay' ? 'Paid' : 'Declined'}</p>` };
      },
    },
  ];

  const http = await serveLocal(routes, options.port ?? 0);
  base = http.url;
  const local: LocalYooKassa = {
    url: http.url,
    apiUrl: `${http.url}/v3`,
    http,
    env: { YOOKASSA_SHOP_ID: shopId, YOOKASSA_SECRET_KEY: secretKey, YOOKASSA_API_URL: `${http.url}/v3` },
    payments,
    refunds,
    receipts,
    notifications,
    autoDeliver: true,
    setNotificationUrl: (url) => void (notificationUrl = url),
    notify: (n, headers) => send(n, headers, 1),
    async pay(id) {
      const res = await fetch(`${http.url}/checkout/${id}/pay`, { method: 'POST', redirect: 'manual' });
      await res.arrayBuffer();
    },
    async decline(id) {
      const res = await fetch(`${http.url}/checkout/${id}/decline`, { method: 'POST', redirect: 'manual' });
      await res.arrayBuffer();
    },
    close: () => http.close(),
  };
  return local;
}
