import { z } from 'zod';
import { checkSubgraphConfig, configFields, parseConfig, subgraphConfigShape } from '@vegshare/kit';

/** YooKassa's documented notification source addresses (https://yookassa.ru/developers/using-api/webhooks). */
export const YOOKASSA_NOTIFICATION_SOURCES =
  '185.71.76.0/27,185.71.77.0/27,77.75.153.0/25,77.75.156.11,77.75.156.35,77.75.154.128/25,2a02:5180::/32';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

export const schema = z
  .object({
    ...subgraphConfigShape(4006),
    /** Where the provider's payment page sends the customer back (the app's result screen). */
    PAYMENT_RETURN_URL: configFields.url.default('http://localhost:8081/payments/return'),
    /** How long a booking is held while its payment is PENDING, then released. */
    PAYMENT_HOLD_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
    /** How long the farm has to confirm a paid (authorised) booking before the money is released back (< 7 days: card authorisations lapse). */
    CONFIRMATION_HOURS: z.coerce.number().min(0.001).max(144).default(72),
    /** Platform commission for farms without their own setting, in basis points (1000 = 10 %). */
    DEFAULT_COMMISSION_BPS: z.coerce.number().int().min(0).max(5000).default(1000),
    /** 54-FZ VAT code on YooKassa receipts (1 = no VAT). */
    RECEIPT_VAT_CODE: z.coerce.number().int().min(1).max(12).default(1),
    STRIPE_SECRET_KEY: z.string().min(8).optional(),
    STRIPE_PUBLISHABLE_KEY: z.string().min(8).optional(),
    /** Signing secret of the Stripe webhook endpoint (`whsec_…`). */
    STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
    STRIPE_API_URL: configFields.url.default('https://api.stripe.com'),
    YOOKASSA_SHOP_ID: z.string().min(1).optional(),
    YOOKASSA_SECRET_KEY: z.string().min(8).optional(),
    YOOKASSA_API_URL: configFields.url.default('https://api.yookassa.ru/v3'),
    YOOKASSA_CONFIRMATION: z.enum(['redirect', 'embedded']).default('redirect'),
    /** Addresses (CIDR) YooKassa notifications may come from. */
    YOOKASSA_WEBHOOK_ALLOWLIST: list(YOOKASSA_NOTIFICATION_SOURCES),
    /** Proxies (CIDR) whose X-Forwarded-For is believed, e.g. the ingress controller's addresses. */
    TRUSTED_PROXIES: list(''),
    /** One provider call's timeout. */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** Retries of Stripe's own client inside one call (same idempotency key). */
    STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
    /** Attempts of one outbox command before it is given up (then compensated and alerted). */
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
    /** First retry delay of a failed provider call; doubles per attempt up to 5 minutes. */
    OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    /** How often the worker looks for due provider calls, expired holds and bookings that started. */
    WORKER_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  })
  .refine((c) => !c.STRIPE_SECRET_KEY || c.STRIPE_WEBHOOK_SECRET, {
    message: 'required when STRIPE_SECRET_KEY is set',
    path: ['STRIPE_WEBHOOK_SECRET'],
  })
  .refine((c) => !c.YOOKASSA_SHOP_ID === !c.YOOKASSA_SECRET_KEY, {
    message: 'YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY go together',
    path: ['YOOKASSA_SECRET_KEY'],
  })
  .superRefine(checkSubgraphConfig);

export type PaymentConfig = z.infer<typeof schema>;

/** The only reader of process.env in the payment service. */
export const loadPaymentConfig = (env: Record<string, string | undefined> = process.env): PaymentConfig =>
  parseConfig(schema, env);
