import type { PaymentProvider as ProviderColumn } from '../../generated/prisma/client.ts';
import type { ProviderPayment, ProviderRefund } from '../providers/provider.ts';
import type { Tx } from '../../db.ts';
import type { PaymentDeps } from '../../domain/deps.ts';
import { publishEffects, type Effect } from '../../domain/effects.ts';
import { applyProviderPayment } from '../../domain/payments.ts';
import { applyProviderRefund } from '../../domain/outbox.ts';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

/** What a notification was about, re-read from the provider's API (the notification itself is only a hint). */
export type Observed = { readonly payment: ProviderPayment } | { readonly refund: ProviderRefund };

/**
 * Applies one webhook delivery exactly once: the dedupe row and the state change commit together, so a duplicate
 * (same provider event) is recognised and skipped, and a failure rolls both back for the provider's redelivery.
 * Out-of-order deliveries are harmless: what is applied is the object's current state, re-read from the provider,
 * and payment statuses only move forward.
 */
export async function processWebhook(
  deps: PaymentDeps,
  provider: ProviderColumn,
  eventKey: string,
  observed: Observed,
): Promise<WebhookOutcome> {
  const outcome = await deps.db.$transaction(async (tx) => {
    const result = await apply(deps, provider, eventKey, observed, tx);
    await publishEffects(deps.events, tx, result.effects);
    return result.outcome;
  });
  deps.metrics.webhooks.inc({ provider, outcome });
  return outcome;
}

/** The dedupe row and the state change of one delivery, in `tx`; the effects are written to the outbox in it too. */
async function apply(
  deps: PaymentDeps,
  provider: ProviderColumn,
  eventKey: string,
  observed: Observed,
  tx: Tx,
): Promise<{ outcome: WebhookOutcome; effects: Effect[] }> {
  const inserted = await tx.webhookEvent.createMany({ data: [{ provider, eventKey }], skipDuplicates: true });
  if (inserted.count === 0) return { outcome: 'duplicate', effects: [] };
  if ('payment' in observed) {
    const ours = await tx.payment.findUnique({ where: { providerPaymentId: observed.payment.id } });
    const byMetadata =
      ours ??
      (observed.payment.ourPaymentId
        ? await tx.payment.findUnique({ where: { id: observed.payment.ourPaymentId } })
        : null);
    if (!byMetadata || byMetadata.provider !== provider) return { outcome: 'ignored', effects: [] };
    return { outcome: 'applied', effects: await applyProviderPayment(tx, deps, byMetadata.id, observed.payment) };
  }
  const refund =
    (await tx.refund.findUnique({ where: { providerRefundId: observed.refund.id } })) ??
    (observed.refund.ourRefundId ? await tx.refund.findUnique({ where: { id: observed.refund.ourRefundId } }) : null);
  if (!refund) return { outcome: 'ignored', effects: [] };
  return { outcome: 'applied', effects: await applyProviderRefund(deps, refund.id, observed.refund, tx) };
}
