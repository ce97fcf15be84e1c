// Account deletion as the user service sees it: auth's UserDeleted event erases the profile and everything attached
// (addresses, preferences, notifications, push devices, avatar images), acknowledges with UserDataErased, and leaves a
// tombstone so that a late event or a still-valid access token never brings the profile back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type UserDataErased, type UserDeleted } from '@vegshare/kit';
import { failOutboxWrites, outboxPayloads } from '@vegshare/tools/testing/outbox-faults';
import { codes, eventually, startHarness, type Harness } from './harness.ts';

let h: Harness;
const acks: UserDataErased[] = [];

beforeAll(async () => {
  h = await startHarness({ env: { PUSH_WORKER: 'false' } });
  await h.events.subscribe(topics.userDataErased, (ack) => acks.push(ack));
});
afterAll(async () => h?.close());

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('erasure of a deleted account', () => {
  it('erases every trace, acknowledges, and refuses to recreate the profile', async () => {
    const userId = randomUUID();
    const bystander = randomUUID();
    const access = await h.tokens.mint(userId);
    await h.gql(
      'mutation { updateProfile(input: { displayName: "Soon Gone", phone: "+33612345678" }) { id } }',
      {},
      access,
    );
    await h.gql(
      'mutation($i: DeliveryAddressInput!) { createDeliveryAddress(input: $i) { id } }',
      { i: { recipientName: 'Soon Gone', line1: '1 rue X', postalCode: '75001', city: 'Paris', countryCode: 'FR' } },
      access,
    );
    await h.gql(
      'mutation { updateNotificationPreference(input: { kind: "task", email: false }) { kind } }',
      {},
      access,
    );
    await h.gql(
      'mutation { registerPushDevice(input: { token: "ExponentPushToken[erasure-test-token-1]", platform: IOS }) { id } }',
      {},
      access,
    );
    const ticket = await h.gql<{ requestAvatarUpload: { url: string; key: string } }>(
      'mutation { requestAvatarUpload(contentType: "image/png", sizeBytes: ' + PNG.length + ') { url key } }',
      {},
      access,
    );
    const upload = ticket.body.data!.requestAvatarUpload;
    await fetch(upload.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG });
    await h.gql('mutation($k: String!) { confirmAvatarUpload(key: $k) { id } }', { k: upload.key }, access);
    await h.events.publish(topics.notificationRequested, {
      eventId: `e:${randomUUID()}`,
      userId,
      kind: 'system',
      title: 'hello',
      body: '',
      link: null,
    });
    await h.gql(
      'mutation { updateProfile(input: { displayName: "Stays" }) { id } }',
      {},
      await h.tokens.mint(bystander),
    );
    await eventually(
      async () => h.db.notification.count({ where: { userId } }),
      (n) => n === 1,
    );
    expect(await h.db.profile.count({ where: { id: userId, avatarKey: upload.key } })).toBe(1);

    const deleted: UserDeleted = { userId, deletedAt: new Date().toISOString() };
    await h.events.publish(topics.userDeleted, deleted);
    await eventually(
      async () => acks.filter((a) => a.userId === userId),
      (list) => list.length === 1,
    );
    expect(acks.find((a) => a.userId === userId)).toEqual({ userId, service: 'user' });

    expect(await h.db.profile.count({ where: { id: userId } })).toBe(0);
    expect(await h.db.deliveryAddress.count({ where: { userId } })).toBe(0);
    expect(await h.db.notificationPreference.count({ where: { userId } })).toBe(0);
    expect(await h.db.notification.count({ where: { userId } })).toBe(0);
    expect(await h.db.pushDevice.count({ where: { userId } })).toBe(0);
    expect(await h.db.avatarUpload.count({ where: { userId } })).toBe(0);
    expect(await h.db.deletedUser.count({ where: { id: userId } })).toBe(1);
    const objects: string[] = [];
    const { createObjectStore } = await import('@vegshare/kit');
    const store = createObjectStore({ ...h.s3.env, S3_REGION: 'us-east-1' });
    for await (const item of store.client.listObjectsV2(store.bucket, `avatars/${userId}/`, true) as AsyncIterable<{
      name?: string;
    }>)
      if (item.name) objects.push(item.name);
    expect(objects).toEqual([]);
    expect(await h.db.profile.count({ where: { id: bystander } })).toBe(1);

    // The still-valid token and late events change nothing.
    expect(codes(await h.gql('{ me { id displayName } }', {}, access))).toEqual(['UNAUTHENTICATED']);
    expect(
      codes(
        await h.gql(
          'mutation { registerPushDevice(input: { token: "ExponentPushToken[erasure-test-token-2]", platform: IOS }) { id } }',
          {},
          access,
        ),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    await h.events.publish(topics.userRegistered, {
      userId,
      email: 'x@example.test',
      displayName: 'Back?',
      roles: ['CUSTOMER'],
    });
    await h.events.publish(topics.notificationRequested, {
      eventId: `e:${randomUUID()}`,
      userId,
      kind: 'system',
      title: 'late',
      body: '',
      link: null,
    });
    // A re-published UserDeleted is acknowledged again (auth keeps asking until every service answered).
    await h.events.publish(topics.userDeleted, deleted);
    await eventually(
      async () => acks.filter((a) => a.userId === userId).length,
      (n) => n === 2,
    );
    expect(await h.db.profile.count({ where: { id: userId } })).toBe(0);
    expect(await h.db.notification.count({ where: { userId } })).toBe(0);
  });

  it('acknowledges in the transaction of the erasure: an unwritable acknowledgement leaves the data, the retry erases and acknowledges once', async () => {
    const userId = randomUUID();
    await h.gql(
      'mutation { updateProfile(input: { displayName: "Erased Later" }) { id } }',
      {},
      await h.tokens.mint(userId),
    );
    const fault = await failOutboxWrites(h.db, 'user', topics.userDataErased);
    const mine = async () =>
      (await outboxPayloads<UserDataErased>(h.db, 'user', topics.userDataErased)).filter((a) => a.userId === userId);
    try {
      await h.events.publish(topics.userDeleted, { userId, deletedAt: new Date().toISOString() });
      await eventually(
        () => fault.attempts(),
        (n) => n >= 1,
      );
      // The erasure rolled back with its acknowledgement: nothing is half done.
      expect(await h.db.profile.count({ where: { id: userId } })).toBe(1);
      expect(await h.db.deletedUser.count({ where: { id: userId } })).toBe(0);
      expect(await mine()).toEqual([]);
    } finally {
      await fault.restore();
    }
    // The consumer retries the event (back-off 1 s, then 5 s): now the erasure and its acknowledgement commit together.
    await eventually(mine, (list) => list.length === 1, 15_000);
    expect(await h.db.profile.count({ where: { id: userId } })).toBe(0);
    expect(await h.db.deletedUser.count({ where: { id: userId } })).toBe(1);
  });

  it('ignores malformed UserDeleted events', async () => {
    const before = acks.length;
    await h.events.publish(topics.userDeleted, { userId: 'not-a-uuid', deletedAt: 'yesterday' });
    await new Promise((r) => setTimeout(r, 200));
    expect(acks.length).toBe(before);
  });
});
