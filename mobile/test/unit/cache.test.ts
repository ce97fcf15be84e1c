// The app's cache policies on Apollo Client 4's real InMemoryCache, and the per-user saved cache through
// apollo3-cache-persist: pages merge by cursor per filter, a refetched first page replaces the list, entities read by
// id come from lists already loaded, live notifications are added once, and a user's saved cache is restored for them
// only and purged at sign-out.
import { gql } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { createCache } from '../../src/apollo/cache';
import { cacheKey, persistCache, type CacheStorage } from '../../src/apollo/persist';
import { AvailablePlotsDocument, MyRentalsDocument, NotificationsDocument } from '../../src/graphql/operations';
import { addNotificationToCache, setUnreadCount } from '../../src/notifications-cache';

const plot = (n: number) => ({
  __typename: 'Plot' as const,
  id: `p${n}`,
  code: `A${n}`,
  areaM2: 10,
  soil: 'loam',
  sunExposure: 'FULL_SUN' as const,
  status: 'AVAILABLE' as const,
  pricePerSeasonCents: 12000,
  currency: 'RUB',
  farm: { __typename: 'Farm' as const, id: 'f1', name: 'Green Acres', locality: 'Tula' },
});
const page = (ids: number[], hasNextPage: boolean) => ({
  availablePlots: {
    __typename: 'PlotSearchConnection' as const,
    edges: ids.map((n) => ({
      __typename: 'PlotSearchEdge' as const,
      cursor: `c${n}`,
      distanceKm: null,
      node: plot(n),
    })),
    pageInfo: { __typename: 'PageInfo' as const, hasNextPage, endCursor: `c${ids.at(-1)}` },
  },
});
const rentalsPage = {
  myRentals: {
    __typename: 'RentalConnection' as const,
    edges: [
      {
        __typename: 'RentalEdge' as const,
        cursor: 'r1',
        node: {
          __typename: 'Rental' as const,
          id: 'r1',
          status: 'ACTIVE' as const,
          startsOn: '2026-05-01',
          endsOn: '2026-10-01',
          priceCents: 12000,
          currency: 'RUB',
          plot: {
            __typename: 'Plot' as const,
            id: 'p1',
            code: 'A1',
            areaM2: 10,
            status: 'RENTED' as const,
            farm: { __typename: 'Farm' as const, id: 'f1', name: 'Green Acres', locality: 'Tula' },
          },
        },
      },
    ],
    pageInfo: { __typename: 'PageInfo' as const, hasNextPage: false, endCursor: 'r1' },
  },
};
const notification = (id: string, read = false) => ({
  __typename: 'Notification' as const,
  id,
  kind: 'task',
  title: `t${id}`,
  body: '',
  link: null,
  read,
  readAt: null,
  createdAt: '2026-05-01T10:00:00.000Z',
});

describe('cache policies', () => {
  it('merges pages by cursor, keeps one list per filter and lets a refetched first page replace the list', () => {
    const cache = createCache();
    cache.writeQuery({
      query: AvailablePlotsDocument,
      variables: { filter: null, first: 2 },
      data: page([1, 2], true) as never,
    });
    cache.writeQuery({
      query: AvailablePlotsDocument,
      variables: { filter: null, first: 2, after: 'c2' },
      data: page([3, 4], false) as never,
    });
    cache.writeQuery({
      query: AvailablePlotsDocument,
      variables: { filter: { farmId: 'f2' }, first: 2 },
      data: page([9], false) as never,
    });
    const all = cache.readQuery({ query: AvailablePlotsDocument, variables: { filter: null, first: 2 } });
    expect(all?.availablePlots.edges.map((e) => e.node.id)).toEqual(['p1', 'p2', 'p3', 'p4']);
    const one = cache.readQuery({ query: AvailablePlotsDocument, variables: { filter: { farmId: 'f2' }, first: 2 } });
    expect(one?.availablePlots.edges.map((e) => e.node.id)).toEqual(['p9']);
    // After a reconnect the first page is fetched again: what the server says now replaces the list.
    cache.writeQuery({
      query: AvailablePlotsDocument,
      variables: { filter: null, first: 2 },
      data: page([5, 1], true) as never,
    });
    expect(
      cache
        .readQuery({ query: AvailablePlotsDocument, variables: { filter: null, first: 2 } })
        ?.availablePlots.edges.map((e) => e.node.id),
    ).toEqual(['p5', 'p1']);
  });

  it('serves an entity by id from a list already loaded (list → detail without a request)', () => {
    const cache = createCache();
    cache.writeQuery({ query: MyRentalsDocument, variables: { first: 10 }, data: rentalsPage as never });
    const detail = cache.readQuery<{ rental: { id: string; status: string } | null }>({
      query: gql`
        query ($id: ID!) {
          rental(id: $id) {
            id
            status
          }
        }
      `,
      variables: { id: 'r1' },
    });
    expect(detail?.rental).toEqual({ __typename: 'Rental', id: 'r1', status: 'ACTIVE' });
  });

  it('adds a live notification once and keeps the unread count', () => {
    const cache = createCache();
    cache.writeQuery({
      query: NotificationsDocument,
      variables: { first: 20 },
      data: {
        notifications: {
          __typename: 'NotificationConnection',
          unreadCount: 1,
          edges: [{ __typename: 'NotificationEdge', cursor: 'x', node: notification('n1') }],
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: 'x' },
        },
      } as never,
    });
    addNotificationToCache(cache, notification('n2') as never);
    addNotificationToCache(cache, notification('n2') as never); // delivered twice (reconnect + refetch)
    const after = cache.readQuery({ query: NotificationsDocument, variables: { first: 20 } });
    expect(after?.notifications.edges.map((e) => e.node.id)).toEqual(['n2', 'n1']);
    expect(after?.notifications.unreadCount).toBe(2);
    setUnreadCount(cache, 0);
    expect(cache.readQuery({ query: NotificationsDocument, variables: { first: 20 } })?.notifications.unreadCount).toBe(
      0,
    );
  });
});

describe('saved cache per user', () => {
  const memory = (): CacheStorage & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: async (k) => data.get(k) ?? null,
      setItem: async (k, v) => void data.set(k, v),
      removeItem: async (k) => void data.delete(k),
    };
  };

  it('restores a user’s last data on a cold start, never another user’s, and purges it at sign-out', async () => {
    const storage = memory();
    const first = createCache();
    const saved = persistCache(first, storage, 'alice', 10);
    await saved.restore();
    first.writeQuery({ query: MyRentalsDocument, variables: { first: 10 }, data: rentalsPage as never });
    await new Promise((r) => setTimeout(r, 50)); // debounced write
    expect(storage.data.has(cacheKey('alice'))).toBe(true);

    // Cold start, offline: the same user sees the rentals at once.
    const again = createCache();
    await persistCache(again, storage, 'alice', 10).restore();
    expect(again.readQuery({ query: MyRentalsDocument, variables: { first: 10 } })?.myRentals.edges[0]?.node.id).toBe(
      'r1',
    );

    // Someone else signs in on this device: nothing of Alice's.
    const bob = createCache();
    await persistCache(bob, storage, 'bob', 10).restore();
    expect(bob.readQuery({ query: MyRentalsDocument, variables: { first: 10 } })).toBeNull();

    await saved.purge();
    expect(storage.data.has(cacheKey('alice'))).toBe(false);
    first.writeQuery({ query: MyRentalsDocument, variables: { first: 10 }, data: rentalsPage as never });
    await new Promise((r) => setTimeout(r, 50));
    expect(storage.data.has(cacheKey('alice'))).toBe(false); // no longer saved after sign-out
  });
});
