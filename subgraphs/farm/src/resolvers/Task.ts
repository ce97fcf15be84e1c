import { forbidden, notFound } from '@vegshare/kit';
import type { TaskResolvers } from '../__generated__/resolvers-types.ts';
import { canSeeWork } from '../domain/work-access.ts';

export const Task: TaskResolvers = {
  __resolveReference: async (ref, ctx) => {
    const task = await ctx.loaders.task.load(ref.id);
    if (task && !(await canSeeWork(ctx, task.plotId, task.rentalId))) throw forbidden('This task is not on your plot');
    return task;
  },
  plot: async (task, _, { loaders }) =>
    (await loaders.plot.load(task.plotId)) ?? Promise.reject(notFound('Plot', task.plotId)),
  rental: (task, _, { loaders }) => (task.rentalId ? loaders.rental.load(task.rentalId) : null),
  crop: (task, _, { loaders }) => (task.cropId ? loaders.crop.load(task.cropId) : null),
  assignee: (task) => (task.assigneeId ? { __typename: 'User', id: task.assigneeId } : null),
};
