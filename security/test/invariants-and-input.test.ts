// Finding 6: invariants only the database can keep, under concurrency. Finding 7: bad input is BAD_USER_INPUT (or a
// coded 400), never an internal error.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { bearer, codeOf, post, startSuite, type Suite } from './harness.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

async function newCustomer(): Promise<string> {
  const email = `inv.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test`;
  const r = await suite.gql<{ register: { accessToken: string } }>(
    'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
    { i: { email, password: 'correct horse battery staple', displayName: 'Inv' } },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.register.accessToken;
}

const year = new Date().getUTCFullYear() + 1;

describe('invariants kept by Postgres under concurrency', () => {
  it('ten concurrent adoptAnimal calls leave exactly one live adoption', async () => {
    const token = await newCustomer();
    const farms = await suite.gql<{ farms: { edges: { node: { animals: { edges: { node: { id: string } }[] } } }[] } }>(
      '{ farms(first: 10) { edges { node { animals { edges { node { id } } } } } } }',
    );
    const animalId = farms.data?.farms.edges.flatMap((f) => f.node.animals.edges.map((a) => a.node.id))[0] as string;
    expect(animalId).toBeTruthy();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        suite.gql(
          `mutation { adoptAnimal(animalId: "${animalId}", startsOn: "${year}-01-01", endsOn: "${year}-06-01") { id status } }`,
          {},
          bearer(token),
        ),
      ),
    );
    expect(results.filter((r) => r.data !== null && r.errors === undefined)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(codeOf(r)).toBe('CONFLICT');
    const mine = await suite.gql<{ myAdoptions: { edges: { node: { status: string } }[] } }>(
      '{ myAdoptions { edges { node { status } } } }',
      {},
      bearer(token),
    );
    expect(mine.data?.myAdoptions.edges.filter((e) => e.node.status === 'ACTIVE')).toHaveLength(1);
  });

  it('concurrent createApiKey calls never exceed a partner’s 20 active keys', async () => {
    const { accessToken } = await suite.login(demo.users.partner.email);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        suite.gql(
          `mutation { createApiKey(input: { name: "burst-${i}", scopes: ["crops:read"] }) { apiKey { id } } }`,
          {},
          bearer(accessToken),
        ),
      ),
    );
    for (const r of results.filter((x) => x.errors)) expect(codeOf(r)).toBe('CONFLICT');
    const keys = await suite.gql<{ myApiKeys: { revokedAt: string | null }[] }>(
      '{ myApiKeys { revokedAt } }',
      {},
      bearer(accessToken),
    );
    expect(keys.data?.myApiKeys.filter((k) => k.revokedAt === null).length).toBe(20);
  });
});

describe('bad input is the caller’s error', () => {
  const invalidDates = [
    '2026-02-30',
    '2026-13-01',
    '2026-1-1',
    '0000-01-01',
    '+275760-09-13',
    '99999-01-01',
    '',
    'tomorrow',
    '2026-01-01T00:00:00Z',
    '1899-12-31',
    '3000-01-01',
  ];
  const invalidInstants = [
    '2026-02-30T10:00:00Z',
    '2026-01-01T25:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    'now',
    '1e21',
    '2026-06-01T10:00:60Z',
    'x'.repeat(5000),
  ];

  it('refuses every invalid Date with BAD_USER_INPUT, as a variable and as a literal', async () => {
    const token = await newCustomer();
    for (const d of invalidDates) {
      const asVariable = await suite.gql(
        'mutation($s: Date!) { requestRental(plotId: "20000000-0000-4000-8000-000000000003", startsOn: $s, endsOn: "2030-01-01") { id } }',
        { s: d },
        bearer(token),
      );
      expect(codeOf(asVariable), `variable ${d}`).toBe('BAD_USER_INPUT');
      expect(asVariable.status, d).toBe(400);
      const literal = await suite.gql(
        `mutation { requestRental(plotId: "20000000-0000-4000-8000-000000000003", startsOn: ${JSON.stringify(d)}, endsOn: "2030-01-01") { id } }`,
        {},
        bearer(token),
      );
      expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'], `literal ${d}`).toContain(codeOf(literal));
    }
    // Numbers are no dates either.
    expect(
      codeOf(
        await suite.gql(
          'mutation($s: Date!) { requestRental(plotId: "x", startsOn: $s, endsOn: "2030-01-01") { id } }',
          { s: 20260101 },
          bearer(token),
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('refuses every invalid DateTime with BAD_USER_INPUT', async () => {
    const { accessToken } = await suite.login(demo.users.farmer.email);
    for (const t of invalidInstants) {
      const r = await suite.gql(
        'mutation($t: DateTime) { updateDeliveryStatus(id: "52000000-0000-4000-8000-000000000001", status: SCHEDULED, scheduledFor: $t) { id } }',
        { t },
        bearer(accessToken),
      );
      expect(codeOf(r), t.slice(0, 40)).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses lone UTF-16 surrogates in names and titles with BAD_USER_INPUT, through the gateway and straight at the subgraph', async () => {
    const token = await newCustomer();
    for (const name of ['\ud800', 'abc\udfff', 'x\ud83d', '\udc00\ud800']) {
      const viaVariable = await suite.gql(
        'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }',
        { i: { displayName: name } },
        bearer(token),
      );
      expect(codeOf(viaVariable)).toBe('BAD_USER_INPUT');
      expect(viaVariable.status).toBe(400);
    }
    const farmer = await suite.login(demo.users.farmer.email);
    const task = await suite.gql(
      'mutation($i: TaskInput!) { createTask(input: $i) { id } }',
      { i: { plotId: demo.plots.greenA1, kind: 'WATER', title: 'Water \ud800', dueOn: `${year}-05-01` } },
      bearer(farmer.accessToken),
    );
    expect(codeOf(task)).toBe('BAD_USER_INPUT');
    // As a literal the parser itself refuses it (escaped or raw): a coded 400 as well.
    for (const query of [
      'mutation { updateProfile(input: { displayName: "bad \\ud800 name" }) { displayName } }',
      'mutation { updateProfile(input: { displayName: "bad \ud800 name" }) { displayName } }',
    ]) {
      const literal = await post(`${suite.gatewayUrl}/graphql`, { query }, bearer(token));
      expect(literal.status).toBe(400);
      expect(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED']).toContain(codeOf(literal));
    }
    // Well-formed astral characters are fine.
    expect(
      (
        await suite.gql(
          'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }',
          { i: { displayName: 'Zoé 🥕' } },
          bearer(token),
        )
      ).data,
    ).toEqual({ updateProfile: { displayName: 'Zoé 🥕' } });
  });

  it('stores only https URLs or media keys as photos: javascript:, data:, http: and tricks are refused', async () => {
    const { accessToken } = await suite.login(demo.users.farmer.email);
    const bad = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'http://example.com/a.jpg',
      'https://user:pass@example.com/a.jpg',
      '//evil.example/a.jpg',
      '../../etc/passwd',
      'https://',
      'vbscript:msgbox',
    ];
    for (const photo of bad) {
      const r = await suite.gql(
        `mutation($p: [String!]) { updateFarm(id: "${demo.farms.greenAcres}", input: { photos: $p }) { photos } }`,
        { p: [photo] },
        bearer(accessToken),
      );
      expect(codeOf(r), photo).toBe('BAD_USER_INPUT');
    }
    const good = await suite.gql(
      `mutation($p: [String!]) { updateFarm(id: "${demo.farms.greenAcres}", input: { photos: $p }) { photos } }`,
      { p: ['https://cdn.example.com/farm/1.jpg', 'farms/green-acres/2.jpg'] },
      bearer(accessToken),
    );
    expect(good.data).toEqual({
      updateFarm: { photos: ['https://cdn.example.com/farm/1.jpg', 'farms/green-acres/2.jpg'] },
    });
  });

  it('answers an APQ hash that does not match the text with 400 PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const query = '{ crops { id } }';
    const wrong = createHash('sha256').update('{ crops { name } }').digest('hex');
    const r = await post(`${suite.gatewayUrl}/graphql`, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: wrong } },
    });
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });
});
