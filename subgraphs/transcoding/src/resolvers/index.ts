import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Subscription } from './Subscription.ts';
import { TranscodeJob } from './TranscodeJob.ts';
import { WorkerNode } from './WorkerNode.ts';
import { Timelapse } from './Timelapse.ts';
import { Camera } from './Camera.ts';
import { DateTimeScalar as DateTime } from '@vegshare/kit';

export const resolvers: Resolvers = { Query, Mutation, Subscription, TranscodeJob, WorkerNode, Timelapse, Camera, DateTime };
