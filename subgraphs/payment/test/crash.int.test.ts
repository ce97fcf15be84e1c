// A crash between our commit and the provider call, and a crash after the provider acted but before we recorded
// it: the payment service runs as a real process (src/main.ts) and is killed with SIGKILL. The outbox keeps the
// call due; the restarted process repeats it with the same idempotency key, so there is one payment at the provider
// and none is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, MemoryEventBus, ServiceEvents } from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalStripe, type LocalStripe } from '@vegshare/tools/testing/payments/stripe-server';
import { waitFor } from '@vegshare/tools/testing/wait';
import { repoRoot } from '@vegshare/tools/workspace';
import { openPaymentDb, PAYMENT_SCHEMA, type PaymentDbHandle } from '../src/db.ts';
import { seedPayment } from '../src/seed.ts';
import { applyBookingChanged } from '../src/domain/bookings.ts';
import { paymentMetrics, type PaymentDeps } from '../src/domain/deps.ts';
import { checkLedger } from '../src/domain/ledger.ts';
import { loadPaymentConfig } from '../src/env.ts';
import { rental } from './harness.ts';

let database: TestDatabase;
let stripe: LocalStripe;
let handle: PaymentDbHandle;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  database = await createTestDatabase();
  handle = openPaymentDb(database.url, 2);
  await seedPayment(handle.db);
  stripe = await startLocalStripe();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  const check = await checkLedger(handle.db);
  expect(check.unbalanced).toEqual([]);
  expect(check.negative).toEqual([]);
  await handle?.close();
  await stripe?.close();
  await database?.drop();
});

const env = () => ({
  ...process.env,
  DATABASE_URL: database.url,
  PORT: '0',
  LOG_LEVEL: 'silent',
  ...stripe.env,
  WORKER_INTERVAL_MS: '100',
  OUTBOX_RETRY_BASE_MS: '50',
  PROVIDER_TIMEOUT_MS: '3000',
  STRIPE_MAX_NETWORK_RETRIES: '0',
});

/** The payment service as a process, exactly as deployed (`node --import tsx subgraphs/payment/src/main.ts`). */
function startProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'subgraphs/payment/src/main.ts')], {
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: repoRoot,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Commits a booking's payment and its outbox command the way the event handler does, with no worker to send it. */
async function commitWithoutCalling(): Promise<string> {
  const config = loadPaymentConfig({ DATABASE_URL: database.url, ...stripe.env });
  const bus = new MemoryEventBus();
  const logger = createLogger('payment', 'silent');
  const deps: PaymentDeps = {
    db: handle.db,
    config,
    provider: () => null,
    bus,
    // Its outbox rows are written; no relay runs in this process (the restarted service publishes them).
    events: await ServiceEvents.open({
      service: 'payment',
      schema: PAYMENT_SCHEMA,
      databaseUrl: database.url,
      logger,
      bus,
    }),
    logger,
    metrics: paymentMetrics(createMetrics('payment-crash-test')),
    kick: () => undefined,
    now: () => new Date(),
  };
  const booking = rental();
  await applyBookingChanged(deps, booking);
  const payment = await handle.db.payment.findFirstOrThrow({ where: { bookingId: booking.bookingId } });
  expect(await handle.db.outboxCommand.findFirst({ where: { paymentId: payment.id } })).toMatchObject({
    kind: 'CREATE_PAYMENT',
    status: 'PENDING',
  });
  return payment.id;
}

const intentsOf = (paymentId: string) =>
  [...stripe.intents.values()].filter((i) => i.metadata['paymentId'] === paymentId);

describe('a crash of the payment service', () => {
  it('between our commit and the provider call: the restarted process makes the call, once', async () => {
    const paymentId = await commitWithoutCalling();
    expect(intentsOf(paymentId)).toHaveLength(0);
    const child = startProcess();
    const created = await waitFor(
      () => handle.db.payment.findUniqueOrThrow({ where: { id: paymentId } }),
      (p) => p.providerPaymentId !== null,
      60_000,
    );
    await kill(child);
    expect(intentsOf(paymentId).map((i) => i.id)).toEqual([created.providerPaymentId]);
  }, 90_000);

  it('after the provider acted and before we recorded it: the retry with the same key returns the same PaymentIntent', async () => {
    // Stripe creates the PaymentIntent but its answer never arrives; the process is killed while it waits.
    stripe.http.inject(/^POST \/v1\/payment_intents$/, { hang: 'after' }, 1);
    const before = stripe.intents.size;
    const paymentId = await commitWithoutCalling();
    const first = startProcess();
    await waitFor(
      () => intentsOf(paymentId).length,
      (n) => n === 1,
      60_000,
    );
    await kill(first);
    expect((await handle.db.payment.findUniqueOrThrow({ where: { id: paymentId } })).providerPaymentId).toBeNull();
    const second = startProcess();
    // The killed process's claim lapses after its lease; then the call is repeated with the same idempotency key.
    const recorded = await waitFor(
      () => handle.db.payment.findUniqueOrThrow({ where: { id: paymentId } }),
      (p) => p.providerPaymentId !== null,
      60_000,
    );
    await kill(second);
    expect(intentsOf(paymentId).map((i) => i.id)).toEqual([recorded.providerPaymentId]);
    expect(stripe.intents.size - before).toBe(1);
    expect(stripe.http.requests.filter((r) => r === 'POST /v1/payment_intents').length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
