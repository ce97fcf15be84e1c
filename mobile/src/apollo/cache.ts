import { InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/**
 * Normalised cache: entities by id (the federation keys), connections merged page by page (Relay cursors), one list
 * per filter. Value types without an id (plan items, geo points, seasons) live inside their parent.
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          farms: relayStylePagination(),
          availablePlots: relayStylePagination(['filter']),
          myRentals: relayStylePagination(['status']),
          myDeliveries: relayStylePagination(),
          notifications: relayStylePagination(),
          // Reads of one entity by id come from the cache when it is there already.
          plot: { read: (existing, { args, toReference }) => existing ?? (args?.['id'] ? toReference({ __typename: 'Plot', id: args['id'] as string }) : undefined) },
          farm: { read: (existing, { args, toReference }) => existing ?? (args?.['id'] ? toReference({ __typename: 'Farm', id: args['id'] as string }) : undefined) },
          rental: { read: (existing, { args, toReference }) => existing ?? (args?.['id'] ? toReference({ __typename: 'Rental', id: args['id'] as string }) : undefined) },
          camera: { read: (existing, { args, toReference }) => existing ?? (args?.['id'] ? toReference({ __typename: 'Camera', id: args['id'] as string }) : undefined) },
          // Signed playback URLs expire: never merged, always asked again.
          playbackUrl: { merge: false },
        },
      },
      Plot: { fields: { activity: relayStylePagination(), tasks: relayStylePagination(['status']), rentals: relayStylePagination() } },
      Farm: { fields: { animals: relayStylePagination(), rentals: relayStylePagination(['status']) } },
      Rental: {
        fields: {
          tasks: relayStylePagination(['status']),
          harvests: relayStylePagination(),
          deliveries: relayStylePagination(),
        },
      },
      PlantingPlan: { fields: { items: { merge: false } } },
      PlanItem: { keyFields: false },
      GeoPoint: { keyFields: false },
      Season: { keyFields: false },
      PageInfo: { keyFields: false },
      PlaybackUrl: { keyFields: false },
      User: { fields: { addresses: { merge: false } } },
    },
  });
}
