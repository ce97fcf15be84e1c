import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Subscription } from './Subscription.ts';
import { TranscodeJob } from './TranscodeJob.ts';
import { WorkerNode } from './WorkerNode.ts';
import { DateTimeScalar as DateTime } from '@vegshare/kit';

export const resolvers: Resolvers = { Query, Mutation, Subscription, TranscodeJob, WorkerNode, DateTime };
