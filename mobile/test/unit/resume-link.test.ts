// The app's subscription link against the real user subgraph: after a dropped connection graphql-ws re-subscribes with
// the cursor of the last notification received, so the ones sent meanwhile arrive, in order and once; an expired
// cursor starts the subscription afresh (and asks the app to refetch). The other services' NotificationRequested events
// are published on the service's bus, as farm and payment publish them.
import { randomUUID } from 'node:crypto';
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFeedCursor, topics, type NotificationRequested } from '@vegshare/kit';
import { startHarness, type Harness } from '../../../subgraphs/user/test/harness.ts';
import { waitFor } from '../../../tools/src/testing/wait.ts';
import { ResumingWsLink } from '../../src/apollo/resume-link';
import { OnNotificationAddedDocument } from '../../src/graphql/operations';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { PUSH_WORKER: 'false' } });
});
afterAll(async () => h?.close());

const notify = (userId: string, title: string) =>
  h.events.publish(topics.notificationRequested, {
    eventId: `test:${randomUUID()}`,
    userId,
    kind: 'system',
    title,
    body: '',
    link: null,
  });

async function appClient(userId: string, after?: string) {
  const token = await h.tokens.mint(userId);
  let socket: WebSocket | null = null;
  let reconnects = 0;
  let expired = 0;
  const ws = createClient({
    url: `${h.service.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: () => new Promise((r) => setTimeout(r, 1000)),
    on: {
      connected: (s, _p, wasRetry) => {
        socket = s as WebSocket;
        if (wasRetry) reconnects += 1;
      },
    },
  });
  const apollo = new ApolloClient({
    link: new ResumingWsLink(ws, () => void (expired += 1)),
    cache: new InMemoryCache(),
  });
  const titles: string[] = [];
  const ids: string[] = [];
  const sub = apollo.subscribe({ query: OnNotificationAddedDocument, variables: after ? { after } : {} }).subscribe({
    next: (r) => {
      const n = r.data?.notificationAdded;
      if (n) {
        titles.push(n.title);
        ids.push(n.id);
      }
    },
  });
  return {
    titles,
    ids,
    reconnects: () => reconnects,
    expired: () => expired,
    drop: () => (socket as WebSocket | null)?.terminate(),
    async close() {
      sub.unsubscribe();
      await ws.dispose();
      apollo.stop();
    },
  };
}

describe('ResumingWsLink', () => {
  it('resumes notificationAdded from the last cursor after the connection drops', async () => {
    const userId = randomUUID();
    const app = await appClient(userId);
    try {
      // The subscription is set up asynchronously: notify until the first one arrives, then let stragglers land.
      await waitFor(
        async () => (await notify(userId, 'one'), await new Promise((r) => setTimeout(r, 500)), app.titles.length),
        (n) => n > 0,
        15_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      // Probes ('one') still in flight under load may land later: only the others are counted.
      const others = () => app.titles.filter((t) => t !== 'one');
      app.drop();
      for (const title of ['two', 'three', 'four']) await notify(userId, title);
      await waitFor(
        () => app.reconnects(),
        (n) => n >= 1,
        10_000,
      );
      await waitFor(
        () => others().length,
        (n) => n >= 3,
        10_000,
      );
      await notify(userId, 'five');
      await waitFor(
        () => others().length,
        (n) => n >= 4,
        10_000,
      );
      await new Promise((r) => setTimeout(r, 300));
      // Every missed one, then the live one, each once — in the order of the viewer's list (the user service handles
      // the requests concurrently, so its order is that of their inserts).
      expect([...others().slice(0, 3)].sort()).toEqual(['four', 'three', 'two']);
      expect(others()).toHaveLength(4);
      expect(others()[3]).toBe('five');
      expect(new Set(app.ids).size).toBe(app.ids.length);
      const list = await h.gql<{ notifications: { edges: { node: { id: string; title: string } }[] } }>(
        '{ notifications(first: 50) { edges { node { id title } } } }',
        {},
        await h.tokens.mint(userId),
      );
      const otherIds = app.ids.filter((_, i) => app.titles[i] !== 'one');
      expect(
        list.body.data?.notifications.edges
          .filter((e) => e.node.title !== 'one')
          .map((e) => e.node.id)
          .reverse(),
      ).toEqual(otherIds);
    } finally {
      await app.close();
    }
  });

  it('starts afresh when the cursor is beyond the resume window', async () => {
    const userId = randomUUID();
    const app = await appClient(
      userId,
      encodeFeedCursor({ createdAt: new Date(Date.now() - 48 * 3600_000), id: randomUUID() }),
    );
    try {
      await waitFor(
        () => app.expired(),
        (n) => n === 1,
        10_000,
      );
      await waitFor(
        async () => (await notify(userId, 'fresh'), await new Promise((r) => setTimeout(r, 500)), app.titles.length),
        (n) => n > 0,
        15_000,
      );
      expect(app.titles[0]).toBe('fresh');
    } finally {
      await app.close();
    }
  });
});
