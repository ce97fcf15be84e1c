import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { DateTimeScalar as DateTime } from '@vegshare/kit';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Payment } from './Payment.ts';
import { Payout, PayoutStatement } from './Payout.ts';
import { Adoption, Farm, Rental, User } from './entities.ts';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Payment,
  Payout,
  PayoutStatement,
  Rental,
  Adoption,
  User,
  Farm,
};
