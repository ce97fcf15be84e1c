import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { DateTimeScalar as DateTime } from '@vegshare/kit';
import { DeliveryAddress } from './DeliveryAddress.ts';
import { Mutation } from './Mutation.ts';
import { Notification } from './Notification.ts';
import { PushDevice } from './PushDevice.ts';
import { Query } from './Query.ts';
import { Subscription } from './Subscription.ts';
import { User } from './User.ts';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  User,
  DeliveryAddress,
  Notification,
  PushDevice,
};
