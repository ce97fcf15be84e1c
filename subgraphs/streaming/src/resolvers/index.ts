import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Camera } from './Camera.ts';
import { DateTimeScalar as DateTime } from '@vegshare/kit';
import { Farm } from './Farm.ts';
import { Mutation } from './Mutation.ts';
import { Plot } from './Plot.ts';
import { Query } from './Query.ts';
import { Recording } from './Recording.ts';
import { Stream } from './Stream.ts';
import { Subscription } from './Subscription.ts';
import { Timelapse } from './Timelapse.ts';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  Subscription,
  Camera,
  Stream,
  Recording,
  Timelapse,
  Plot,
  Farm,
  DateTime,
};
