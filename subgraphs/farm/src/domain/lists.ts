import type { Adoption, Animal, Delivery, Harvest, Rental, Task } from '../generated/prisma/client.ts';
import type { ActivityRecord } from './activity.ts';
import type { ChildSpec } from './paged-children.ts';
import { timeKey } from '@vegshare/kit';
import { toIsoDate } from './dates.ts';
import { farmsPage, type FarmRow } from './row-statements.ts';

/** Every growing list of the farm subgraph, with its keyset order. */
const newestFirst = { sort: 't.created_at', sortType: 'timestamptz', descending: true } as const;
const byDueDate = { sort: 't.due_on', sortType: 'date', descending: false } as const;
const createdKey = (r: { id: string; createdAt: Date | string }) => ({ key: timeKey(r.createdAt), id: r.id });
const dueKey = (r: Task) => ({ key: toIsoDate(r.dueOn), id: r.id });

const rentals = (db: Parameters<ChildSpec<Rental>['load']>[0], ids: string[]) =>
  db.rental.findMany({ where: { id: { in: ids } } });
const tasks = (db: Parameters<ChildSpec<Task>['load']>[0], ids: string[]) =>
  db.task.findMany({ where: { id: { in: ids } } });
const deliveries = (db: Parameters<ChildSpec<Delivery>['load']>[0], ids: string[]) =>
  db.delivery.findMany({ where: { id: { in: ids } } });

export const lists = {
  farms: {
    from: 'farm t',
    parent: null,
    sort: 't.name',
    sortType: 'text',
    descending: false,
    load: (db, ids) => db.farm.findMany({ where: { id: { in: ids } } }),
    keyOf: (f) => ({ key: f.name, id: f.id }),
    // The catalogue's page in one prepared statement (the most asked list): ORDER BY name, id and (name, id) > cursor.
    page: farmsPage,
  } satisfies ChildSpec<FarmRow>,
  rentalsByPlot: {
    from: 'rental t',
    parent: 't.plot_id',
    ...newestFirst,
    load: rentals,
    keyOf: createdKey,
  } satisfies ChildSpec<Rental>,
  rentalsByFarm: {
    from: 'rental t JOIN plot p ON p.id = t.plot_id',
    parent: 'p.farm_id',
    ...newestFirst,
    load: rentals,
    keyOf: createdKey,
  } satisfies ChildSpec<Rental>,
  rentalsByCustomer: {
    from: 'rental t',
    parent: 't.customer_id',
    ...newestFirst,
    load: rentals,
    keyOf: createdKey,
  } satisfies ChildSpec<Rental>,
  tasksByPlot: {
    from: 'task t',
    parent: 't.plot_id',
    ...byDueDate,
    load: tasks,
    keyOf: dueKey,
  } satisfies ChildSpec<Task>,
  tasksByRental: {
    from: 'task t',
    parent: 't.rental_id',
    ...byDueDate,
    load: tasks,
    keyOf: dueKey,
  } satisfies ChildSpec<Task>,
  tasksByAssignee: {
    from: 'task t',
    parent: 't.assignee_id',
    ...byDueDate,
    load: tasks,
    keyOf: dueKey,
  } satisfies ChildSpec<Task>,
  harvestsByRental: {
    from: 'harvest t',
    parent: 't.rental_id',
    ...newestFirst,
    load: (db, ids) => db.harvest.findMany({ where: { id: { in: ids } } }),
    keyOf: createdKey,
  } satisfies ChildSpec<Harvest>,
  deliveriesByRental: {
    from: 'delivery t',
    parent: 't.rental_id',
    ...newestFirst,
    load: deliveries,
    keyOf: createdKey,
  } satisfies ChildSpec<Delivery>,
  deliveriesByCustomer: {
    from: 'delivery t',
    parent: 't.customer_id',
    ...newestFirst,
    load: deliveries,
    keyOf: createdKey,
  } satisfies ChildSpec<Delivery>,
  adoptionsByCustomer: {
    from: 'adoption t',
    parent: 't.customer_id',
    ...newestFirst,
    load: (db, ids) => db.adoption.findMany({ where: { id: { in: ids } } }),
    keyOf: createdKey,
  } satisfies ChildSpec<Adoption>,
  animalsByFarm: {
    from: 'animal t',
    parent: 't.farm_id',
    sort: 't.name',
    sortType: 'text',
    descending: false,
    load: (db, ids) => db.animal.findMany({ where: { id: { in: ids } } }),
    keyOf: (a) => ({ key: a.name, id: a.id }),
  } satisfies ChildSpec<Animal>,
  activityByPlot: {
    from: 'activity_event t',
    parent: 't.plot_id',
    ...newestFirst,
    load: (db, ids) => db.activityEvent.findMany({ where: { id: { in: ids } } }),
    keyOf: createdKey,
  } satisfies ChildSpec<ActivityRecord>,
  activityByAnimal: {
    from: 'activity_event t',
    parent: 't.animal_id',
    ...newestFirst,
    load: (db, ids) => db.activityEvent.findMany({ where: { id: { in: ids } } }),
    keyOf: createdKey,
  } satisfies ChildSpec<ActivityRecord>,
};
