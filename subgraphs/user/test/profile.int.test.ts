import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type NotificationRequested, type UserRegistered, untypedBus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { seedUser } from '../src/seed.ts';
import { codes, eventually, startHarness, type Harness } from './harness.ts';
import { subscribe } from './ws.ts';

let h: Harness;
let customer: string;
let farmer: string;
let admin: string;

const PRIVATE_FIELDS = [
  'phone',
  'addresses { id }',
  'defaultAddress { id }',
  'notificationPreferences { kind }',
] as const;

beforeAll(async () => {
  h = await startHarness({ seed: seedUser });
  customer = await h.tokens.mint(demo.users.customer.id, ['CUSTOMER']);
  farmer = await h.tokens.mint(demo.users.farmer.id, ['FARMER']);
  admin = await h.tokens.mint(demo.users.admin.id, ['ADMIN']);
});
afterAll(async () => {
  await h?.close();
});

describe('public profile', () => {
  it('shows display name, locale and time zone of seeded users to anyone', async () => {
    const { body } = await h.gql('query($id: ID!) { user(id: $id) { id displayName avatarUrl locale timeZone } }', {
      id: demo.users.farmer.id,
    });
    expect(body).toEqual({
      data: {
        user: {
          id: demo.users.farmer.id,
          displayName: 'Jules Fermier',
          avatarUrl: null,
          locale: 'fr-FR',
          timeZone: 'Europe/Paris',
        },
      },
    });
  });

  it('answers null for unknown and malformed ids', async () => {
    const { body } = await h.gql(
      '{ a: user(id: "00000000-0000-4000-8000-00000000ffff") { id } b: user(id: "nope") { id } }',
    );
    expect(body).toEqual({ data: { a: null, b: null } });
  });

  it('resolves User and DeliveryAddress references in one batch each', async () => {
    const reps = [
      ...Object.values(demo.users).map((u) => ({ __typename: 'User', id: u.id })),
      { __typename: 'User', id: randomUUID() },
      { __typename: 'User', id: 'x' },
    ];
    const { body } = await h.gql<{ _entities: ({ displayName: string } | null)[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName } } }',
      { r: reps },
    );
    expect(body.errors).toBeUndefined();
    // An account without a stored profile yet resolves to defaults; a malformed id to null.
    expect(body.data?._entities).toEqual([
      ...Object.values(demo.users).map((u) => ({ displayName: u.displayName })),
      { displayName: 'VegShare member' },
      null,
    ]);
  });
});

describe('privacy of phone, addresses and preferences', () => {
  const query = (field: string) => `query($id: ID!) { user(id: $id) { displayName ${field} } }`;

  for (const field of PRIVATE_FIELDS) {
    it(`${field}: anonymous callers get UNAUTHENTICATED, other users FORBIDDEN`, async () => {
      const anonymous = await h.gql(query(field), { id: demo.users.customer.id });
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
      const other = await h.gql<{ user: Record<string, unknown> }>(
        query(field),
        { id: demo.users.customer.id },
        farmer,
      );
      expect(codes(other)).toEqual(['FORBIDDEN']);
      // The public part still resolves next to the refused field.
      expect(other.body.data?.user['displayName']).toBe('Chloé Martin');
      expect(JSON.stringify(other.body)).not.toContain('+3361');
    });

    it(`${field}: the user themself and admins can read it`, async () => {
      for (const token of [customer, admin]) {
        const res = await h.gql<{ user: Record<string, unknown> }>(query(field), { id: demo.users.customer.id }, token);
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data?.user[field.split(' ')[0] as string]).not.toBeNull();
      }
    });
  }

  it('hides private fields on entity references too', async () => {
    const res = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName phone } } }',
      { r: [{ __typename: 'User', id: demo.users.customer.id }] },
      farmer,
    );
    expect(codes(res)).toEqual(['FORBIDDEN']);
    const address = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on DeliveryAddress { city } } }',
      { r: [{ __typename: 'DeliveryAddress', id: '40000000-0000-4000-8000-000000000001' }] },
      farmer,
    );
    expect(codes(address)).toEqual(['FORBIDDEN']);
    const own = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on DeliveryAddress { city isDefault } } }',
      { r: [{ __typename: 'DeliveryAddress', id: '40000000-0000-4000-8000-000000000001' }] },
      customer,
    );
    expect(own.body).toEqual({ data: { _entities: [{ city: 'Paris', isDefault: true }] } });
  });

  it('lists every known notification kind with defaults for the owner', async () => {
    const res = await h.gql<{
      me: { notificationPreferences: { kind: string; email: boolean; push: boolean; inApp: boolean }[] };
    }>('{ me { notificationPreferences { kind email push inApp } } }', {}, customer);
    expect(res.body.data?.me.notificationPreferences).toContainEqual({
      kind: 'rental',
      email: true,
      push: true,
      inApp: true,
    });
    expect(res.body.data?.me.notificationPreferences.map((p) => p.kind)).toContain('delivery');
  });
});

describe('updateProfile', () => {
  const mutation =
    'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName phone locale timeZone } }';

  it('requires a signed-in user and rejects bad or expired tokens', async () => {
    expect(codes(await h.gql(mutation, { input: { displayName: 'X' } }))).toEqual(['UNAUTHENTICATED']);
    const expired = await h.tokens.mint(demo.users.customer.id, ['CUSTOMER'], { expiresIn: '-1m' });
    const res = await h.gql(mutation, { input: { displayName: 'X' } }, expired);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    const wrongIssuer = await h.tokens.mint(demo.users.customer.id, ['CUSTOMER'], { issuer: 'https://evil.example' });
    expect(codes(await h.gql(mutation, { input: { displayName: 'X' } }, wrongIssuer))).toEqual(['UNAUTHENTICATED']);
  });

  it('normalises and stores valid values for the viewer only', async () => {
    const token = await h.tokens.mint(demo.users.partner.id, ['PARTNER']);
    const res = await h.gql(
      mutation,
      {
        input: {
          displayName: '  Le Bon Bistro Paris ',
          phone: '+33 1 42 00 00 00',
          locale: 'fr-ca',
          timeZone: 'America/Montreal',
        },
      },
      token,
    );
    expect(res.body).toEqual({
      data: {
        updateProfile: {
          id: demo.users.partner.id,
          displayName: 'Le Bon Bistro Paris',
          phone: '+33142000000',
          locale: 'fr-CA',
          timeZone: expect.stringMatching(/^America\/(Montreal|Toronto)$/),
        },
      },
    });
    const cleared = await h.gql(mutation, { input: { phone: null } }, token);
    expect(cleared.body.data).toMatchObject({
      updateProfile: { phone: null, locale: 'fr-CA', displayName: 'Le Bon Bistro Paris' },
    });
  });

  it('keeps what the input leaves out, the phone too, and moves updatedAt', async () => {
    const id = randomUUID();
    await h.db.profile.create({
      data: { id, displayName: 'Kept', phone: '+33612345678', locale: 'fr', timeZone: 'Europe/Paris' },
    });
    const before = await h.db.profile.findUniqueOrThrow({ where: { id } });
    const token = await h.tokens.mint(id);
    const res = await h.gql(mutation, { input: { locale: 'en-GB' } }, token);
    expect(res.body).toEqual({
      data: {
        updateProfile: { id, displayName: 'Kept', phone: '+33612345678', locale: 'en-GB', timeZone: 'Europe/Paris' },
      },
    });
    const after = await h.db.profile.findUniqueOrThrow({ where: { id } });
    expect(after.createdAt).toEqual(before.createdAt);
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
  });

  it('creates the profile of a user whose registration event was missed, then applies the change', async () => {
    const id = randomUUID();
    const token = await h.tokens.mint(id);
    const res = await h.gql(mutation, { input: { displayName: 'Late Arrival' } }, token);
    expect(res.body).toEqual({
      data: { updateProfile: { id, displayName: 'Late Arrival', phone: null, locale: 'en', timeZone: 'UTC' } },
    });
    expect(await h.db.profile.count({ where: { id } })).toBe(1);
  });

  it.each([
    [{ phone: '0612345678' }, 'input.phone'],
    [{ phone: '+0123' }, 'input.phone'],
    [{ locale: 'not a locale' }, 'input.locale'],
    [{ locale: '12' }, 'input.locale'],
    [{ timeZone: 'Mars/Olympus' }, 'input.timeZone'],
    [{ timeZone: '+02:00' }, 'input.timeZone'],
    [{ displayName: '   ' }, 'input.displayName'],
    [{ displayName: 'x'.repeat(81) }, 'input.displayName'],
    [{ displayName: 'bell\u0007' }, 'input.displayName'],
    [{ displayName: null }, 'input.displayName'],
  ])('rejects %j with BAD_USER_INPUT on %s', async (input, field) => {
    const res = await h.gql(mutation, { input }, customer);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('creates a default profile for a signed-in user whose registration event was missed', async () => {
    const id = randomUUID();
    const token = await h.tokens.mint(id);
    const res = await h.gql('{ me { id displayName locale timeZone } }', {}, token);
    expect(res.body).toEqual({ data: { me: { id, displayName: 'VegShare member', locale: 'en', timeZone: 'UTC' } } });
    expect(await h.db.profile.count({ where: { id } })).toBe(1);
    expect(await h.gql('{ me { id } }')).toMatchObject({ body: { data: { me: null } } });
  });
});

describe('UserRegistered events', () => {
  it('create a profile once, never overwriting an existing one', async () => {
    const userId = randomUUID();
    const event: UserRegistered = {
      userId,
      email: 'new@example.com',
      displayName: 'Nouvelle Cliente',
      roles: ['CUSTOMER'],
    };
    await Promise.all([h.events.publish(topics.userRegistered, event), h.events.publish(topics.userRegistered, event)]);
    const profile = await eventually(
      () => h.db.profile.findUnique({ where: { id: userId } }),
      (p) => p !== null,
    );
    expect(profile?.displayName).toBe('Nouvelle Cliente');
    await h.db.profile.update({ where: { id: userId }, data: { displayName: 'Renamed' } });
    await h.events.publish(topics.userRegistered, event);
    // Malformed on purpose, so published untyped: the consumer must drop what does not match the contract.
    await untypedBus(h.events).publish(topics.userRegistered, { userId: 'not-a-uuid', displayName: 'x' });
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.db.profile.findUniqueOrThrow({ where: { id: userId } })).displayName).toBe('Renamed');
    expect(await h.db.profile.count({ where: { id: userId } })).toBe(1);
  });
});

describe('notifications over the in-process bus (embedded default)', () => {
  it('stores a requested notification once and pushes it to the graphql-ws subscriber', async () => {
    const token = await h.tokens.mint(demo.users.customer.id);
    const sub = subscribe<{ notificationAdded: { title: string; kind: string } }>(
      h.service,
      'subscription { notificationAdded { title kind } }',
      token,
    );
    try {
      const probe = async (title: string) => {
        const event: NotificationRequested = {
          eventId: randomUUID(),
          userId: demo.users.customer.id,
          kind: 'rental',
          title,
          body: '',
        };
        await h.events.publish(topics.notificationRequested, event);
        return event;
      };
      // The memory bus delivers only to current subscribers: probe until the subscription is live.
      await eventually(
        async () => (await probe('probe'), sub.received.length),
        (n) => n > 0,
      );
      const event = await probe('Rental accepted');
      await h.events.publish(topics.notificationRequested, event);
      await eventually(
        async () => sub.received.filter((r) => r.notificationAdded.title !== 'probe').length,
        (n) => n === 1,
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(sub.received.filter((r) => r.notificationAdded.title !== 'probe')).toEqual([
        { notificationAdded: { title: 'Rental accepted', kind: 'rental' } },
      ]);
      expect(await h.db.notification.count({ where: { eventId: event.eventId } })).toBe(1);
      // Seeded notifications plus the probes and this one are in the connection, with the seeded read one not counted.
      const res = await h.gql<{ notifications: { unreadCount: number; edges: { node: { title: string } }[] } }>(
        '{ notifications(first: 100) { unreadCount edges { node { title } } } }',
        {},
        token,
      );
      const titles = res.body.data?.notifications.edges.map((e) => e.node.title) ?? [];
      expect(titles.filter((t) => t === 'Rental accepted')).toHaveLength(1);
      expect(titles).toContain('Welcome to VegShare');
      expect(res.body.data?.notifications.unreadCount).toBe(titles.length - 1);
    } finally {
      await sub.close();
    }
  });
});

describe('seed', () => {
  it('is idempotent', async () => {
    const before = [await h.db.profile.count(), await h.db.deliveryAddress.count(), await h.db.notification.count()];
    await seedUser(h.db);
    expect([await h.db.profile.count(), await h.db.deliveryAddress.count(), await h.db.notification.count()]).toEqual(
      before,
    );
    const me = await h.gql<{ me: { defaultAddress: { city: string } } }>(
      '{ me { defaultAddress { city } } }',
      {},
      customer,
    );
    expect(me.body.data?.me.defaultAddress.city).toBe('Paris');
  });
});

describe('operations', () => {
  it('serves health, readiness (postgres, s3) and metrics', async () => {
    expect((await fetch(`${h.service.url}/health`)).status).toBe(200);
    const ready = await fetch(`${h.service.url}/ready`);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'postgres', ok: true },
        { name: 's3', ok: true },
        { name: 'revocations', ok: true },
      ],
    });
    expect((await fetch(`${h.service.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${h.service.metricsUrl}/metrics`)).text()).toContain('service="user"');
  });
});
