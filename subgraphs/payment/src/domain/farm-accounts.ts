import { z } from 'zod';
import { badInput, forbidden, hasRole, requireViewer, type FarmChanged, type Viewer } from '@vegshare/kit';
import type { FarmAccount } from '../generated/prisma/client.ts';
import type { PaymentDb, Tx } from '../db.ts';
import { DEFAULT_REFUND_POLICY, type RefundTier } from './money.ts';
import type { PaymentDeps } from './deps.ts';
import type { FarmPaymentSettingsInput } from '../__generated__/resolvers-types.ts';

/** A farm's payment settings with the service defaults filled in (the FarmPaymentSettings mapper). */
export interface FarmSettings {
  readonly commissionBps: number;
  readonly currency: string;
  readonly refundPolicy: readonly RefundTier[];
}

const tier = z.object({ daysBefore: z.number().int().min(0).max(730), percent: z.number().int().min(0).max(100) });
const policySchema = z.array(tier).max(10);

export function settingsOf(account: FarmAccount | null, deps: Pick<PaymentDeps, 'config'>): FarmSettings {
  const stored = account?.refundPolicy ? policySchema.safeParse(account.refundPolicy) : null;
  return {
    commissionBps: account?.commissionBps ?? deps.config.DEFAULT_COMMISSION_BPS,
    currency: account?.currency ?? 'EUR',
    refundPolicy: [...(stored?.success ? stored.data : DEFAULT_REFUND_POLICY)].sort(
      (a, b) => b.daysBefore - a.daysBefore,
    ),
  };
}

/** Projection of farm.FarmChanged (idempotent upsert; settings are kept). */
export async function applyFarmChanged(db: PaymentDb | Tx, event: FarmChanged): Promise<void> {
  await db.farmAccount.upsert({
    where: { farmId: event.farmId },
    create: { farmId: event.farmId, ownerId: event.ownerId, name: event.name },
    update: { ownerId: event.ownerId, name: event.name },
  });
}

const input = z.object({
  commissionBps: z.number().int().min(0).max(5000).nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR or RUB')
    .nullish(),
  refundPolicy: policySchema
    .refine((tiers) => new Set(tiers.map((t) => t.daysBefore)).size === tiers.length, 'one tier per number of days')
    .nullish(),
});

/** Admins set commission and currency; the farm's farmer (as known from FarmChanged) or an admin sets the refund policy. */
export async function updateFarmSettings(
  deps: PaymentDeps,
  viewer: Viewer | null,
  farmId: string,
  raw: FarmPaymentSettingsInput,
): Promise<FarmSettings> {
  const v = requireViewer(viewer);
  const parsed = input.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput(
      `input.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      `input.${String(issue?.path[0] ?? '')}`,
    );
  }
  const data = parsed.data;
  const admin = hasRole(v, 'ADMIN');
  const account = await deps.db.farmAccount.findUnique({ where: { farmId } });
  const owner = account !== null && hasRole(v, 'FARMER') && account.ownerId === v.userId;
  if (!admin && !owner) throw forbidden('Only the farm’s farmer or an admin may change its payment settings');
  if (!admin && (data.commissionBps != null || data.currency != null))
    throw forbidden('Only admins set the commission and the currency');
  if (!account) throw badInput('farmId: this farm is not known to payments yet', 'farmId');
  const updated = await deps.db.farmAccount.update({
    where: { farmId },
    data: {
      ...(data.commissionBps != null ? { commissionBps: data.commissionBps } : {}),
      ...(data.currency != null ? { currency: data.currency } : {}),
      ...(data.refundPolicy != null ? { refundPolicy: data.refundPolicy } : {}),
    },
  });
  return settingsOf(updated, deps);
}
