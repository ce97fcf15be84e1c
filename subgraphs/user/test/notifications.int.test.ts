import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  topics,
  RedisEventBus,
  type NotificationRequested,
  type RunningSubgraph,
  untypedBus,
} from '@vegshare/kit';
import { codes, eventually, startHarness, type Harness } from './harness.ts';
import { subscribe, type Subscription } from './ws.ts';

// Two replicas of the user service, each with its own Redis connections, as two processes would have; a third bus
// plays the other services publishing NotificationRequested. A random prefix keeps this file apart from other tests.
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test-user-${randomBytes(4).toString('hex')}:`;
const redisBus = () => new RedisEventBus(REDIS_URL, createLogger('test', 'silent'), prefix);

let h: Harness;
let replicaB: RunningSubgraph;
const extraBuses: RedisEventBus[] = [];
let publisher: RedisEventBus;

const ADDED = 'subscription { notificationAdded { id kind title body link read readAt createdAt } }';
interface Added {
  notificationAdded: {
    id: string;
    kind: string;
    title: string;
    body: string;
    link: string | null;
    read: boolean;
    readAt: string | null;
    createdAt: string;
  };
}

const request = (userId: string, overrides: Partial<NotificationRequested> = {}): NotificationRequested => ({
  eventId: `test:${randomUUID()}`,
  userId,
  kind: 'harvest',
  title: 'Your courgettes were harvested',
  body: '4.2 kg of courgettes are on their way.',
  link: '/harvests/1',
  ...overrides,
});

/** Publishes probe notifications until the subscription receives one, so later events cannot race its start; `real` skips them. */
async function live(sub: Subscription<Added>, userId: string): Promise<void> {
  await eventually(
    async () => {
      await publisher.publish(topics.notificationRequested, request(userId, { kind: 'system', title: 'probe' }));
      await new Promise((r) => setTimeout(r, 50));
      return sub.received.length;
    },
    (n) => n > 0,
  );
}

/** What the subscription received apart from the probes of `live`. */
const real = (sub: Subscription<Added>) => sub.received.filter((r) => r.notificationAdded.title !== 'probe');

beforeAll(async () => {
  const busB = redisBus();
  publisher = redisBus();
  extraBuses.push(busB, publisher);
  h = await startHarness({ events: redisBus() });
  replicaB = await h.startReplica(busB);
});
afterAll(async () => {
  await h?.close();
  for (const bus of extraBuses) await bus.close();
});

describe('notifications from NotificationRequested events over Redis', () => {
  it('persists each event once across replicas and re-publishes, and pushes it once to the subscriber', async () => {
    const userId = randomUUID();
    const token = await h.tokens.mint(userId);
    // Subscribed on replica B; both replicas receive the event, whichever inserts it publishes it.
    const sub = subscribe<Added>(replicaB, ADDED, token);
    try {
      await live(sub, userId);
      const event = request(userId);
      await Promise.all([
        publisher.publish(topics.notificationRequested, event),
        publisher.publish(topics.notificationRequested, event),
      ]);
      await publisher.publish(topics.notificationRequested, event);
      await eventually(
        async () => real(sub).length,
        (n) => n >= 1,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(real(sub)).toHaveLength(1);
      expect(real(sub)[0]?.notificationAdded).toMatchObject({
        kind: 'harvest',
        title: event.title,
        body: event.body,
        link: '/harvests/1',
        read: false,
        readAt: null,
      });
      expect(await h.db.notification.count({ where: { eventId: event.eventId } })).toBe(1);

      const listed = await h.gql<{ notifications: { edges: { node: { id: string } }[] } }>(
        '{ notifications(first: 1) { edges { node { id } } } }',
        {},
        token,
        replicaB,
      );
      expect(listed.body.data?.notifications.edges[0]?.node.id).toBe(real(sub)[0]?.notificationAdded.id);
    } finally {
      await sub.close();
    }
  });

  it("never delivers one user's notifications to another user's subscription", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const subBob = subscribe<Added>(h.service, ADDED, await h.tokens.mint(bob));
    const subAlice = subscribe<Added>(h.service, ADDED, await h.tokens.mint(alice));
    try {
      await live(subBob, bob);
      await live(subAlice, alice);
      await publisher.publish(topics.notificationRequested, request(alice, { title: 'for alice' }));
      await eventually(
        async () => real(subAlice).length,
        (n) => n === 1,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(real(subBob)).toEqual([]);
      expect(real(subAlice).map((r) => r.notificationAdded.title)).toEqual(['for alice']);
    } finally {
      await subAlice.close();
      await subBob.close();
    }
  });

  it('respects in-app preferences: a muted kind is neither stored nor pushed', async () => {
    const userId = randomUUID();
    const token = await h.tokens.mint(userId);
    const pref = await h.gql(
      'mutation { updateNotificationPreference(input: { kind: "delivery", inApp: false, push: false }) { kind email push inApp } }',
      {},
      token,
    );
    expect(pref.body.data).toEqual({
      updateNotificationPreference: { kind: 'delivery', email: true, push: false, inApp: false },
    });
    const sub = subscribe<Added>(h.service, ADDED, token);
    try {
      await live(sub, userId);
      const muted = request(userId, { kind: 'delivery', title: 'muted' });
      const allowed = request(userId, { kind: 'task', title: 'allowed' });
      await publisher.publish(topics.notificationRequested, muted);
      await publisher.publish(topics.notificationRequested, allowed);
      await eventually(
        async () => real(sub).length,
        (n) => n >= 1,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(real(sub).map((r) => r.notificationAdded.title)).toEqual(['allowed']);
      expect(await h.db.notification.count({ where: { eventId: muted.eventId } })).toBe(0);
    } finally {
      await sub.close();
    }
  });

  it('is idempotent per recipient: one event id may notify several users', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const eventId = `rental:${randomUUID()}:accepted`;
    for (let i = 0; i < 2; i += 1) {
      await publisher.publish(topics.notificationRequested, request(a, { eventId }));
      await publisher.publish(topics.notificationRequested, request(b, { eventId }));
    }
    await eventually(
      () => h.db.notification.count({ where: { eventId } }),
      (n) => n === 2,
    );
    await new Promise((r) => setTimeout(r, 150));
    expect((await h.db.notification.findMany({ where: { eventId } })).map((n) => n.userId).sort()).toEqual(
      [a, b].sort(),
    );
  });

  it('drops malformed events without storing anything', async () => {
    const userId = randomUUID();
    const bad = [
      { ...request(userId), userId: 'not-a-uuid' },
      { ...request(userId), kind: 'DROP TABLE' },
      { ...request(userId), title: '' },
      { ...request(userId), body: 'x'.repeat(5000) },
      'just a string',
    ];
    // Malformed on purpose, so published untyped: the consumer must drop what does not match the contract.
    for (const event of bad) await untypedBus(publisher).publish(topics.notificationRequested, event);
    await publisher.publish(topics.notificationRequested, request(userId, { title: 'good' }));
    await eventually(
      () => h.db.notification.count({ where: { userId } }),
      (n) => n === 1,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.db.notification.findMany({ where: { userId } })).map((n) => n.title)).toEqual(['good']);
  });

  it('reports Redis in readiness', async () => {
    const ready = (await (await fetch(`${replicaB.url}/ready`)).json()) as { checks: { name: string; ok: boolean }[] };
    expect(ready.checks).toContainEqual({ name: 'redis', ok: true });
    const metrics = await (await fetch(`${replicaB.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/user_notification_requests_total\{outcome="delivered",service="user"\} [1-9]/);
    expect(metrics).toMatch(/user_notification_requests_total\{outcome="duplicate",service="user"\} [1-9]/);
  });

  it('refuses subscriptions without a valid token', async () => {
    const anonymous = subscribe<Added>(h.service, ADDED);
    await eventually(
      async () => anonymous.errors.length,
      (n) => n > 0,
    );
    expect(anonymous.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await anonymous.close();

    const forged = subscribe<Added>(h.service, ADDED, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    await eventually(
      async () => forged.closed.code ?? forged.errors.length,
      (v) => v !== 0,
    );
    expect(forged.received).toEqual([]);
    await forged.close();
  });
});

describe('notifications connection', () => {
  const PAGE =
    'query($first: Int, $after: String) { notifications(first: $first, after: $after) { unreadCount edges { cursor node { id title read } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
  interface Page {
    notifications: {
      unreadCount: number;
      edges: { cursor: string; node: { id: string; title: string; read: boolean } }[];
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
    };
  }

  async function seedNotifications(userId: string, count: number): Promise<void> {
    const base = Date.parse('2026-06-01T00:00:00Z');
    // Pairs share a timestamp so the (createdAt, id) tie-break is exercised.
    await h.db.notification.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        eventId: `seed:${userId}:${i}`,
        userId,
        kind: 'task',
        title: `n${i}`,
        body: '',
        createdAt: new Date(base + Math.floor(i / 2) * 60_000),
      })),
    });
  }

  it('pages newest first with cursors, without gaps or repeats, and counts unread', async () => {
    const userId = randomUUID();
    const token = await h.tokens.mint(userId);
    await seedNotifications(userId, 25);
    await seedNotifications(randomUUID(), 3);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: { body: { data?: Page | null } } = await h.gql<Page>(PAGE, { first: 10, after }, token);
      const conn: Page['notifications'] = res.body.data!.notifications;
      expect(conn.unreadCount).toBe(25);
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...conn.edges.map((e) => e.node.title));
      pages += 1;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe('n24');
    expect(seen.slice(1, 3).sort()).toEqual(['n22', 'n23']);
    expect(seen.slice(-2).sort()).toEqual(['n0', 'n1']);
  });

  it('marks given ids or all read; ids of other users are ignored', async () => {
    const userId = randomUUID();
    const other = randomUUID();
    const token = await h.tokens.mint(userId);
    await seedNotifications(userId, 5);
    await seedNotifications(other, 2);
    const mine = await h.db.notification.findMany({ where: { userId }, orderBy: { title: 'asc' } });
    const theirs = await h.db.notification.findFirstOrThrow({ where: { userId: other } });
    const MARK =
      'mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { updatedCount unreadCount } }';
    const some = await h.gql(MARK, { input: { ids: [mine[0]!.id, mine[1]!.id, theirs.id] } }, token);
    expect(some.body.data).toEqual({ markNotificationsRead: { updatedCount: 2, unreadCount: 3 } });
    expect((await h.db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull();
    const again = await h.gql(MARK, { input: { ids: [mine[0]!.id] } }, token);
    expect(again.body.data).toEqual({ markNotificationsRead: { updatedCount: 0, unreadCount: 3 } });
    const all = await h.gql(MARK, { input: { all: true } }, token);
    expect(all.body.data).toEqual({ markNotificationsRead: { updatedCount: 3, unreadCount: 0 } });
    const page = await h.gql<Page>(PAGE, { first: 5 }, token);
    expect(page.body.data?.notifications.edges.every((e) => e.node.read)).toBe(true);
    expect(await h.db.notification.count({ where: { userId: other, readAt: null } })).toBe(2);

    for (const input of [
      {},
      { ids: [mine[0]!.id], all: true },
      { ids: ['nope'] },
      { ids: Array.from({ length: 101 }, () => randomUUID()) },
    ]) {
      expect(codes(await h.gql(MARK, { input }, token)), JSON.stringify(input).slice(0, 80)).toEqual([
        'BAD_USER_INPUT',
      ]);
    }
    expect(codes(await h.gql(MARK, { input: { all: true } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('validates first and after, and requires a viewer', async () => {
    const token = await h.tokens.mint(randomUUID());
    // first: 0 asks for the count alone (an unread badge), as in any Relay connection.
    const countOnly = await h.gql(PAGE, { first: 0 }, token);
    expect(countOnly.body.errors).toBeUndefined();
    expect(countOnly.body.data?.['notifications']).toMatchObject({ unreadCount: 0, edges: [] });
    for (const variables of [
      { first: 101 },
      { first: -1 },
      { after: 'garbage' },
      { after: Buffer.from('["x","y"]').toString('base64url') },
    ]) {
      expect(codes(await h.gql(PAGE, variables, token)), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await h.gql(PAGE, {}))).toEqual(['UNAUTHENTICATED']);
  });
});
