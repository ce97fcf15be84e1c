import { topics, type EventBus, type FeedPosition, type Logger, type PlotActivity } from '@vegshare/kit';
import type { ActivityEvent as ActivityEventRow, ActivityKind } from '../generated/prisma/client.ts';
import type { FarmDb } from '../db.ts';

/** An activity row as stored, or as received from the bus (dates then arrive as ISO strings): the kit's contract. */
export type ActivityRecord = PlotActivity;

export interface ActivityFact {
  readonly kind: ActivityKind;
  readonly message: string;
  readonly plotId?: string | null;
  readonly animalId?: string | null;
  readonly rentalId?: string | null;
  readonly actorId?: string | null;
  readonly subjectId?: string | null;
  readonly photos?: readonly string[];
}

type Tx = Pick<FarmDb, 'activityEvent'>;

/** Writes a feed entry (inside the caller's transaction when given one). Publish it after commit with `publishActivity`. */
export function writeActivity(db: Tx, fact: ActivityFact): Promise<ActivityEventRow> {
  return db.activityEvent.create({
    data: {
      kind: fact.kind,
      message: fact.message,
      plotId: fact.plotId ?? null,
      animalId: fact.animalId ?? null,
      rentalId: fact.rentalId ?? null,
      actorId: fact.actorId ?? null,
      subjectId: fact.subjectId ?? null,
      photos: [...(fact.photos ?? [])],
    },
  });
}

/** Live feed: subscribers of `plotActivity(plotId)` get the entry. Best effort: the row is already committed. */
export async function publishActivity(events: EventBus, logger: Logger, row: ActivityRecord): Promise<void> {
  if (!row.plotId) return;
  try {
    await events.publish(topics.plotActivity(row.plotId), row);
  } catch (err) {
    logger.warn({ err, activityId: row.id }, 'could not publish plot activity');
  }
}

/** The plot's entries after a feed position, oldest first (what a resuming `plotActivity` subscriber missed). */
export function activitySince(
  db: Pick<FarmDb, 'activityEvent'>,
  plotId: string,
  after: FeedPosition,
  limit: number,
): Promise<ActivityEventRow[]> {
  return db.activityEvent.findMany({
    where: { plotId, OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}
