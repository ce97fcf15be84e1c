import type { EventBus, Logger, ServiceEvents, ServiceMetrics } from '@vegshare/kit';
import type { Counter } from 'prom-client';
import type { PaymentDb } from '../db.ts';
import type { PaymentConfig } from '../env.ts';
import type { PaymentProvider, ProviderName } from '../adapters/providers/provider.ts';

export interface PaymentMetrics {
  readonly providerCalls: Counter<'provider' | 'command' | 'outcome'>;
  readonly webhooks: Counter<'provider' | 'outcome'>;
  readonly transitions: Counter<'status'>;
}

export function paymentMetrics(metrics: ServiceMetrics): PaymentMetrics {
  return {
    providerCalls: metrics.counter(
      'payment_provider_calls_total',
      'Outbox provider calls by provider, command and outcome (ok, retry, failed)',
      ['provider', 'command', 'outcome'],
    ) as Counter<'provider' | 'command' | 'outcome'>,
    webhooks: metrics.counter(
      'payment_webhooks_total',
      'Webhook deliveries by provider and outcome (applied, duplicate, refused, ignored, error)',
      ['provider', 'outcome'],
    ) as Counter<'provider' | 'outcome'>,
    transitions: metrics.counter('payment_transitions_total', 'Payment status changes by new status', [
      'status',
    ]) as Counter<'status'>,
  };
}

/** Everything the payment domain works with; built once per service. */
export interface PaymentDeps {
  readonly db: PaymentDb;
  readonly config: PaymentConfig;
  /** The configured provider of a name, or null when its keys are not set. */
  provider(name: ProviderName): PaymentProvider | null;
  readonly bus: EventBus;
  /** Durable events: the outbox (enqueue in the change's transaction) and the durable consumers. */
  readonly events: ServiceEvents;
  readonly logger: Logger;
  readonly metrics: PaymentMetrics;
  /** Wakes the worker so that a command just written is sent at once (it also polls). */
  kick(): void;
  now(): Date;
}

/** RUB is paid through YooKassa, everything else through Stripe. */
export const providerForCurrency = (currency: string): ProviderName =>
  currency.toUpperCase() === 'RUB' ? 'YOOKASSA' : 'STRIPE';
