// A local server speaking the part of Stripe's API v1 the payment subgraph uses, as documented at
// https://docs.stripe.com/api: PaymentIntents with manual capture (create, retrieve, confirm, capture, cancel),
// refunds, idempotent requests (`Idempotency-Key`: a repeat returns the first answer, `Idempotent-Replayed: true`;
// other parameters under the same key are refused), form-encoded bodies, errors as `{ error: { type, code, message } }`,
// and events delivered to a webhook endpoint signed like Stripe does (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret,
// "t.payload")`). Used by the tests and as the embedded start's sandbox; the real service cannot be reached from here.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { deliver, serveLocal, type LocalHttp, type Reply, type Route } from './http.ts';

type Params = Record<string, string | Record<string, string>>;

/** Parses `a=1&metadata[paymentId]=x` (one level of brackets, as our calls send). */
function parseForm(body: string): Params {
  const out: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const m = /^([^[]+)\[([^\]]+)\]$/.exec(key);
    if (m?.[1] && m[2]) {
      const inner = (out[m[1]] as Record<string, string> | undefined) ?? {};
      inner[m[2]] = value;
      out[m[1]] = inner;
    } else out[key] = value;
  }
  return out;
}

export interface StripeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';
  capture_method: 'manual';
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  receipt_email: string | null;
  cancellation_reason: string | null;
  last_payment_error: { code: string; message: string } | null;
  created: number;
  livemode: false;
}

export interface StripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: 'pending' | 'succeeded' | 'failed';
  metadata: Record<string, string>;
  created: number;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  api_version: string;
  created: number;
  livemode: false;
  data: { object: StripeIntent | StripeRefund };
}

export interface LocalStripeOptions {
  readonly secretKey?: string;
  readonly publishableKey?: string;
  readonly webhookSecret?: string;
  /** Where events are delivered; settable later with `setWebhookUrl`. */
  readonly webhookUrl?: string;
  /** Refunds stay `pending` until `settleRefund` (default: succeed at once, as card refunds usually do). */
  readonly pendingRefunds?: boolean;
  readonly port?: number;
}

export interface LocalStripe {
  readonly url: string;
  readonly http: LocalHttp;
  readonly env: Record<string, string>;
  readonly intents: Map<string, StripeIntent>;
  readonly refunds: Map<string, StripeRefund>;
  /** Every event, in creation order. */
  readonly events: StripeEvent[];
  /** When false, events are recorded but not delivered (tests deliver them in their own order). */
  autoDeliver: boolean;
  setWebhookUrl(url: string): void;
  /** Delivers an event (again), signed now, once (no retries); resolves with the endpoint's HTTP status. */
  deliver(event: StripeEvent, signWith?: string): Promise<number>;
  /** What Stripe.js does when the customer pays: confirms the intent with a test card (pm_card_visa, pm_card_chargeDeclined). */
  pay(intentId: string, paymentMethod?: string): Promise<StripeIntent>;
  settleRefund(id: string, outcome: 'succeeded' | 'failed'): void;
  close(): Promise<void>;
}

const API_VERSION = '2026-10-28.endive';
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const err = (status: number, type: string, message: string, code?: string): Reply => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}) } },
});

export async function startLocalStripe(options: LocalStripeOptions = {}): Promise<LocalStripe> {
  const secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const publishableKey = options.publishableKey ?? `pk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  let webhookUrl = options.webhookUrl ?? null;
  const intents = new Map<string, StripeIntent>();
  const refunds = new Map<string, StripeRefund>();
  const events: StripeEvent[] = [];
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();
  const now = () => Math.floor(Date.now() / 1000);

  function sign(payload: string, secret: string): string {
    const t = now();
    return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')}`;
  }

  async function send(event: StripeEvent, secret = webhookSecret, attempts = 5): Promise<number> {
    if (!webhookUrl) return 0;
    const payload = JSON.stringify(event, null, 2);
    return deliver(
      webhookUrl,
      payload,
      { 'stripe-signature': sign(payload, secret), 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      attempts,
    );
  }

  function emit(type: string, object: StripeIntent | StripeRefund): void {
    const event: StripeEvent = {
      id: id('evt'),
      object: 'event',
      type,
      api_version: API_VERSION,
      created: now(),
      livemode: false,
      data: { object: structuredClone(object) },
    };
    events.push(event);
    if (local.autoDeliver) void send(event);
  }

  const authorized = (req: IncomingMessage, allowPublishable = false) => {
    const header = req.headers.authorization ?? '';
    return header === `Bearer ${secretKey}` || (allowPublishable && header === `Bearer ${publishableKey}`);
  };

  /** Wraps a state-changing handler with Stripe's idempotent-request rules. */
  const mutating =
    (handle: (params: Params, match: RegExpExecArray) => Reply): Route['handle'] =>
    (req, body, match) => {
      if (!authorized(req, req.url?.endsWith('/confirm')))
        return err(401, 'invalid_request_error', 'Invalid API Key provided');
      const params = parseForm(body);
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string') return handle(params, match);
      const fingerprint = createHash('sha256').update(`${req.method} ${req.url} ${body}`).digest('hex');
      const seen = idempotent.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint)
          return err(
            400,
            'idempotency_error',
            'Keys for idempotent requests can only be used with the same parameters they were first used with.',
          );
        return { ...seen.reply, headers: { 'idempotent-replayed': 'true' }, after: () => undefined };
      }
      const reply = handle(params, match);
      if (reply.status < 500) idempotent.set(key, { fingerprint, reply: { status: reply.status, body: reply.body } });
      return reply;
    };

  const intentOf = (match: RegExpExecArray) => intents.get(match[1] ?? '');

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents$/,
      handle: mutating((p) => {
        const amount = Number(p['amount']);
        if (!Number.isInteger(amount) || amount < 50)
          return err(400, 'invalid_request_error', 'Amount must be at least €0.50 eur', 'amount_too_small');
        const intentId = id('pi');
        const intent: StripeIntent = {
          id: intentId,
          object: 'payment_intent',
          amount,
          amount_capturable: 0,
          amount_received: 0,
          currency: String(p['currency'] ?? 'eur'),
          status: 'requires_payment_method',
          capture_method: 'manual',
          client_secret: `${intentId}_secret_${randomBytes(10).toString('hex')}`,
          description: typeof p['description'] === 'string' ? p['description'] : null,
          metadata: typeof p['metadata'] === 'object' ? p['metadata'] : {},
          receipt_email: typeof p['receipt_email'] === 'string' ? p['receipt_email'] : null,
          cancellation_reason: null,
          last_payment_error: null,
          created: now(),
          livemode: false,
        };
        intents.set(intentId, intent);
        emit('payment_intent.created', intent);
        return { status: 200, body: intent };
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payment_intents\/([\w]+)$/,
      handle: (req, _b, m) => {
        if (!authorized(req)) return err(401, 'invalid_request_error', 'Invalid API Key provided');
        const intent = intentOf(m);
        return intent
          ? { status: 200, body: intent }
          : err(404, 'invalid_request_error', `No such payment_intent: '${m[1] ?? ''}'`, 'resource_missing');
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([\w]+)\/confirm$/,
      handle: mutating((p, m) => {
        const intent = intentOf(m);
        if (!intent) return err(404, 'invalid_request_error', 'No such payment_intent', 'resource_missing');
        if (intent.status !== 'requires_payment_method')
          return err(
            400,
            'invalid_request_error',
            `This PaymentIntent's status is ${intent.status}`,
            'payment_intent_unexpected_state',
          );
        if (p['payment_method'] === 'pm_card_chargeDeclined') {
          intent.last_payment_error = { code: 'card_declined', message: 'Your card was declined.' };
          emit('payment_intent.payment_failed', intent);
          return err(402, 'card_error', 'Your card was declined.', 'card_declined');
        }
        intent.status = 'requires_capture';
        intent.amount_capturable = intent.amount;
        intent.last_payment_error = null;
        emit('payment_intent.amount_capturable_updated', intent);
        return { status: 200, body: intent };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([\w]+)\/capture$/,
      handle: mutating((p, m) => {
        const intent = intentOf(m);
        if (!intent) return err(404, 'invalid_request_error', 'No such payment_intent', 'resource_missing');
        if (intent.status !== 'requires_capture')
          return err(
            400,
            'invalid_request_error',
            `This PaymentIntent could not be captured because it has a status of ${intent.status}.`,
            'payment_intent_unexpected_state',
          );
        const amount = p['amount_to_capture'] ? Number(p['amount_to_capture']) : intent.amount_capturable;
        if (!Number.isInteger(amount) || amount > intent.amount_capturable)
          return err(
            400,
            'invalid_request_error',
            'amount_to_capture is greater than the amount capturable',
            'amount_too_large',
          );
        intent.status = 'succeeded';
        intent.amount_received = amount;
        intent.amount_capturable = 0;
        emit('payment_intent.succeeded', intent);
        return { status: 200, body: intent };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([\w]+)\/cancel$/,
      handle: mutating((_p, m) => {
        const intent = intentOf(m);
        if (!intent) return err(404, 'invalid_request_error', 'No such payment_intent', 'resource_missing');
        if (intent.status === 'succeeded' || intent.status === 'canceled')
          return err(
            400,
            'invalid_request_error',
            `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
            'payment_intent_unexpected_state',
          );
        intent.status = 'canceled';
        intent.amount_capturable = 0;
        intent.cancellation_reason = 'requested_by_customer';
        emit('payment_intent.canceled', intent);
        return { status: 200, body: intent };
      }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/refunds$/,
      handle: mutating((p) => {
        const intent = intents.get(String(p['payment_intent'] ?? ''));
        if (!intent) return err(400, 'invalid_request_error', 'No such payment_intent', 'resource_missing');
        if (intent.status !== 'succeeded')
          return err(
            400,
            'invalid_request_error',
            'This PaymentIntent does not have a successful charge to refund.',
            'charge_not_refundable',
          );
        const already = [...refunds.values()]
          .filter((r) => r.payment_intent === intent.id && r.status !== 'failed')
          .reduce((s, r) => s + r.amount, 0);
        const amount = p['amount'] ? Number(p['amount']) : intent.amount_received - already;
        if (!Number.isInteger(amount) || amount <= 0 || amount > intent.amount_received - already)
          return err(
            400,
            'invalid_request_error',
            'Refund amount is greater than unrefunded amount on charge',
            'amount_too_large',
          );
        const refund: StripeRefund = {
          id: id('re'),
          object: 'refund',
          amount,
          currency: intent.currency,
          payment_intent: intent.id,
          status: options.pendingRefunds ? 'pending' : 'succeeded',
          metadata: typeof p['metadata'] === 'object' ? p['metadata'] : {},
          created: now(),
        };
        refunds.set(refund.id, refund);
        emit('refund.created', refund);
        return { status: 200, body: refund };
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds\/([\w]+)$/,
      handle: (req, _b, m) => {
        if (!authorized(req)) return err(401, 'invalid_request_error', 'Invalid API Key provided');
        const refund = refunds.get(m[1] ?? '');
        return refund
          ? { status: 200, body: refund }
          : err(404, 'invalid_request_error', 'No such refund', 'resource_missing');
      },
    },
  ];

  const http = await serveLocal(routes, options.port ?? 0);
  const local: LocalStripe = {
    url: http.url,
    http,
    env: {
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_PUBLISHABLE_KEY: publishableKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: http.url,
    },
    intents,
    refunds,
    events,
    autoDeliver: true,
    setWebhookUrl: (url) => void (webhookUrl = url),
    deliver: (event, signWith) => send(event, signWith, 1),
    async pay(intentId, paymentMethod = 'pm_card_visa') {
      const intent = intents.get(intentId);
      if (!intent) throw new Error(`no intent ${intentId}`);
      const res = await fetch(`${http.url}/v1/payment_intents/${intentId}/confirm`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publishableKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ payment_method: paymentMethod, client_secret: intent.client_secret }).toString(),
      });
      await res.arrayBuffer();
      return intent;
    },
    settleRefund(refundId, outcome) {
      const refund = refunds.get(refundId);
      if (!refund) throw new Error(`no refund ${refundId}`);
      refund.status = outcome;
      emit(outcome === 'failed' ? 'refund.failed' : 'refund.updated', refund);
    },
    close: () => http.close(),
  };
  return local;
}
