// Shared setup of the payment integration tests: a fresh migrated database with the demo seed, local servers
// speaking Stripe's and YooKassa's APIs, the service on port 0 with an in-memory bus we publish farm events on, a
// movable clock, and tokens minted with a local Ed25519 key. `checkInvariants` runs the ledger check after each test.
import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import { expect } from 'vitest';
import {
  createJwtVerifier,
  createLogger,
  topics,
  MemoryEventBus,
  type BookingChanged,
  type BookingReleaseRequested,
  type NotificationRequested,
  type Role,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalStripe, type LocalStripe } from '@vegshare/tools/testing/payments/stripe-server';
import {
  startLocalYooKassa,
  type LocalYooKassa,
  type LocalYooKassaOptions,
} from '@vegshare/tools/testing/payments/yookassa-server';
import { waitFor } from '@vegshare/tools/testing/wait';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';
import { loadPaymentConfig, startPaymentService, type RunningPaymentService } from '../src/service.ts';
import { openPaymentDb } from '../src/db.ts';
import { seedPayment } from '../src/seed.ts';
import { checkLedger } from '../src/domain/ledger.ts';
import type { Payment } from '../src/generated/prisma/client.ts';

const issuer = 'https://auth.test.local';
const audience = 'vegshare-test';

/** Who calls: a user session, or (with `apiKey`) a partner's API-key token as auth mints it (`akid`, `scope`). */
export interface Caller {
  readonly id: string;
  readonly roles: readonly string[];
  readonly apiKey?: { readonly id: string; readonly scopes: readonly string[] };
}

export interface GqlResult {
  status: number;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; extensions?: { code?: string; field?: string } }[];
  };
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  /** Providers whose keys are left out of the configuration. */
  readonly unconfigured?: readonly ('STRIPE' | 'YOOKASSA')[];
  readonly yookassa?: LocalYooKassaOptions;
}

export interface PaymentHarness {
  readonly service: RunningPaymentService;
  readonly bus: MemoryEventBus;
  readonly database: TestDatabase;
  readonly stripe: LocalStripe;
  readonly yookassa: LocalYooKassa;
  readonly env: Record<string, string>;
  /** Events the service published, by topic. */
  readonly published: { releases: BookingReleaseRequested[]; notifications: NotificationRequested[] };
  /** The service's clock is real time plus this offset (ms). */
  advance(ms: number): void;
  /** Resolves once the outbox relay has published every event committed so far (it runs apart from the worker). */
  eventsSent(): Promise<void>;
  /** The service's clock. */
  now(): Date;
  gql(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<GqlResult>;
  /** Publishes a BookingChanged as the farm would and waits until the service handled it. */
  book(event: BookingChanged): Promise<void>;
  payment(bookingId: string): Promise<Payment | null>;
  waitForPayment(bookingId: string, ok: (p: Payment | null) => boolean, timeoutMs?: number): Promise<Payment>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<PaymentHarness> {
  const database = await createTestDatabase();
  const seed = openPaymentDb(database.url, 2);
  await seedPayment(seed.db);
  await seed.close();
  const stripe = await startLocalStripe();
  const yookassa = await startLocalYooKassa(options.yookassa);
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const verifier = createJwtVerifier({ keys: createLocalJWKSet({ keys: [jwk] }), issuer, audience });
  const bus = new MemoryEventBus();
  const published = { releases: [] as BookingReleaseRequested[], notifications: [] as NotificationRequested[] };
  await bus.subscribe(topics.bookingReleaseRequested, (e) => published.releases.push(e));
  await bus.subscribe(topics.notificationRequested, (e) => published.notifications.push(e));
  let offset = 0;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    PORT: '0',
    ...stripe.env,
    ...yookassa.env,
    YOOKASSA_WEBHOOK_ALLOWLIST: '127.0.0.1/32',
    WORKER_INTERVAL_MS: '100',
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_MAX_ATTEMPTS: '6',
    PROVIDER_TIMEOUT_MS: '2000',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    ...options.env,
  };
  for (const name of options.unconfigured ?? [])
    for (const key of Object.keys(name === 'STRIPE' ? stripe.env : yookassa.env)) delete env[key];
  const service = await startPaymentService(loadPaymentConfig(env), {
    logger: createLogger('payment', 'silent'),
    verifier,
    events: bus,
    // No auth service here: nothing is revoked but what the test publishes on the bus.
    revocationSource: withoutAuthService,
    clock: () => new Date(Date.now() + offset),
  });
  stripe.setWebhookUrl(`${service.url}/webhooks/stripe`);
  yookassa.setNotificationUrl(`${service.url}/webhooks/yookassa`);
  const token = (userId: string, roles: readonly string[], apiKey?: Caller['apiKey']) =>
    new SignJWT({ roles: [...roles] as Role[], ...(apiKey ? { akid: apiKey.id, scope: apiKey.scopes.join(' ') } : {}) })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const payment = (bookingId: string) => service.deps.db.payment.findFirst({ where: { bookingId } });
  return {
    service,
    bus,
    database,
    stripe,
    yookassa,
    env,
    published,
    advance: (ms) => void (offset += ms),
    now: () => new Date(Date.now() + offset),
    async eventsSent() {
      await waitFor(
        () => service.deps.db.outboxEvent.count({ where: { sentAt: null } }),
        (unsent) => unsent === 0,
      );
    },
    async gql(query, variables = {}, as) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as) headers['authorization'] = `Bearer ${await token(as.id, as.roles, as.apiKey)}`;
      const res = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResult['body'] };
    },
    async book(event) {
      await bus.publish(topics.bookingChanged, event);
      await new Promise((r) => setTimeout(r, 5));
      await service.idle();
    },
    payment,
    waitForPayment: async (bookingId, ok, timeoutMs = 10_000) =>
      (await waitFor(() => payment(bookingId), ok, timeoutMs)) as Payment,
    async stop() {
      await service.stop(1000);
      await stripe.close();
      await yookassa.close();
      await bus.close();
      await database.drop();
    },
  };
}

/** The ledger's invariants, asserted after every test: every currency sums to zero, no account below zero. */
export async function checkInvariants(h: PaymentHarness): Promise<void> {
  await h.service.drain();
  const check = await checkLedger(h.service.deps.db);
  expect(check.unbalanced).toEqual([]);
  expect(check.negative).toEqual([]);
}

export const users = {
  ...demo.users,
  customer2: { id: '00000000-0000-4000-8000-0000000000c2', roles: ['CUSTOMER'] },
} as const;

/** A booking as the farm announces it: a rental of a future season by default. */
export function rental(overrides: Partial<BookingChanged> = {}): BookingChanged {
  const year = new Date().getUTCFullYear() + 1;
  return {
    kind: 'RENTAL',
    bookingId: randomUUID(),
    customerId: users.customer.id,
    farmId: demo.farms.greenAcres,
    farmerId: demo.users.farmer.id,
    status: 'REQUESTED',
    startsOn: `${year}-04-01`,
    endsOn: `${year}-10-01`,
    priceCents: 18000,
    currency: 'EUR',
    title: `Plot A-2, Green Acres, ${year}-04-01 – ${year}-10-01`,
    ...overrides,
  };
}

export const codeOf = (r: GqlResult): string | undefined => r.body.errors?.[0]?.extensions?.code;
