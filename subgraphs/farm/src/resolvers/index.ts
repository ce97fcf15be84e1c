import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Query } from './Query.ts';
import { Mutation } from './Mutation.ts';
import { Subscription } from './Subscription.ts';
import { Farm } from './Farm.ts';
import { Plot } from './Plot.ts';
import { Crop } from './Crop.ts';
import { Rental } from './Rental.ts';
import { PlantingPlan } from './PlantingPlan.ts';
import { PlanItem } from './PlanItem.ts';
import { Task } from './Task.ts';
import { Harvest } from './Harvest.ts';
import { Delivery } from './Delivery.ts';
import { Animal } from './Animal.ts';
import { Adoption } from './Adoption.ts';
import { ActivityEvent } from './ActivityEvent.ts';
import { DateScalar, DateTimeScalar } from '@vegshare/kit';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Farm,
  Plot,
  Crop,
  Rental,
  PlantingPlan,
  PlanItem,
  Task,
  Harvest,
  Delivery,
  Animal,
  Adoption,
  ActivityEvent,
};
