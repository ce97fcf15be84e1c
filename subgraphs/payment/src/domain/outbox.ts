import type { OutboxCommand, Payment } from '../generated/prisma/client.ts';
import { lockPayment, type Tx } from '../db.ts';
import {
  ProviderError,
  type PaymentProvider,
  type ProviderPayment,
  type ProviderRefund,
  type Receipt,
} from '../adapters/providers/provider.ts';
import type { PaymentDeps } from './deps.ts';
import { publishEffects, type Effect } from './effects.ts';
import { postJournal } from './ledger.ts';
import { applyProviderPayment, releaseEffect } from './payments.ts';
import { refundSplit } from './money.ts';

/** How long a claimed command stays invisible to other workers: longer than a call can take, so a crashed worker's claim lapses. */
const leaseMs = (deps: PaymentDeps) =>
  deps.config.PROVIDER_TIMEOUT_MS * (deps.config.STRIPE_MAX_NETWORK_RETRIES + 1) + 5_000;

/** Claims up to `limit` due commands (SKIP LOCKED: replicas never take the same one) and pushes their next attempt past the lease. */
async function claim(deps: PaymentDeps, limit: number): Promise<OutboxCommand[]> {
  return deps.db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM outbox_command WHERE status = 'PENDING' AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    await tx.outboxCommand.updateMany({
      where: { id: { in: ids } },
      data: { attempts: { increment: 1 }, nextAttemptAt: new Date(Date.now() + leaseMs(deps)) },
    });
    return tx.outboxCommand.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: 'asc' } });
  });
}

class NotReady extends Error {}

async function receiptFor(deps: PaymentDeps, payment: Payment, amountCents: number): Promise<Receipt | null> {
  const contact = await deps.db.customerContact.findUnique({ where: { userId: payment.customerId } });
  if (!contact) return null;
  return {
    customerEmail: contact.email,
    lines: [
      {
        description: payment.description,
        quantity: 1,
        amountCents,
        vatCode: deps.config.RECEIPT_VAT_CODE,
        paymentSubject: 'service',
        paymentMode: 'full_prepayment',
      },
    ],
  };
}

type Outcome =
  { readonly payment: ProviderPayment } | { readonly refund: ProviderRefund } | { readonly localCancel: true };

/** Makes one command's provider call (outside any transaction). */
async function call(
  deps: PaymentDeps,
  provider: PaymentProvider,
  command: OutboxCommand,
  payment: Payment,
): Promise<Outcome> {
  switch (command.kind) {
    case 'CREATE_PAYMENT':
      if (payment.providerPaymentId) return { payment: await provider.getPayment(payment.providerPaymentId) };
      return {
        payment: await provider.createPayment({
          paymentId: payment.id,
          amountCents: payment.amountCents,
          currency: payment.currency,
          description: payment.description,
          returnUrl: `${deps.config.PAYMENT_RETURN_URL}?payment=${payment.id}`,
          receipt: await receiptFor(deps, payment, payment.amountCents),
          idempotencyKey: command.idempotencyKey,
        }),
      };
    case 'CAPTURE_PAYMENT':
      if (!payment.providerPaymentId) throw new NotReady('payment not created at the provider yet');
      return {
        payment: await provider.capturePayment(
          payment.providerPaymentId,
          payment.amountCents,
          payment.currency,
          command.idempotencyKey,
        ),
      };
    case 'CANCEL_PAYMENT': {
      if (!payment.providerPaymentId) {
        const create = await deps.db.outboxCommand.findFirst({
          where: { paymentId: payment.id, kind: 'CREATE_PAYMENT' },
        });
        if (create?.status === 'PENDING') throw new NotReady('payment not created at the provider yet');
        return { localCancel: true };
      }
      const current = await provider.getPayment(payment.providerPaymentId);
      // A payment nobody paid cannot be cancelled at YooKassa (it lapses there by itself); ours is cancelled now, and
      // should the customer still pay it, the late authorisation is cancelled on arrival (applyProviderPayment).
      if (current.status === 'PENDING' && provider.name === 'YOOKASSA') return { localCancel: true };
      if (current.status === 'SUCCEEDED' || current.status === 'CANCELED') return { payment: current };
      return { payment: await provider.cancelPayment(payment.providerPaymentId, command.idempotencyKey) };
    }
    case 'CREATE_REFUND': {
      const refund = await deps.db.refund.findUniqueOrThrow({ where: { id: command.refundId ?? '' } });
      if (refund.providerRefundId) return { refund: await provider.getRefund(refund.providerRefundId) };
      if (!payment.providerPaymentId) throw new ProviderError('refund of a payment unknown to the provider', false);
      return {
        refund: await provider.createRefund({
          refundId: refund.id,
          providerPaymentId: payment.providerPaymentId,
          amountCents: refund.amountCents,
          currency: refund.currency,
          description: `Refund: ${payment.description}`,
          receipt: await receiptFor(deps, payment, refund.amountCents),
          idempotencyKey: command.idempotencyKey,
        }),
      };
    }
  }
}

/** Applies a refund's state as the provider reports it (the call's answer or a webhook's re-read). */
export async function applyProviderRefund(
  deps: PaymentDeps,
  refundId: string,
  seen: ProviderRefund,
  tx: Tx,
): Promise<Effect[]> {
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
  await lockPayment(tx, refund.paymentId);
  const current = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
  if (current.status !== 'PENDING' || seen.status === 'PENDING') {
    if (!current.providerRefundId)
      await tx.refund.update({ where: { id: refundId }, data: { providerRefundId: seen.id } });
    return [];
  }
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: refund.paymentId } });
  if (seen.status === 'SUCCEEDED') {
    await tx.refund.update({
      where: { id: refundId },
      data: { status: 'SUCCEEDED', providerRefundId: seen.id, succeededAt: deps.now() },
    });
    return [];
  }
  // Refused by the provider: the money stays with the farm and the platform again.
  await tx.refund.update({ where: { id: refundId }, data: { status: 'CANCELED', providerRefundId: seen.id } });
  const split = refundSplit(
    payment.amountCents,
    payment.commissionBps,
    payment.refundedCents - refund.amountCents,
    refund.amountCents,
  );
  await postJournal(tx, {
    at: deps.now(),
    kind: 'refund_reversed',
    currency: refund.currency,
    paymentId: payment.id,
    refundId,
    postings: [
      { account: 'CUSTOMER', ownerId: payment.customerId, amountCents: -refund.amountCents },
      {
        account: payment.releasedToFarmerAt ? 'FARMER_AVAILABLE' : 'FARMER_PENDING',
        ownerId: payment.farmerId,
        amountCents: split.farmerCents,
      },
      { account: 'PLATFORM_COMMISSION', ownerId: null, amountCents: split.commissionCents },
    ],
  });
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: { refundedCents: { decrement: refund.amountCents }, version: { increment: 1 } },
  });
  deps.logger.error({ refundId, paymentId: payment.id }, 'refund refused by the provider; reversed in the ledger');
  return [{ type: 'changed', payment: updated }];
}

/** Records a command's outcome and its consequences (and the events they announce) in one transaction. */
async function complete(deps: PaymentDeps, command: OutboxCommand, outcome: Outcome): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    let effects: Effect[] = [];
    if ('payment' in outcome) effects = await applyProviderPayment(tx, deps, command.paymentId, outcome.payment);
    else if ('refund' in outcome) effects = await applyProviderRefund(deps, command.refundId ?? '', outcome.refund, tx);
    else {
      effects = await applyProviderPayment(tx, deps, command.paymentId, await localCanceled(tx, command.paymentId));
    }
    await tx.outboxCommand.update({
      where: { id: command.id },
      data: { status: 'DONE', doneAt: deps.now(), lastError: null },
    });
    await publishEffects(deps.events, tx, effects);
  });
}

/** Our view of a payment cancelled without a provider call (never created there, or unpaid at YooKassa). */
async function localCanceled(tx: Tx, paymentId: string): Promise<ProviderPayment> {
  const p = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  return {
    id: p.providerPaymentId ?? `local:${p.id}`,
    status: 'CANCELED',
    rawStatus: 'canceled_locally',
    amountCents: p.amountCents,
    currency: p.currency,
    confirmation: null,
    ourPaymentId: p.id,
    cancellationReason: p.releaseReason,
  };
}

/** A command given up on: the payment is cancelled if it never reached the provider; everything else is logged for people. */
async function giveUp(deps: PaymentDeps, command: OutboxCommand, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message.slice(0, 500) : String(error);
  deps.logger.error(
    { commandId: command.id, kind: command.kind, paymentId: command.paymentId, err: error },
    'provider call given up',
  );
  await deps.db.$transaction(async (tx) => {
    await tx.outboxCommand.update({
      where: { id: command.id },
      data: { status: 'FAILED', lastError: message, doneAt: deps.now() },
    });
    await publishEffects(deps.events, tx, await givenUpEffects(deps, command, tx, message));
  });
}

/** What giving up a command changes besides its row: the payment or refund it was for, if the provider never had it. */
async function givenUpEffects(deps: PaymentDeps, command: OutboxCommand, tx: Tx, message: string): Promise<Effect[]> {
  if (command.kind === 'CREATE_PAYMENT') {
    await lockPayment(tx, command.paymentId);
    const p = await tx.payment.findUniqueOrThrow({ where: { id: command.paymentId } });
    if (p.status === 'PENDING' && !p.providerPaymentId) {
      const reason = p.releaseReason ?? 'PAYMENT_CANCELED';
      await tx.payment.update({
        where: { id: p.id },
        data: {
          releaseReason: reason,
          cancellationReason: `The provider refused the payment: ${message}`.slice(0, 500),
        },
      });
      const effects = await applyProviderPayment(tx, deps, p.id, await localCanceled(tx, p.id));
      return [...effects, ...(p.releaseReason ? [] : [releaseEffect(p, 'PAYMENT_CANCELED')])];
    }
  }
  if (command.kind === 'CREATE_REFUND' && command.refundId) {
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: command.refundId } });
    if (!refund.providerRefundId)
      return applyProviderRefund(
        deps,
        refund.id,
        {
          id: `local:${refund.id}`,
          providerPaymentId: '',
          status: 'CANCELED',
          amountCents: refund.amountCents,
          ourRefundId: refund.id,
        },
        tx,
      );
  }
  return [];
}

const backoffMs = (deps: PaymentDeps, attempts: number) =>
  Math.min(deps.config.OUTBOX_RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), 300_000);

/** Runs one command: the provider call, then its outcome; retryable failures come back later with the same key. */
async function run(deps: PaymentDeps, command: OutboxCommand): Promise<void> {
  const payment = await deps.db.payment.findUniqueOrThrow({ where: { id: command.paymentId } });
  const provider = deps.provider(payment.provider);
  const labels = { provider: payment.provider, command: command.kind };
  try {
    let outcome: Outcome;
    if (provider) outcome = await call(deps, provider, command, payment);
    // A provider that is not configured: a payment never created there is cancelled without a call. Anything else
    // waits (retried, so keys added by a restart take over) until the booking's hold runs out and cancels it.
    else if (
      !payment.providerPaymentId &&
      (command.kind === 'CANCEL_PAYMENT' || (command.kind === 'CREATE_PAYMENT' && payment.releaseReason))
    )
      outcome = { localCancel: true };
    else throw new ProviderError(`${payment.provider} is not configured`, true);
    await complete(deps, command, outcome);
    deps.metrics.providerCalls.inc({ ...labels, outcome: 'ok' });
  } catch (error) {
    if (error instanceof NotReady) {
      await deps.db.outboxCommand.update({
        where: { id: command.id },
        data: { attempts: { decrement: 1 }, nextAttemptAt: new Date(Date.now() + deps.config.OUTBOX_RETRY_BASE_MS) },
      });
      return;
    }
    const retryable = error instanceof ProviderError ? error.retryable : false;
    if (retryable && command.attempts < deps.config.OUTBOX_MAX_ATTEMPTS) {
      deps.metrics.providerCalls.inc({ ...labels, outcome: 'retry' });
      deps.logger.warn(
        { commandId: command.id, kind: command.kind, attempts: command.attempts, err: error },
        'provider call failed; will retry with the same idempotency key',
      );
      await deps.db.outboxCommand.update({
        where: { id: command.id },
        data: {
          nextAttemptAt: new Date(Date.now() + backoffMs(deps, command.attempts)),
          lastError: error instanceof Error ? error.message.slice(0, 500) : String(error),
        },
      });
      return;
    }
    deps.metrics.providerCalls.inc({ ...labels, outcome: 'failed' });
    await giveUp(deps, command, error);
  }
}

/** One pass over due commands; returns how many were claimed. */
export async function processOutbox(deps: PaymentDeps, limit = 20): Promise<number> {
  const commands = await claim(deps, limit);
  // Commands of one payment run in order; different payments in parallel.
  const byPayment = new Map<string, OutboxCommand[]>();
  for (const c of commands) byPayment.set(c.paymentId, [...(byPayment.get(c.paymentId) ?? []), c]);
  await Promise.all(
    [...byPayment.values()].map(async (list) => {
      for (const c of list) {
        try {
          await run(deps, c);
        } catch (err) {
          deps.logger.error({ err, commandId: c.id }, 'outbox command crashed; it will be retried after its lease');
        }
      }
    }),
  );
  return commands.length;
}
