import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { createFarm, createPlot, updateFarm, updatePlot } from '../domain/farms.ts';
import { requestRental, transitionRental } from '../domain/rentals.ts';
import { savePlantingPlan } from '../domain/plans.ts';
import { completeTask, createTask, skipTask } from '../domain/tasks.ts';
import { recordHarvest, requestDelivery, updateDeliveryStatus } from '../domain/harvests.ts';
import { adoptAnimal, cancelAdoption, createAnimal, postAnimalUpdate } from '../domain/animals.ts';
import { idArg } from './ids.ts';

export const Mutation: MutationResolvers = {
  createFarm: (_, { input }, ctx) => createFarm(ctx, input),
  updateFarm: (_, { id, input }, ctx) => updateFarm(ctx, idArg(id), input),
  createPlot: (_, { farmId, input }, ctx) => createPlot(ctx, idArg(farmId, 'farmId'), input),
  updatePlot: (_, { id, input }, ctx) => updatePlot(ctx, idArg(id), input),
  requestRental: (_, { plotId, startsOn, endsOn }, ctx) =>
    requestRental(ctx, idArg(plotId, 'plotId'), startsOn, endsOn),
  activateRental: (_, { id }, ctx) => transitionRental(ctx, idArg(id), 'activate'),
  endRental: (_, { id }, ctx) => transitionRental(ctx, idArg(id), 'end'),
  cancelRental: (_, { id }, ctx) => transitionRental(ctx, idArg(id), 'cancel'),
  savePlantingPlan: (_, { input }, ctx) => savePlantingPlan(ctx, input),
  createTask: (_, { input }, ctx) => createTask(ctx, input),
  completeTask: (_, { id, notes, photos }, ctx) => completeTask(ctx, idArg(id), notes, photos),
  skipTask: (_, { id, notes }, ctx) => skipTask(ctx, idArg(id), notes),
  recordHarvest: (_, { input }, ctx) => recordHarvest(ctx, input),
  requestDelivery: (_, { input }, ctx) => requestDelivery(ctx, input),
  updateDeliveryStatus: (_, { id, status, scheduledFor, note }, ctx) =>
    updateDeliveryStatus(ctx, idArg(id), status, scheduledFor, note),
  createAnimal: (_, { farmId, input }, ctx) => createAnimal(ctx, idArg(farmId, 'farmId'), input),
  adoptAnimal: (_, { animalId, startsOn, endsOn }, ctx) =>
    adoptAnimal(ctx, idArg(animalId, 'animalId'), startsOn, endsOn),
  cancelAdoption: (_, { id }, ctx) => cancelAdoption(ctx, idArg(id)),
  postAnimalUpdate: (_, { animalId, message, photos }, ctx) =>
    postAnimalUpdate(ctx, idArg(animalId, 'animalId'), message, photos),
};
