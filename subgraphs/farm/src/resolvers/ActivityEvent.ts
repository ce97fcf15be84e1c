import { encodeFeedCursor } from '@vegshare/kit';
import type { ActivityEventResolvers } from '../__generated__/resolvers-types.ts';

export const ActivityEvent: ActivityEventResolvers = {
  plot: (event, _, { loaders }) => (event.plotId ? loaders.plot.load(event.plotId) : null),
  animal: (event, _, { loaders }) => (event.animalId ? loaders.animal.load(event.animalId) : null),
  actor: (event) => (event.actorId ? { __typename: 'User', id: event.actorId } : null),
  cursor: (event) => encodeFeedCursor(event),
  timelapse: (event) => (event.kind === 'TIMELAPSE_READY' && event.subjectId ? { id: event.subjectId } : null),
};
