import { InMemoryCache, type Reference } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/** A by-id root field served from the cache when the entity is there already (list → detail without a request). */
const byId = (typename: string) => ({
  read: (
    existing: Reference | undefined,
    {
      args,
      toReference,
    }: {
      args: Record<string, unknown> | null;
      toReference: (o: { __typename: string; id: string }) => Reference | undefined;
    },
  ) =>
    existing ?? (typeof args?.['id'] === 'string' ? toReference({ __typename: typename, id: args['id'] }) : undefined),
});

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
          plot: byId('Plot'),
          farm: byId('Farm'),
          rental: byId('Rental'),
          camera: byId('Camera'),
          // Signed playback URLs expire: never merged, always asked again.
          playbackUrl: { merge: false },
        },
      },
      Plot: {
        fields: {
          activity: relayStylePagination(),
          tasks: relayStylePagination(['status']),
          rentals: relayStylePagination(),
        },
      },
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
      NotificationPreference: { keyFields: false },
      User: {
        fields: {
          addresses: { merge: false },
          notificationPreferences: { merge: false },
          pushDevices: { merge: false },
        },
      },
    },
  });
}
