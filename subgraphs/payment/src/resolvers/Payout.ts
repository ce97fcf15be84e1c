import type { PayoutResolvers, PayoutStatementResolvers } from '../__generated__/resolvers-types.ts';
import { hasRole } from '@vegshare/kit';

export const Payout: PayoutResolvers = {
  __resolveReference: async (ref, ctx) => {
    const payout = await ctx.loaders.payout.load(ref.id);
    return payout && (hasRole(ctx.viewer, 'ADMIN') || payout.farmerId === ctx.viewer?.userId) ? payout : null;
  },
  farmer: (p) => ({ __typename: 'User', id: p.farmerId }),
};

export const PayoutStatement: PayoutStatementResolvers = {
  farmer: (s) => ({ __typename: 'User', id: s.farmerId }),
};
