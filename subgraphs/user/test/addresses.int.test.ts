import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createObjectStore, pgAdapter, pgPool, type Viewer } from '@vegshare/kit';
import { MAX_ADDRESSES_PER_USER } from '../src/domain/addresses.ts';
import { createAvatarStore } from '../src/domain/avatars.ts';
import { memoryPresence } from '../src/adapters/push/presence.ts';
import type { Context } from '../src/context.ts';
import { USER_SCHEMA } from '../src/db.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { createLoaders } from '../src/loaders.ts';
import { codes, startHarness, type Harness } from './harness.ts';

let h: Harness;

const FIELDS = 'id label recipientName line1 line2 postalCode city region countryCode phone instructions isDefault';
const CREATE = `mutation($input: DeliveryAddressInput!) { createDeliveryAddress(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $patch: DeliveryAddressPatch!) { updateDeliveryAddress(id: $id, patch: $patch) { ${FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deleteDeliveryAddress(id: $id) }';
const SET_DEFAULT = 'mutation($id: ID!) { setDefaultDeliveryAddress(id: $id) { id isDefault } }';
const MINE = '{ me { addresses { id isDefault city } defaultAddress { id } } }';

interface Address {
  id: string;
  isDefault: boolean;
  city: string;
}

const valid = (city = 'Lyon') => ({
  recipientName: 'Chloé Martin',
  line1: '3 quai Saint-Vincent',
  postalCode: '69001',
  city,
  countryCode: 'fr',
});

async function newUser(): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  return { id, token: await h.tokens.mint(id) };
}

async function create(token: string, input: Record<string, unknown>): Promise<Address> {
  const res = await h.gql<{ createDeliveryAddress: Address }>(CREATE, { input }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createDeliveryAddress;
}

async function mine(token: string) {
  const res = await h.gql<{ me: { addresses: Address[]; defaultAddress: { id: string } | null } }>(MINE, {}, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me;
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('delivery addresses', () => {
  it('creates a normalised address; the first one becomes the default', async () => {
    const { token } = await newUser();
    const res = await h.gql(
      CREATE,
      {
        input: {
          ...valid(),
          line2: '  ',
          phone: '+33 6 11 22 33 44',
          instructions: 'Ring twice\nthen wait',
          label: 'Home',
        },
      },
      token,
    );
    expect(res.body.data).toEqual({
      createDeliveryAddress: {
        id: expect.any(String),
        label: 'Home',
        recipientName: 'Chloé Martin',
        line1: '3 quai Saint-Vincent',
        line2: '',
        postalCode: '69001',
        city: 'Lyon',
        region: '',
        countryCode: 'FR',
        phone: '+33611223344',
        instructions: 'Ring twice\nthen wait',
        isDefault: true,
      },
    });
  });

  it('keeps exactly one default through create, set-default and delete', async () => {
    const { token } = await newUser();
    const a = await create(token, valid('A'));
    const b = await create(token, valid('B'));
    const c = await create(token, { ...valid('C'), isDefault: true });
    expect([a.isDefault, b.isDefault, c.isDefault]).toEqual([true, false, true]);
    let me = await mine(token);
    expect(me.addresses.filter((x) => x.isDefault).map((x) => x.id)).toEqual([c.id]);
    expect(me.addresses[0]?.id).toBe(c.id);
    expect(me.defaultAddress?.id).toBe(c.id);

    expect((await h.gql(SET_DEFAULT, { id: b.id }, token)).body.data).toEqual({
      setDefaultDeliveryAddress: { id: b.id, isDefault: true },
    });
    me = await mine(token);
    expect(me.addresses.filter((x) => x.isDefault).map((x) => x.id)).toEqual([b.id]);

    // Deleting the default promotes the oldest remaining address.
    expect((await h.gql(DELETE, { id: b.id }, token)).body.data).toEqual({ deleteDeliveryAddress: b.id });
    me = await mine(token);
    expect(me.addresses.map((x) => [x.city, x.isDefault])).toEqual([
      ['A', true],
      ['C', false],
    ]);
  });

  it('keeps one default when the same user creates addresses concurrently', async () => {
    const { id, token } = await newUser();
    await Promise.all(Array.from({ length: 8 }, (_, i) => create(token, { ...valid(`City ${i}`), isDefault: true })));
    const rows = await h.db.deliveryAddress.findMany({ where: { userId: id } });
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.isDefault)).toHaveLength(1);
  });

  it('updates only the given fields; phone: null removes the phone', async () => {
    const { token } = await newUser();
    const a = await create(token, { ...valid(), phone: '+33611223344', region: 'Rhône' });
    const res = await h.gql<{ updateDeliveryAddress: Record<string, unknown> }>(
      UPDATE,
      { id: a.id, patch: { city: 'Villeurbanne', postalCode: '69100', phone: null, line1: null } },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.updateDeliveryAddress).toMatchObject({
      city: 'Villeurbanne',
      postalCode: '69100',
      phone: null,
      line1: '3 quai Saint-Vincent',
      region: 'Rhône',
    });
  });

  it('limits the number of addresses per user', async () => {
    const { id, token } = await newUser();
    await create(token, valid());
    await h.db.deliveryAddress.createMany({
      data: Array.from({ length: MAX_ADDRESSES_PER_USER - 1 }, () => ({
        userId: id,
        recipientName: 'X',
        line1: 'Y',
        postalCode: '1000',
        city: 'Z',
        countryCode: 'BE',
      })),
    });
    expect(codes(await h.gql(CREATE, { input: valid() }, token))).toEqual(['CONFLICT']);
  });

  it('rejects invalid input with BAD_USER_INPUT naming the field', async () => {
    const { token } = await newUser();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid(), countryCode: 'XX' }, 'input.countryCode'],
      [{ ...valid(), countryCode: 'FRA' }, 'input.countryCode'],
      [{ ...valid(), postalCode: '75<script>' }, 'input.postalCode'],
      [{ ...valid(), recipientName: ' ' }, 'input.recipientName'],
      [{ ...valid(), phone: '12345' }, 'input.phone'],
      [{ ...valid(), line1: 'a'.repeat(201) }, 'input.line1'],
      [{ ...valid(), city: 'Paris\u0000' }, 'input.city'],
    ];
    for (const [input, field] of cases) {
      const res = await h.gql(CREATE, { input }, token);
      expect(codes(res), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
    }
    const a = await create(token, valid());
    const res = await h.gql(UPDATE, { id: a.id, patch: { countryCode: 'ZZ' } }, token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.countryCode' });
  });

  it('lets only the owner change an address; others get FORBIDDEN, unknown ids NOT_FOUND', async () => {
    const owner = await newUser();
    const other = await newUser();
    const admin = await h.tokens.mint(randomUUID(), ['ADMIN']);
    const a = await create(owner.token, valid());
    for (const token of [other.token, admin]) {
      expect(codes(await h.gql(UPDATE, { id: a.id, patch: { city: 'Hacked' } }, token))).toEqual(['FORBIDDEN']);
      expect(codes(await h.gql(DELETE, { id: a.id }, token))).toEqual(['FORBIDDEN']);
      expect(codes(await h.gql(SET_DEFAULT, { id: a.id }, token))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await h.gql(UPDATE, { id: randomUUID(), patch: { city: 'X' } }, owner.token))).toEqual(['NOT_FOUND']);
    expect(codes(await h.gql(DELETE, { id: 'not-an-id' }, owner.token))).toEqual(['NOT_FOUND']);
    expect(codes(await h.gql(CREATE, { input: valid() }))).toEqual(['UNAUTHENTICATED']);
    expect((await h.db.deliveryAddress.findUniqueOrThrow({ where: { id: a.id } })).city).toBe('Lyon');
    // An admin can read (support) but not change.
    const read = await h.gql<{ user: { addresses: Address[] } }>(
      'query($id: ID!) { user(id: $id) { addresses { id city } } }',
      { id: owner.id },
      admin,
    );
    expect(read.body.data?.user.addresses).toEqual([{ id: a.id, city: 'Lyon' }]);
  });

  it('loads addresses of many users in one batch', async () => {
    const users = await Promise.all([newUser(), newUser(), newUser()]);
    for (const u of users) await create(u.token, valid(u.id.slice(0, 8)));
    const admin = await h.tokens.mint(randomUUID(), ['ADMIN']);
    const res = await h.gql<{ _entities: { addresses: { city: string }[] }[] }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { addresses { city } } } }',
      { r: users.map((u) => ({ __typename: 'User', id: u.id })) },
      admin,
    );
    expect(res.body.data?._entities.map((e) => e.addresses[0]?.city)).toEqual(users.map((u) => u.id.slice(0, 8)));
  });
});

describe('batching', () => {
  it('resolves users with addresses, default address, preferences and push devices in a constant number of SQL statements', async () => {
    const db = new PrismaClient({
      adapter: pgAdapter(h.database.url, USER_SCHEMA),
      log: [{ emit: 'event', level: 'query' }],
    });
    // The context's pool for prepared statements (no query here uses it).
    const sql = pgPool(h.database.url, { max: 1 });
    let statements = 0;
    db.$on('query', () => {
      statements += 1;
    });
    const logger = createLogger('user', 'silent');
    const viewer: Viewer = {
      userId: randomUUID(),
      roles: ['ADMIN'],
      sessionId: null,
      scopes: [],
      apiKeyId: null,
      tokenId: null,
      issuedAt: Math.floor(Date.now() / 1000),
    };
    const context = (): Context => ({
      viewer,
      db,
      sql,
      loaders: createLoaders(db),
      avatars: createAvatarStore(db, createObjectStore({ ...h.s3.env, S3_REGION: 'us-east-1' }), logger),
      bus: h.events,
      presence: memoryPresence(),
      logger,
    });
    const users = Array.from({ length: 12 }, () => ({ id: randomUUID() }));
    await h.db.profile.createMany({ data: users.map((u) => ({ id: u.id, displayName: 'Batch' })) });
    const address = { recipientName: 'X', line1: 'Y', postalCode: '1000', countryCode: 'BE' };
    await h.db.deliveryAddress.createMany({
      data: users.flatMap((u) => [
        { ...address, userId: u.id, city: 'One', isDefault: true },
        { ...address, userId: u.id, city: 'Two' },
      ]),
    });
    await h.db.notificationPreference.createMany({
      data: users.map((u) => ({ userId: u.id, kind: 'task', email: false, push: false, inApp: false })),
    });
    const query =
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName avatarUrl phone addresses { city } defaultAddress { city } notificationPreferences { kind inApp } pushDevices { platform } } } }';
    const run = async (ids: string[]) => {
      statements = 0;
      const response = await h.service.apollo.executeOperation(
        { query, variables: { r: ids.map((id) => ({ __typename: 'User', id })) } },
        { contextValue: context() },
      );
      expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeFalsy();
      return statements;
    };
    try {
      const one = await run([users[0]!.id]);
      const twelve = await run(users.map((u) => u.id));
      expect(one).toBe(4); // profiles, addresses, preferences, push devices
      expect(twelve).toBe(one);
    } finally {
      await db.$disconnect();
      await sql.end();
    }
  });
});
