// plotActivity(after:): a subscriber that comes back with its last cursor gets the entries it missed from the stored
// feed, then live ones — in order, without duplicates — within the resume window, and only for a plot it may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import pg from 'pg';
import { demo } from '@vegshare/demo';
import { encodeFeedCursor } from '@vegshare/kit';
import { startHarness, users, type FarmHarness } from './harness.ts';
import { demoSeason } from '../src/seed.ts';

let h: FarmHarness;
let cropId: string;
beforeAll(async () => {
  h = await startHarness();
  cropId = ((await h.gql('{ crops { id name } }')).body.data?.['crops'] as { id: string }[])[0]!.id;
});
afterAll(async () => {
  await h?.stop();
});

interface Entry {
  id: string;
  message: string;
  cursor: string;
}
const FIELDS = 'id message cursor';

/** One plotActivity subscription: its entries, and its error code when it ends with one. */
async function subscribe(as: { id: string; roles: readonly string[] }, plotId: string, after: string | null) {
  const token = await h.token(as.id, [...as.roles] as never);
  const client: Client = createClient({
    url: h.service.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const entries: Entry[] = [];
  let error: string | null = null;
  let ended = false;
  client.subscribe<{ plotActivity: Entry }>(
    {
      query: `subscription($p: ID!, $a: String) { plotActivity(plotId: $p, after: $a) { ${FIELDS} } }`,
      variables: { p: plotId, a: after },
    },
    {
      next: (m) => {
        if (m.errors) error = String(m.errors[0]?.extensions?.['code']);
        else if (m.data) entries.push(m.data.plotActivity);
      },
      error: (e) => {
        error = Array.isArray(e) ? String((e[0] as { extensions?: { code?: string } }).extensions?.code) : 'error';
        ended = true;
      },
      complete: () => void (ended = true),
    },
  );
  return {
    entries,
    get error() {
      return error;
    },
    get ended() {
      return ended;
    },
    async waitFor(n: number, ms = 5000) {
      const until = Date.now() + ms;
      while (entries.length < n && !ended && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    },
    close: () => client.dispose(),
  };
}

const harvest = async (kg: number) => {
  const r = await h.gql(
    `mutation($i: HarvestInput!) { recordHarvest(input: $i) { id } }`,
    { i: { rentalId: demoSeason.rental, cropId, weightKg: kg, harvestedOn: '2026-06-01' } },
    users.farmer,
  );
  expect(r.body.errors).toBeUndefined();
};
const messages = (entries: readonly Entry[]) => entries.map((e) => e.message);
const settle = () => new Promise((r) => setTimeout(r, 250));

describe('plotActivity resume', () => {
  it('replays what was missed after the cursor, then live entries, in order and without duplicates', async () => {
    const plot = demo.plots.greenA1;
    const first = await subscribe(users.customer, plot, null);
    await settle();
    await harvest(1.1);
    await first.waitFor(1);
    expect(messages(first.entries)[0]).toMatch(/^Harvested 1.1 kg/);
    const last = first.entries[0]!;
    await first.close();

    // Missed while away.
    await harvest(1.2);
    await harvest(1.3);
    await harvest(1.4);

    const resumed = await subscribe(users.customer, plot, last.cursor);
    await resumed.waitFor(3);
    await harvest(1.5);
    await resumed.waitFor(4);
    await settle();
    expect(resumed.error).toBeNull();
    expect(messages(resumed.entries).map((m) => m.split(' kg')[0])).toEqual([
      'Harvested 1.2',
      'Harvested 1.3',
      'Harvested 1.4',
      'Harvested 1.5',
    ]);
    expect(new Set(resumed.entries.map((e) => e.id)).size).toBe(4);
    // The cursor of a delivered entry is its edge cursor in Plot.activity (one position for lists and subscriptions).
    const feed = await h.gql(
      `{ plot(id: "${plot}") { activity(first: 1) { edges { cursor node { id cursor } } } } }`,
      {},
      users.customer,
    );
    const edge = (
      feed.body.data?.['plot'] as { activity: { edges: { cursor: string; node: { id: string; cursor: string } }[] } }
    ).activity.edges[0]!;
    expect(edge.node.id).toBe(resumed.entries[3]!.id);
    expect(edge.cursor).toBe(resumed.entries[3]!.cursor);
    expect(edge.node.cursor).toBe(edge.cursor);

    // Resuming from the newest cursor replays nothing.
    const upToDate = await subscribe(users.customer, plot, resumed.entries[3]!.cursor);
    await settle();
    expect(upToDate.entries).toEqual([]);
    await harvest(1.6);
    await upToDate.waitFor(1);
    expect(messages(upToDate.entries)[0]).toMatch(/^Harvested 1.6 kg/);
    await Promise.all([resumed.close(), upToDate.close()]);
  });

  it('places entries in commit order: a resumed subscriber never misses one that committed after it was delivered', async () => {
    const plot = demo.plots.greenA1;
    const connect = async () => {
      const client = new pg.Client({ connectionString: h.database.url, options: '-c search_path=farm' });
      await client.connect();
      return client;
    };
    const [slow, quick] = await Promise.all([connect(), connect()]);
    const insert = async (client: pg.Client, message: string) =>
      (
        await client.query<{ id: string; created_at: Date }>(
          `INSERT INTO activity_event (id, plot_id, kind, message) VALUES (gen_random_uuid(), $1, 'HARVEST_RECORDED', $2)
           RETURNING id, created_at`,
          [plot, message],
        )
      ).rows[0]!;
    try {
      // One entry is written first in a transaction that commits late; another is written meanwhile (autocommit).
      const committed: { id: string; created_at: Date; message: string }[] = [];
      await slow.query('BEGIN');
      const early = await insert(slow, 'written first');
      const other = insert(quick, 'written second').then((r) => committed.push({ ...r, message: 'written second' }));
      await new Promise((r) => setTimeout(r, 200));
      await slow.query('COMMIT');
      committed.push({ ...early, message: 'written first' });
      await other;
      const byPosition = [...committed].sort(
        (a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id),
      );
      expect(byPosition.map((e) => e.message)).toEqual(committed.map((e) => e.message));
      // A subscriber that got the first committed entry live and resumes from it receives the other one.
      const resumed = await subscribe(
        users.customer,
        plot,
        encodeFeedCursor({ createdAt: committed[0]!.created_at, id: committed[0]!.id }),
      );
      await resumed.waitFor(1);
      await settle();
      expect(messages(resumed.entries)).toEqual([committed[1]!.message]);
      await resumed.close();
    } finally {
      await Promise.all([slow.end(), quick.end()]);
    }
  });

  it('refuses malformed cursors (BAD_USER_INPUT) and cursors beyond the window (CURSOR_EXPIRED)', async () => {
    const plot = demo.plots.greenA1;
    for (const bad of [
      'nope',
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])).toString('base64url'),
      'A'.repeat(5000),
    ]) {
      const s = await subscribe(users.customer, plot, bad);
      await s.waitFor(1, 2000);
      expect(s.error).toBe('BAD_USER_INPUT');
      await s.close();
    }
    const old = await subscribe(
      users.customer,
      plot,
      encodeFeedCursor({ createdAt: new Date(Date.now() - 25 * 3600_000), id: '00000000-0000-4000-8000-000000000000' }),
    );
    await old.waitFor(1, 2000);
    expect(old.error).toBe('CURSOR_EXPIRED');
    await old.close();

    // More than 500 missed entries is beyond the window as well.
    const since = encodeFeedCursor({
      createdAt: new Date(Date.now() - 1000),
      id: '00000000-0000-4000-8000-000000000000',
    });
    const db = (await import('../src/db.ts')).createFarmDb(h.database.url);
    try {
      await db.activityEvent.createMany({
        data: Array.from({ length: 501 }, (_, i) => ({
          kind: 'TASK_COMPLETED' as const,
          message: `bulk ${i}`,
          plotId: plot,
        })),
      });
    } finally {
      await db.$disconnect();
    }
    const tooMany = await subscribe(users.customer, plot, since);
    await tooMany.waitFor(1, 3000);
    expect(tooMany.error).toBe('CURSOR_EXPIRED');
    expect(tooMany.entries).toEqual([]);
    await tooMany.close();
  });

  it('replays only a plot the caller may see: a cursor of one plot gives nothing on another', async () => {
    // customer2 rents nothing: refused before anything is replayed, whatever the cursor.
    const cursor = encodeFeedCursor({
      createdAt: new Date(Date.now() - 3600_000),
      id: '00000000-0000-4000-8000-000000000000',
    });
    for (const who of [users.customer2, users.farmer2, users.partner]) {
      const s = await subscribe(who, demo.plots.greenA1, cursor);
      await s.waitFor(1, 2000);
      expect(s.error).toBe('FORBIDDEN');
      expect(s.entries).toEqual([]);
      await s.close();
    }
    // The farmer of greenA2 (no activity since the cursor there) replays greenA2's feed only.
    const other = await subscribe(users.farmer, demo.plots.greenA2, cursor);
    await settle();
    expect(other.entries.every((e) => !e.message.startsWith('Harvested') && !e.message.startsWith('bulk'))).toBe(true);
    await other.close();
  });
});
