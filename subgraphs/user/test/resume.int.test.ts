// notificationAdded(after:): a viewer coming back with a cursor gets their own notifications missed since then, then
// live ones; a cursor taken from another user's notification replays only the viewer's own; the window holds.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFeedCursor, topics } from '@vegshare/kit';
import { eventually, startHarness, type Harness } from './harness.ts';
import { subscribe, type Subscription } from './ws.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { PUSH_WORKER: 'false' } });
});
afterAll(async () => h?.close());

interface Added {
  notificationAdded: { id: string; title: string; cursor: string };
}
const notify = (userId: string, title: string) =>
  h.events.publish(topics.notificationRequested, {
    eventId: `test:${randomUUID()}`,
    userId,
    kind: 'system',
    title,
    body: '',
    link: null,
  });
const listed = async (userId: string) =>
  (
    (
      await h.gql<{ notifications: { edges: { cursor: string; node: { id: string; title: string } }[] } }>(
        '{ notifications(first: 50) { edges { cursor node { id title } } } }',
        {},
        await h.tokens.mint(userId),
      )
    ).body.data?.notifications.edges ?? []
  ).reverse();
const resume = async (userId: string, after: string): Promise<Subscription<Added>> =>
  subscribe<Added>(
    h.service,
    `subscription { notificationAdded(after: ${JSON.stringify(after)}) { id title cursor } }`,
    await h.tokens.mint(userId),
  );
const titles = (s: Subscription<Added>) => s.received.map((r) => r.notificationAdded.title);

describe('notificationAdded resume', () => {
  it("replays the viewer's own missed notifications after the cursor, then live ones, once each", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    for (const t of ['a1', 'a2']) await notify(alice, t);
    await eventually(
      () => listed(alice),
      (l) => l.length === 2,
    );
    const seen = (await listed(alice))[0]!; // a1: the client has it
    for (const t of ['a3', 'a4']) await notify(alice, t);
    await notify(bob, 'b1');
    await eventually(
      () => listed(alice),
      (l) => l.length === 4,
    );
    await eventually(
      () => listed(bob),
      (l) => l.length === 1,
    );

    const sub = await resume(alice, seen.cursor);
    try {
      await eventually(
        () => sub.received.length,
        (n) => n >= 3,
      );
      await notify(alice, 'a5');
      await eventually(
        () => sub.received.length,
        (n) => n >= 4,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(sub.errors).toEqual([]);
      const order = (await listed(alice)).map((e) => e.node.title).slice(1);
      expect(titles(sub)).toEqual(order);
      expect([...titles(sub)].sort()).toEqual(['a2', 'a3', 'a4', 'a5']);
      // The subscription's cursor is the list's edge cursor.
      expect(sub.received.at(-1)?.notificationAdded.cursor).toBe((await listed(alice)).at(-1)?.cursor);
    } finally {
      await sub.close();
    }

    // Bob passing a cursor of Alice's: a position only — he gets his own notification after it, never hers.
    const bobs = await resume(bob, seen.cursor);
    try {
      await eventually(
        () => bobs.received.length,
        (n) => n >= 1,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(titles(bobs)).toEqual(['b1']);
    } finally {
      await bobs.close();
    }
  });

  it('places notifications in commit order: one written first but committed last comes after', async () => {
    const dave = randomUUID();
    const row = (title: string) => ({ eventId: `test:${randomUUID()}`, userId: dave, kind: 'system', title, body: '' });
    const committed: string[] = [];
    let written!: () => void;
    const firstWritten = new Promise<void>((resolve) => (written = resolve));
    const slow = h.db
      .$transaction(async (tx) => {
        await tx.notification.create({ data: row('written first') });
        written();
        await new Promise((r) => setTimeout(r, 200));
      })
      .then(() => committed.push('written first'));
    await firstWritten;
    await h.db.notification.create({ data: row('written second') });
    committed.push('written second');
    await slow;
    const feed = await h.db.notification.findMany({
      where: { userId: dave },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(feed.map((n) => n.title)).toEqual(committed);
  });

  it('refuses malformed and expired cursors', async () => {
    const carol = randomUUID();
    const bad = await resume(carol, 'not a cursor');
    const old = await resume(
      carol,
      encodeFeedCursor({ createdAt: new Date(Date.now() - 25 * 3600_000), id: randomUUID() }),
    );
    try {
      await eventually(
        () => bad.errors.length + old.errors.length,
        (n) => n >= 2,
      );
      const code = (errors: unknown[]) =>
        (errors[0] as { extensions?: { code?: string } } | unknown[] | undefined) &&
        (Array.isArray(errors[0])
          ? (errors[0][0] as { extensions?: { code?: string } }).extensions?.code
          : (errors[0] as { extensions?: { code?: string } }).extensions?.code);
      expect(code(bad.errors)).toBe('BAD_USER_INPUT');
      expect(code(old.errors)).toBe('CURSOR_EXPIRED');
    } finally {
      await bad.close();
      await old.close();
    }
  });
});
