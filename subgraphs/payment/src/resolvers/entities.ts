import type {
  AdoptionResolvers,
  FarmResolvers,
  PaymentStatus,
  RentalResolvers,
  UserResolvers,
} from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { canSeePayment, requireOwnDataViewer } from '../domain/access.ts';
import { settingsOf } from '../domain/farm-accounts.ts';
import { connectionOf, createdAtKey, createdBefore, decodeCursor, forbidden, hasRole, pageSize } from '@vegshare/kit';

/** Entities owned elsewhere that payments extend with their payment fields. */
export const Rental: RentalResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  payment: async (rental, _, ctx) => {
    const payment = await ctx.loaders.paymentByRental.load(rental.id);
    return payment && canSeePayment(ctx.viewer, payment) ? payment : null;
  },
};

export const Adoption: AdoptionResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  payment: async (adoption, _, ctx) => {
    const payment = await ctx.loaders.paymentByAdoption.load(adoption.id);
    return payment && canSeePayment(ctx.viewer, payment) ? payment : null;
  },
};

/** A customer's payments, newest first (keyset pages). */
export async function customerPayments(
  ctx: Context,
  customerId: string,
  args: { first?: number | null; after?: string | null; status?: PaymentStatus | null },
) {
  const first = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  const rows = await ctx.deps.db.payment.findMany({
    where: { customerId, ...(args.status ? { status: args.status } : {}), ...createdBefore(cursor) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  return connectionOf(rows, first, createdAtKey, cursor !== null);
}

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  payments: (user, args, ctx) => {
    const viewer = requireOwnDataViewer(ctx.viewer);
    if (viewer.userId !== user.id && !hasRole(viewer, 'ADMIN'))
      throw forbidden('Payments are seen by their customer and admins');
    return customerPayments(ctx, user.id, args);
  },
};

export const Farm: FarmResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  paymentSettings: async (farm, _, ctx) => settingsOf(await ctx.loaders.farmAccount.load(farm.id), ctx.deps),
};
