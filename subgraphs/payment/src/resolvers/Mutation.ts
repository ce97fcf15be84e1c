import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { updateFarmSettings } from '../domain/farm-accounts.ts';
import { createPayout, markPayoutPaid } from '../domain/payouts.ts';
import { cancelBooking } from '../domain/refunds.ts';
import { idArg } from './ids.ts';

export const Mutation: MutationResolvers = {
  cancelBooking: (_, { paymentId }, ctx) => cancelBooking(ctx.deps, ctx.viewer, idArg(paymentId, 'paymentId')),
  updateFarmPaymentSettings: (_, { farmId, input }, ctx) =>
    updateFarmSettings(ctx.deps, ctx.viewer, idArg(farmId, 'farmId'), input),
  createPayout: (_, { farmerId, currency, month }, ctx) =>
    createPayout(ctx.deps, ctx.viewer, idArg(farmerId, 'farmerId'), currency, month),
  markPayoutPaid: (_, { id, reference }, ctx) => markPayoutPaid(ctx.deps, ctx.viewer, idArg(id), reference),
};
