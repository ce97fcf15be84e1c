import { connectionOf, createdAtKey, createdBefore, decodeCursor, hasRole, isUuid, pageSize } from '@vegshare/kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { canSeePayment, farmerScope, requireAdmin, requireOwnDataViewer } from '../domain/access.ts';
import { balancesOfOwner, checkLedger } from '../domain/ledger.ts';
import { statementsOf } from '../domain/statements.ts';
import { customerPayments } from './entities.ts';
import { idArg } from './ids.ts';

export const Query: QueryResolvers = {
  payment: async (_, { id }, ctx) => {
    const payment = isUuid(id) ? await ctx.loaders.payment.load(id) : null;
    return payment && canSeePayment(ctx.viewer, payment) ? payment : null;
  },
  myPayments: (_, args, ctx) => customerPayments(ctx, requireOwnDataViewer(ctx.viewer).userId, args),
  farmerBalance: async (_, { farmerId }, ctx) => {
    const farmer = farmerScope(ctx.viewer, farmerId ? idArg(farmerId, 'farmerId') : null);
    return (await balancesOfOwner(ctx.deps.db, farmer)).map(({ currency, balances }) => ({
      currency,
      pendingCents: balances.FARMER_PENDING ?? 0,
      availableCents: balances.FARMER_AVAILABLE ?? 0,
      inTransitCents: balances.PAYOUT_IN_TRANSIT ?? 0,
      paidOutCents: balances.PAID_OUT ?? 0,
    }));
  },
  payoutStatement: (_, { month, farmerId }, ctx) =>
    statementsOf(ctx.deps, farmerScope(ctx.viewer, farmerId ? idArg(farmerId, 'farmerId') : null), month),
  payouts: async (_, args, ctx) => {
    const admin = hasRole(ctx.viewer, 'ADMIN');
    const farmer =
      admin && !args.farmerId ? null : farmerScope(ctx.viewer, args.farmerId ? idArg(args.farmerId, 'farmerId') : null);
    const first = pageSize(args.first);
    const cursor = decodeCursor(args.after);
    const rows = await ctx.deps.db.payout.findMany({
      where: { ...(farmer ? { farmerId: farmer } : {}), ...createdBefore(cursor) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    return connectionOf(rows, first, createdAtKey, cursor !== null);
  },
  ledgerHealth: async (_, __, ctx) => {
    requireAdmin(ctx.viewer);
    const check = await checkLedger(ctx.deps.db);
    return { balanced: check.unbalanced.length === 0, negativeAccounts: check.negative.length, entries: check.entries };
  },
  paymentConfig: (_, __, { deps }) => ({
    stripePublishableKey: deps.config.STRIPE_PUBLISHABLE_KEY ?? null,
    returnUrl: deps.config.PAYMENT_RETURN_URL,
    holdSeconds: deps.config.PAYMENT_HOLD_SECONDS,
  }),
};
