import type { PaymentResolvers } from '../__generated__/resolvers-types.ts';
import { canSeePayment } from '../domain/access.ts';
import { receiptOf } from '../domain/receipts.ts';
import { refundQuote } from '../domain/refunds.ts';

export const Payment: PaymentResolvers = {
  __resolveReference: async (ref, ctx) => {
    const payment = await ctx.loaders.payment.load(ref.id);
    return payment && canSeePayment(ctx.viewer, payment) ? payment : null;
  },
  rental: (p) => (p.bookingKind === 'RENTAL' ? { __typename: 'Rental', id: p.bookingId } : null),
  adoption: (p) => (p.bookingKind === 'ADOPTION' ? { __typename: 'Adoption', id: p.bookingId } : null),
  customer: (p) => ({ __typename: 'User', id: p.customerId }),
  farm: (p) => ({ __typename: 'Farm', id: p.farmId }),
  confirmation: (p, _, { viewer }) => {
    if (p.status !== 'PENDING' || viewer?.userId !== p.customerId) return null;
    if (p.clientSecret) return { type: 'CLIENT_SECRET', clientSecret: p.clientSecret, url: null, token: null };
    if (p.confirmationToken) return { type: 'EMBEDDED', token: p.confirmationToken, url: null, clientSecret: null };
    if (p.confirmationUrl) return { type: 'REDIRECT', url: p.confirmationUrl, token: null, clientSecret: null };
    return null;
  },
  cancellationReason: (p) => p.cancellationReason ?? p.releaseReason,
  refunds: (p, _, { loaders }) => loaders.refundsByPayment.load(p.id),
  refundQuote: (p, _, ctx) => (ctx.viewer?.userId === p.customerId ? refundQuote(ctx.deps, p) : null),
  receipt: (p, _, ctx) => receiptOf(ctx.deps, p),
};
