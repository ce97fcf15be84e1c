// Push notifications end to end inside the user service: devices registered over GraphQL, NotificationRequested events
// turned into pushes for users without a live session, sent in batches through expo-server-sdk to a local server
// speaking the Expo push protocol, receipts checked, dead tokens forgotten, failures retried with back-off.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics, type NotificationRequested } from '@vegshare/kit';
import { codes, eventually, startHarness, type Harness } from './harness.ts';
import { startExpoPushServer, type ExpoPushServer } from './expo-push-server.ts';
import { subscribe } from './ws.ts';

let h: Harness;
let expo: ExpoPushServer;

const REGISTER =
  'mutation($input: RegisterPushDeviceInput!) { registerPushDevice(input: $input) { id platform tokenSuffix } }';
const token = () => `ExponentPushToken[${randomUUID().replaceAll('-', '').slice(0, 22)}]`;
const request = (userId: string, overrides: Partial<NotificationRequested> = {}): NotificationRequested => ({
  eventId: `push:${randomUUID()}`,
  userId,
  kind: 'task',
  title: 'Watering done',
  body: 'Your beds were watered this morning.',
  link: '/rentals/5f0c6a43-1c1e-4c1b-9d0a-2b6f0c0f4a11',
  ...overrides,
});
/** Messages the local push server accepted for these tokens. */
const sentTo = (tokens: readonly string[]) => expo.sendRequests.flat().filter((m) => tokens.includes(m.to));

async function userWithDevices(count: number): Promise<{ userId: string; access: string; tokens: string[] }> {
  const userId = randomUUID();
  const access = await h.tokens.mint(userId);
  const tokens = Array.from({ length: count }, token);
  for (const [i, t] of tokens.entries()) {
    const res = await h.gql(REGISTER, { input: { token: t, platform: i % 2 ? 'IOS' : 'ANDROID' } }, access);
    expect(res.body.errors).toBeUndefined();
  }
  return { userId, access, tokens };
}

beforeAll(async () => {
  expo = await startExpoPushServer();
  h = await startHarness({
    env: {
      PUSH_API_URL: expo.url,
      PUSH_POLL_MS: '100',
      PUSH_RECEIPT_DELAY_MS: '200',
      PUSH_RETRY_BASE_MS: '150',
      PUSH_RETRY_MAX_MS: '1000',
      PUSH_MAX_ATTEMPTS: '4',
    },
  });
});
afterAll(async () => {
  await h?.close();
  await expo?.close();
});
beforeEach(() => expo.failNextSends(0, 503));

describe('push devices', () => {
  it('registers several devices per user, refreshes a known token, moves a token between accounts and unregisters', async () => {
    const { userId, access, tokens } = await userWithDevices(3);
    const again = await h.gql<{ registerPushDevice: { id: string } }>(
      REGISTER,
      { input: { token: tokens[0], platform: 'ANDROID' } },
      access,
    );
    expect(again.body.errors).toBeUndefined();
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(3);
    const listed = await h.gql<{ me: { pushDevices: { platform: string; tokenSuffix: string }[] } }>(
      '{ me { pushDevices { platform tokenSuffix } } }',
      {},
      access,
    );
    expect(listed.body.data?.me.pushDevices).toHaveLength(3);
    expect(listed.body.data?.me.pushDevices[0]?.tokenSuffix).toBe(tokens[0]!.slice(-7, -1));

    // Another account signs in on the first phone: pushes follow the person now signed in.
    const other = randomUUID();
    await h.gql(REGISTER, { input: { token: tokens[0], platform: 'ANDROID' } }, await h.tokens.mint(other));
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(2);
    expect(await h.db.pushDevice.count({ where: { userId: other } })).toBe(1);

    // Sign-out on a phone: only the owner can remove it.
    const foreign = await h.gql<{ unregisterPushDevice: boolean }>(
      'mutation($t: String!) { unregisterPushDevice(token: $t) }',
      { t: tokens[1] },
      await h.tokens.mint(other),
    );
    expect(foreign.body.data?.unregisterPushDevice).toBe(false);
    const own = await h.gql<{ unregisterPushDevice: boolean }>(
      'mutation($t: String!) { unregisterPushDevice(token: $t) }',
      { t: tokens[1] },
      access,
    );
    expect(own.body.data?.unregisterPushDevice).toBe(true);
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(1);
  });

  it('keeps at most 10 devices per user and refuses what is not an Expo push token or not signed in', async () => {
    const { userId } = await userWithDevices(12);
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(10);
    const access = await h.tokens.mint(userId);
    for (const bad of [
      '',
      'hello',
      'ExponentPushToken[]',
      `ExponentPushToken[${'x'.repeat(300)}]`,
      'ExponentPushToken[abc def ghij]',
    ]) {
      expect(codes(await h.gql(REGISTER, { input: { token: bad, platform: 'IOS' } }, access))).toEqual([
        'BAD_USER_INPUT',
      ]);
    }
    expect(codes(await h.gql(REGISTER, { input: { token: token(), platform: 'IOS' } }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.gql(REGISTER, { input: { token: token(), platform: 'WINDOWS' } }, access))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('push delivery', () => {
  it('pushes a notification to every device of an offline user in one batch and checks the receipts', async () => {
    const { userId, tokens } = await userWithDevices(2);
    const event = request(userId);
    await h.events.publish(topics.notificationRequested, event);
    await eventually(
      async () => sentTo(tokens).length,
      (n) => n === 2,
    );
    const batch = expo.sendRequests.find((r) => r.some((m) => m.to === tokens[0]))!;
    expect(batch.filter((m) => tokens.includes(m.to))).toHaveLength(2);
    expect(sentTo(tokens)[0]).toMatchObject({
      title: event.title,
      body: event.body,
      sound: 'default',
      priority: 'high',
      data: { kind: 'task', url: event.link },
    });
    const notification = await h.db.notification.findFirstOrThrow({ where: { userId } });
    expect(sentTo(tokens)[0]?.data?.['notificationId']).toBe(notification.id);
    // Receipts asked after the delay; both messages end DELIVERED.
    await eventually(
      async () => h.db.pushMessage.count({ where: { notificationId: notification.id, status: 'DELIVERED' } }),
      (n) => n === 2,
    );
    expect(expo.receiptRequests.flat().length).toBeGreaterThanOrEqual(2);
  });

  it('does not push while the user has a live session, and does once it is gone', async () => {
    const { userId, access, tokens } = await userWithDevices(1);
    const live = subscribe<{ notificationAdded: { title: string } }>(
      h.service,
      'subscription { notificationAdded { title } }',
      access,
    );
    await eventually(
      async () => {
        await h.events.publish(topics.notificationRequested, request(userId, { title: 'probe' }));
        await new Promise((r) => setTimeout(r, 50));
        return live.received.length;
      },
      (n) => n > 0,
    );
    await h.events.publish(topics.notificationRequested, request(userId, { title: 'while open' }));
    await eventually(
      async () => live.received.filter((r) => r.notificationAdded.title === 'while open').length,
      (n) => n === 1,
    );
    await new Promise((r) => setTimeout(r, 500));
    // Probes published before the subscription was open may have been pushed (the user was offline then); nothing after.
    const real = () => sentTo(tokens).filter((m) => m.title !== 'probe');
    expect(real()).toHaveLength(0);
    await live.close();
    await eventually(
      async () => h.db.notification.count({ where: { userId } }),
      (n) => n >= 2,
    );
    await new Promise((r) => setTimeout(r, 200)); // the server notices the socket closed
    await h.events.publish(topics.notificationRequested, request(userId, { title: 'after close' }));
    await eventually(
      async () => real().map((m) => m.title),
      (titles) => titles.includes('after close'),
    );
    expect(real().map((m) => m.title)).toEqual(['after close']);
  });

  it('honours the push preference per kind, and pushes a kind with in-app off without listing it as unread', async () => {
    const { userId, access, tokens } = await userWithDevices(1);
    await h.gql('mutation { updateNotificationPreference(input: { kind: "task", push: false }) { kind } }', {}, access);
    await h.gql(
      'mutation { updateNotificationPreference(input: { kind: "delivery", inApp: false }) { kind } }',
      {},
      access,
    );
    await h.events.publish(topics.notificationRequested, request(userId, { kind: 'task', title: 'no push' }));
    await h.events.publish(topics.notificationRequested, request(userId, { kind: 'delivery', title: 'push only' }));
    await eventually(
      async () => sentTo(tokens).length,
      (n) => n >= 1,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTo(tokens).map((m) => m.title)).toEqual(['push only']);
    const unread = await h.gql<{ notifications: { unreadCount: number } }>(
      '{ notifications { unreadCount } }',
      {},
      access,
    );
    expect(unread.body.data?.notifications.unreadCount).toBe(1);
  });

  it('forgets a device the push service reports as not registered, in a ticket or in a receipt', async () => {
    const atSend = await userWithDevices(2);
    expo.deadAtSend.add(atSend.tokens[0]!);
    await h.events.publish(topics.notificationRequested, request(atSend.userId));
    await eventually(
      async () => h.db.pushDevice.count({ where: { userId: atSend.userId } }),
      (n) => n === 1,
    );
    expect((await h.db.pushDevice.findFirstOrThrow({ where: { userId: atSend.userId } })).token).toBe(atSend.tokens[1]);

    const atReceipt = await userWithDevices(1);
    expo.deadAtReceipt.add(atReceipt.tokens[0]!);
    await h.events.publish(topics.notificationRequested, request(atReceipt.userId));
    await eventually(
      async () => h.db.pushDevice.count({ where: { userId: atReceipt.userId } }),
      (n) => n === 0,
    );
    expect(sentTo(atReceipt.tokens)).toHaveLength(1);
  });

  it('retries with back-off when the push service is unavailable, then gives up after the attempt limit', async () => {
    const { userId, tokens } = await userWithDevices(1);
    expo.failNextSends(2, 503);
    await h.events.publish(topics.notificationRequested, request(userId));
    await eventually(
      async () => sentTo(tokens).length,
      (n) => n === 1,
      20_000,
    );
    // The server answered with a ticket: the message is recorded as sent (then delivered once its receipt is read).
    await eventually(
      async () => (await h.db.pushMessage.findFirstOrThrow({ where: { device: { userId } } })).status,
      (s) => s === 'SENT' || s === 'DELIVERED',
    );
    expect((await h.db.pushMessage.findFirstOrThrow({ where: { device: { userId } } })).attempts).toBeLessThanOrEqual(
      3,
    );

    const doomed = await userWithDevices(1);
    expo.failNextSends(1_000, 503);
    await h.events.publish(topics.notificationRequested, request(doomed.userId));
    await eventually(
      async () => (await h.db.pushMessage.findFirst({ where: { device: { userId: doomed.userId } } }))?.status,
      (s) => s === 'FAILED',
      20_000,
    );
    const failed = await h.db.pushMessage.findFirstOrThrow({ where: { device: { userId: doomed.userId } } });
    expect(failed.attempts).toBe(4);
    expo.failNextSends(0, 503);
  });

  it('sends a backlog in batches of at most 100 messages per request', async () => {
    const users = await Promise.all(Array.from({ length: 15 }, () => userWithDevices(10)));
    const all = users.flatMap((u) => u.tokens);
    const before = expo.sendRequests.length;
    // A backlog of 150 due pushes (as after an outage), queued in one statement so one round finds them all.
    const devices = await h.db.pushDevice.findMany({ where: { token: { in: all } } });
    await h.db.pushMessage.createMany({
      data: devices.map((d) => ({ deviceId: d.id, title: 'Backlog', body: 'queued while the push service was down' })),
    });
    await eventually(
      async () => sentTo(all).length,
      (n) => n === 150,
      20_000,
    );
    const requests = expo.sendRequests.slice(before);
    expect(Math.max(...requests.map((r) => r.length))).toBeLessThanOrEqual(100);
    expect(requests.some((r) => r.length === 100)).toBe(true);
  });
});
