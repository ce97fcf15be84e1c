import { z } from 'zod';
import { conflict, notFound, requireViewer } from '@vegshare/kit';
import type { Task } from '../generated/prisma/client.ts';
import type { TaskInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { requirePlotManager } from './access.ts';
import { toDbDate } from './dates.ts';
import { isoDate, parseInput, photoList, text, uuid } from './validation.ts';
import { publishActivity, writeActivity } from './activity.ts';

const taskInput = z.object({
  plotId: uuid,
  kind: z.enum(['SOW', 'WATER', 'WEED', 'FERTILISE', 'HARVEST', 'OTHER']),
  title: text(200, 1),
  dueOn: isoDate,
  assigneeId: uuid.nullish(),
  notes: text(4000).nullish(),
});
const completion = z.object({ notes: text(4000).nullish(), photos: photoList.nullish() });

/** Farm work added by hand; attached to the plot's active rental (if any) so its renter follows it. */
export async function createTask(ctx: Context, input: TaskInput): Promise<Task> {
  const data = parseInput(taskInput, input, 'input');
  const plot = await requirePlotManager(ctx, data.plotId);
  const farm = await ctx.loaders.farm.load(plot.farmId);
  const active = (await ctx.loaders.liveRentals.of(plot.id)).find((r) => r.status === 'ACTIVE');
  return ctx.db.task.create({
    data: {
      plotId: plot.id,
      rentalId: active?.id ?? null,
      kind: data.kind,
      title: data.title,
      dueOn: toDbDate(data.dueOn),
      assigneeId: data.assigneeId ?? farm?.ownerId ?? null,
      notes: data.notes ?? '',
    },
  });
}

async function taskForManager(ctx: Context, id: string): Promise<Task> {
  const task = await ctx.loaders.task.load(id);
  if (!task) throw notFound('Task', id);
  await requirePlotManager(ctx, task.plotId);
  return task;
}

/** OPEN → DONE by the farm; feed entry and a notification to the renter (idempotent id per task). */
export async function completeTask(
  ctx: Context,
  id: string,
  notes: string | null | undefined,
  photos: readonly string[] | null | undefined,
): Promise<Task> {
  const viewer = requireViewer(ctx.viewer);
  const input = parseInput(completion, { notes, photos });
  const task = await taskForManager(ctx, id);
  if (task.status !== 'OPEN') throw conflict(`The task is ${task.status} already`);
  const rental = task.rentalId ? await ctx.loaders.rental.load(task.rentalId) : null;
  const result = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.task.updateMany({
      where: { id, status: 'OPEN' },
      data: {
        status: 'DONE',
        completedAt: new Date(),
        completedById: viewer.userId,
        ...(input.notes ? { notes: input.notes } : {}),
        ...(input.photos ? { photos: input.photos } : {}),
      },
    });
    if (count === 0) return null;
    const row = await tx.task.findUniqueOrThrow({ where: { id } });
    const act = await writeActivity(tx, {
      kind: 'TASK_COMPLETED',
      message: `${row.title}: done`,
      plotId: row.plotId,
      rentalId: row.rentalId,
      actorId: viewer.userId,
      subjectId: id,
      photos: row.photos,
    });
    if (rental)
      await ctx.events.notify(
        {
          eventId: `farm:task:${id}:done`,
          userId: rental.customerId,
          kind: 'task',
          title: `${row.title}: done`,
          body: row.notes || 'The farm completed a task on your plot.',
          link: `/plots/${row.plotId}`,
        },
        tx,
      );
    return { row, act };
  });
  if (!result) throw conflict('The task was completed meanwhile');
  ctx.loaders.task.clear(id).prime(id, result.row);
  await publishActivity(ctx.bus, ctx.logger, result.act);
  return result.row;
}

export async function skipTask(ctx: Context, id: string, notes: string | null | undefined): Promise<Task> {
  const input = parseInput(completion, { notes });
  const task = await taskForManager(ctx, id);
  if (task.status !== 'OPEN') throw conflict(`The task is ${task.status} already`);
  const { count } = await ctx.db.task.updateMany({
    where: { id, status: 'OPEN' },
    data: { status: 'SKIPPED', ...(input.notes ? { notes: input.notes } : {}) },
  });
  if (count === 0) throw conflict('The task changed meanwhile');
  const row = await ctx.db.task.findUniqueOrThrow({ where: { id } });
  ctx.loaders.task.clear(id).prime(id, row);
  return row;
}
