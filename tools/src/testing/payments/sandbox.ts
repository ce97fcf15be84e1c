import { startLocalStripe, type LocalStripe } from './stripe-server.ts';
import { startLocalYooKassa, type LocalYooKassa } from './yookassa-server.ts';

export interface PaymentSandbox {
  readonly stripe: LocalStripe;
  readonly yookassa: LocalYooKassa;
  /** Environment for the payment service: keys, API base URLs, and the sandbox's address on the notification allowlist. */
  readonly env: Record<string, string>;
  /** Points both providers' webhooks at a running payment service. */
  connect(paymentServiceUrl: string): void;
  stop(): Promise<void>;
}

/**
 * Local Stripe and YooKassa servers speaking the providers' documented APIs, for the embedded start (no provider
 * keys configured) and the end-to-end tests. Nothing here is real money: the YooKassa page has Pay/Decline buttons,
 * and Stripe PaymentIntents are confirmed with Stripe's test payment methods (pm_card_visa).
 */
export async function startPaymentSandbox(ports: { stripe?: number; yookassa?: number } = {}): Promise<PaymentSandbox> {
  const stripe = await startLocalStripe({ ...(ports.stripe !== undefined ? { port: ports.stripe } : {}) });
  const yookassa = await startLocalYooKassa({
    requireReceipt: true,
    ...(ports.yookassa !== undefined ? { port: ports.yookassa } : {}),
  });
  return {
    stripe,
    yookassa,
    env: { ...stripe.env, ...yookassa.env, YOOKASSA_WEBHOOK_ALLOWLIST: '127.0.0.1/32,::1/128' },
    connect(url) {
      stripe.setWebhookUrl(`${url}/webhooks/stripe`);
      yookassa.setNotificationUrl(`${url}/webhooks/yookassa`);
    },
    async stop() {
      await stripe.close();
      await yookassa.close();
    },
  };
}
