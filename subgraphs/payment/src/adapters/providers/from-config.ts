import type { PaymentConfig } from '../../env.ts';
import type { PaymentProvider, ProviderName } from './provider.ts';
import { stripeProvider } from './stripe.ts';
import { yookassaProvider } from './yookassa.ts';

export interface Providers {
  get(name: ProviderName): PaymentProvider | null;
  /** The official Stripe client (webhook signature checks), when Stripe is configured. */
  readonly stripe: ReturnType<typeof stripeProvider> | null;
}

/** The providers whose keys are configured; payments in a currency whose provider is not configured are cancelled. */
export function providersFromConfig(config: PaymentConfig): Providers {
  const stripe = config.STRIPE_SECRET_KEY
    ? stripeProvider({
        secretKey: config.STRIPE_SECRET_KEY,
        apiUrl: config.STRIPE_API_URL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
        maxNetworkRetries: config.STRIPE_MAX_NETWORK_RETRIES,
      })
    : null;
  const yookassa =
    config.YOOKASSA_SHOP_ID && config.YOOKASSA_SECRET_KEY
      ? yookassaProvider({
          shopId: config.YOOKASSA_SHOP_ID,
          secretKey: config.YOOKASSA_SECRET_KEY,
          apiUrl: config.YOOKASSA_API_URL,
          timeoutMs: config.PROVIDER_TIMEOUT_MS,
          confirmation: config.YOOKASSA_CONFIRMATION,
        })
      : null;
  return { get: (name) => (name === 'STRIPE' ? stripe : yookassa), stripe };
}
