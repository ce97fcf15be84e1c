// Resumable live subscriptions through the real gateway: a graphql-ws client (as the app uses it) loses its connection
// for a few seconds while the farm keeps working; when it reconnects it passes the cursor of the last event it got, and
// receives every missed plot activity entry and notification, in order, then live ones — no duplicates, no gap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack } from '@vegshare/tools/testing/e2e-stack';
import { waitFor } from '@vegshare/tools/testing/wait';

/** Read loosely: each test reads the fields it asked for. */
type Data = Record<string, any>;
let e2e: E2eStack;
const { gql, login } = gatewayClient<Data>(() => e2e.stack.gatewayUrl);

beforeAll(async () => {
  e2e = await startE2eStack({ env: { GATEWAY_SECRET: 'e2e-gateway-secret-0123456789' } });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

interface Live {
  id: string;
  cursor: string;
  label: string;
}

/**
 * A subscription whose payload's `after` is read at every (re)subscribe — graphql-ws re-sends the same payload after a
 * reconnect, serialized again — and always holds the cursor of the last event received (what the app's link does).
 */
function resumable(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, any>) => Live,
) {
  const received: Live[] = [];
  const errors: unknown[] = [];
  let last: string | null = null;
  const vars: Record<string, unknown> = { ...variables };
  Object.defineProperty(vars, 'after', { enumerable: true, get: () => last });
  const dispose = client.subscribe<Record<string, any>>(
    { query, variables: vars },
    {
      next: (r) => {
        if (r.errors) errors.push(r.errors);
        if (!r.data) return;
        const event = pick(r.data);
        last = event.cursor;
        received.push(event);
      },
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { received, errors, dispose };
}

describe('live subscriptions resume after a dropped connection', () => {
  it('delivers every plot activity entry and notification missed while disconnected, in order, then live ones', async () => {
    const customer = await login(demo.users.customer.email);
    const farmer = await login(demo.users.farmer.email);
    const cropId = ((await gql('{ crops { id } }')).data?.['crops'] as { id: string }[])[0]!.id;
    const rental = (
      await gql(
        `{ plot(id: "${demo.plots.greenA1}") { rentals(first: 5) { edges { node { id status } } } } }`,
        {},
        farmer,
      )
    ).data?.['plot'].rentals.edges
      .map((e: { node: { id: string; status: string } }) => e.node)
      .find((r: { status: string }) => r.status === 'ACTIVE');
    expect(rental).toBeDefined();
    let harvests = 0;
    const harvest = async () => {
      harvests += 1;
      const r = await gql(
        'mutation($i: HarvestInput!) { recordHarvest(input: $i) { id } }',
        { i: { rentalId: rental.id, cropId, weightKg: harvests, harvestedOn: '2026-06-01' } },
        farmer,
      );
      expect(r.errors).toBeUndefined();
    };

    // The app's graphql-ws client, retrying after a 3 s wait; `drop()` cuts its TCP connection abruptly.
    let socket: WebSocket | null = null;
    let reconnects = 0;
    const client = createClient({
      url: `${e2e.stack.gatewayUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${customer}` },
      retryAttempts: 10,
      shouldRetry: () => true,
      retryWait: () => new Promise((r) => setTimeout(r, 3000)),
      on: {
        connected: (s, _p, wasRetry) => {
          socket = s as WebSocket;
          if (wasRetry) reconnects += 1;
        },
      },
    });
    const activity = resumable(
      client,
      'subscription($p: ID!, $after: String) { plotActivity(plotId: $p, after: $after) { id cursor message plot { code farm { name } } } }',
      { p: demo.plots.greenA1 },
      (d) => ({
        id: d['plotActivity'].id,
        cursor: d['plotActivity'].cursor,
        label: `${d['plotActivity'].message} @${d['plotActivity'].plot.code}`,
      }),
    );
    const notes = resumable(
      client,
      'subscription($after: String) { notificationAdded(after: $after) { id cursor title kind } }',
      {},
      (d) => ({
        id: d['notificationAdded'].id,
        cursor: d['notificationAdded'].cursor,
        label: d['notificationAdded'].title,
      }),
    );
    try {
      // Live: the upstream subscriptions are set up asynchronously, so harvest until the first entry arrives.
      const flowing = () => activity.received.length > 0 && notes.received.length > 0;
      await waitFor(
        async () => (flowing() ? true : (await harvest(), await new Promise((r) => setTimeout(r, 300)), flowing())),
        (ok) => ok,
        30_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const before = { activity: activity.received.length, notes: notes.received.length };

      // The connection drops; the farm records three harvests while the client waits 3 s to reconnect.
      (socket as WebSocket | null)?.terminate();
      const missedFrom = harvests + 1;
      for (let i = 0; i < 3; i++) await harvest();
      await waitFor(
        () => reconnects,
        (n) => n >= 1,
        15_000,
      );
      // Then live again.
      await waitFor(
        () => activity.received.length,
        (n) => n >= before.activity + 3,
        15_000,
      );
      await harvest();
      await waitFor(
        () => activity.received.length,
        (n) => n >= before.activity + 4,
        15_000,
      );
      await waitFor(
        () => notes.received.length,
        (n) => n >= before.notes + 4,
        15_000,
      );
      await new Promise((r) => setTimeout(r, 500));

      expect(activity.errors).toEqual([]);
      expect(notes.errors).toEqual([]);
      const after = activity.received.slice(before.activity).map((e) => e.label.replace(/ kg of .*@/, ' kg @'));
      expect(after).toEqual(
        [missedFrom, missedFrom + 1, missedFrom + 2, missedFrom + 3].map((n) => `Harvested ${n} kg @A-1`),
      );
      // Nothing twice, across the whole subscription.
      expect(new Set(activity.received.map((e) => e.id)).size).toBe(activity.received.length);
      expect(new Set(notes.received.map((e) => e.id)).size).toBe(notes.received.length);
      expect(notes.received.slice(before.notes)).toHaveLength(4);
      // In the order of the feed itself (newest first there).
      const feed = await gql(
        `{ plot(id: "${demo.plots.greenA1}") { activity(first: 4) { edges { node { id } } } } }`,
        {},
        customer,
      );
      expect(feed.data?.['plot'].activity.edges.map((e: { node: { id: string } }) => e.node.id).reverse()).toEqual(
        activity.received.slice(-4).map((e) => e.id),
      );
      const list = await gql('{ notifications(first: 4) { edges { node { id } } } }', {}, customer);
      expect(list.data?.['notifications'].edges.map((e: { node: { id: string } }) => e.node.id).reverse()).toEqual(
        notes.received.slice(-4).map((e) => e.id),
      );
    } finally {
      activity.dispose();
      notes.dispose();
      await client.dispose();
    }
  }, 90_000);

  it('gives a stream status subscriber the current state first when it changed since its cursor, and refuses foreign cursors', async () => {
    const farmer = await login(demo.users.farmer.email);
    const camera = demo.cameras.greenA1;
    const read = async () =>
      (await gql(`{ camera(id: "${camera}") { stream { id status cursor } } }`, {}, farmer)).data?.['camera']
        .stream as { id: string; status: string; cursor: string } | null;
    if (!(await read())) {
      await gql(`mutation { startStream(cameraId: "${camera}") { id } }`, {}, farmer);
      await gql(`mutation { stopStream(cameraId: "${camera}") { id } }`, {}, farmer);
    }
    // The stream's state once it stops changing (a start runs through several states).
    const settled = async () => {
      for (;;) {
        const a = (await read())!;
        await new Promise((r) => setTimeout(r, 1500));
        const b = (await read())!;
        if (a.cursor === b.cursor) return b;
      }
    };
    const seen = await settled();
    // Changes while the client is away.
    await gql(`mutation { startStream(cameraId: "${camera}") { status } }`, {}, farmer);
    await gql(`mutation { stopStream(cameraId: "${camera}") { status } }`, {}, farmer);
    const now = await settled();

    const client = createClient({
      url: `${e2e.stack.gatewayUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${farmer}` },
      retryAttempts: 0,
    });
    const subscribeOnce = (after: string) =>
      new Promise<{ status?: string; cursor?: string; code?: string; none?: true }>((resolve) => {
        const dispose = client.subscribe<{ streamStatusChanged: { status: string; cursor: string } }>(
          {
            query:
              'subscription($s: ID!, $a: String) { streamStatusChanged(streamId: $s, after: $a) { status cursor } }',
            variables: { s: seen.id, a: after },
          },
          {
            next: (r) => {
              dispose();
              resolve(
                r.errors ? { code: String(r.errors[0]?.extensions?.['code']) } : (r.data?.streamStatusChanged ?? {}),
              );
            },
            error: (e) =>
              resolve({
                code: Array.isArray(e)
                  ? String((e[0] as { extensions?: { code?: string } }).extensions?.code)
                  : 'error',
              }),
            complete: () => undefined,
          },
        );
        setTimeout(() => {
          dispose();
          resolve({ none: true });
        }, 1500);
      });
    try {
      expect(now.cursor).not.toBe(seen.cursor);
      const first = await subscribeOnce(seen.cursor);
      expect(first.cursor).toBe(now.cursor);
      expect(first.status).toBe(now.status);
      // Up to date: nothing until the next change.
      expect(await subscribeOnce(now.cursor)).toEqual({ none: true });
      // A cursor of another entity (an activity entry's) or garbage: BAD_USER_INPUT.
      const entry = (
        await gql(`{ plot(id: "${demo.plots.greenA1}") { activity(first: 1) { edges { cursor } } } }`, {}, farmer)
      ).data?.['plot'].activity.edges[0].cursor as string;
      expect(await subscribeOnce(entry)).toEqual({ code: 'BAD_USER_INPUT' });
      expect(await subscribeOnce('garbage')).toEqual({ code: 'BAD_USER_INPUT' });
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
