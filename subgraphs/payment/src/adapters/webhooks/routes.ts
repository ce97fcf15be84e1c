import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, readBody, sendJson, type RouteHandler } from '@vegshare/kit';
import type Stripe from 'stripe';
import type { PaymentDeps } from '../../domain/deps.ts';
import { ProviderError } from '../providers/provider.ts';
import { clientAddress, inRanges, parseRanges } from './client-ip.ts';
import { processWebhook, type Observed } from './process.ts';

const MAX_BODY = 256 * 1024;

async function body(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'POST only' });
    return null;
  }
  try {
    return await readBody(req, MAX_BODY);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: 'body too large' });
      return null;
    }
    throw error;
  }
}

/** 5xx makes the provider deliver again later; a provider we could not re-read from is such a case. */
function failed(deps: PaymentDeps, res: ServerResponse, provider: 'STRIPE' | 'YOOKASSA', error: unknown): void {
  deps.metrics.webhooks.inc({ provider, outcome: 'error' });
  deps.logger.warn({ err: error, provider }, 'webhook not processed; the provider will deliver it again');
  sendJson(res, error instanceof ProviderError ? 503 : 500, { error: 'not processed, try again' });
}

const STRIPE_TOLERANCE_S = 300;

/**
 * POST /webhooks/stripe: the `Stripe-Signature` header is verified with the endpoint's signing secret (HMAC-SHA256
 * over `t.payload`, 5-minute tolerance) by the official library; then the PaymentIntent or Refund is re-read.
 */
export function stripeWebhook(deps: PaymentDeps, client: Stripe, secret: string): RouteHandler {
  return async (req, res) => {
    const raw = await body(req, res);
    if (raw === null) return;
    let event: Stripe.Event;
    try {
      event = client.webhooks.constructEvent(
        raw,
        String(req.headers['stripe-signature'] ?? ''),
        secret,
        STRIPE_TOLERANCE_S,
      );
    } catch {
      deps.metrics.webhooks.inc({ provider: 'STRIPE', outcome: 'refused' });
      sendJson(res, 400, { error: 'bad signature' });
      return;
    }
    const provider = deps.provider('STRIPE');
    const object = event.data.object as { id?: unknown; object?: unknown };
    if (
      !provider ||
      typeof object.id !== 'string' ||
      (object.object !== 'payment_intent' && object.object !== 'refund')
    ) {
      deps.metrics.webhooks.inc({ provider: 'STRIPE', outcome: 'ignored' });
      sendJson(res, 200, { received: true, outcome: 'ignored' });
      return;
    }
    try {
      const observed: Observed =
        object.object === 'payment_intent'
          ? { payment: await provider.getPayment(object.id) }
          : { refund: await provider.getRefund(object.id) };
      const outcome = await processWebhook(deps, 'STRIPE', event.id, observed);
      sendJson(res, 200, { received: true, outcome });
    } catch (error) {
      failed(deps, res, 'STRIPE', error);
    }
  };
}

const yooNotification = z.object({
  type: z.literal('notification'),
  event: z.enum(['payment.waiting_for_capture', 'payment.succeeded', 'payment.canceled', 'refund.succeeded']),
  object: z.object({ id: z.string().min(1).max(64) }),
});

/**
 * POST /webhooks/yookassa: YooKassa does not sign notifications; it documents the addresses they come from. A
 * notification from elsewhere is refused; an accepted one is only a hint: the payment or refund is re-read from the
 * API before anything changes.
 */
export function yookassaWebhook(deps: PaymentDeps): RouteHandler {
  const allow = parseRanges(deps.config.YOOKASSA_WEBHOOK_ALLOWLIST);
  const proxies = parseRanges(deps.config.TRUSTED_PROXIES);
  return async (req, res) => {
    const address = clientAddress(req, proxies);
    if (!address || !inRanges(address, allow)) {
      deps.metrics.webhooks.inc({ provider: 'YOOKASSA', outcome: 'refused' });
      deps.logger.warn(
        { address: address?.toString() ?? null },
        'YooKassa notification from an address not on the allowlist',
      );
      sendJson(res, 403, { error: 'forbidden' });
      return;
    }
    const raw = await body(req, res);
    if (raw === null) return;
    let parsed: z.infer<typeof yooNotification>;
    try {
      parsed = yooNotification.parse(JSON.parse(raw));
    } catch {
      deps.metrics.webhooks.inc({ provider: 'YOOKASSA', outcome: 'ignored' });
      sendJson(res, 400, { error: 'not a YooKassa notification we handle' });
      return;
    }
    const provider = deps.provider('YOOKASSA');
    if (!provider) {
      sendJson(res, 503, { error: 'YooKassa is not configured' });
      return;
    }
    try {
      const observed: Observed = parsed.event.startsWith('refund.')
        ? { refund: await provider.getRefund(parsed.object.id) }
        : { payment: await provider.getPayment(parsed.object.id) };
      const outcome = await processWebhook(deps, 'YOOKASSA', `${parsed.event}:${parsed.object.id}`, observed);
      sendJson(res, 200, { outcome });
    } catch (error) {
      failed(deps, res, 'YOOKASSA', error);
    }
  };
}
