// Finding 5: partners get what their key's scopes say (declared in the subgraph schemas, enforced in the subgraphs,
// over HTTP and graphql-ws), and farmers only ever manage their own farms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import {
  GATEWAY_SECRET,
  bearer,
  codeOf,
  post,
  record,
  startSuite,
  timeUntil,
  type Recorded,
  type Suite,
} from './harness.ts';

let suite: Suite;
let partnerToken: string;
beforeAll(async () => {
  suite = await startSuite();
  partnerToken = (await suite.login(demo.users.partner.email)).accessToken;
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

async function apiKey(scopes: string[]): Promise<Record<string, string>> {
  const r = await suite.gql<{ createApiKey: { secret: string } }>(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
    { i: { name: scopes.join(','), scopes } },
    bearer(partnerToken),
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return { 'x-api-key': r.data.createApiKey.secret };
}

const forbidden = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }) =>
  r.errors?.some((e) => e.extensions?.['code'] === 'FORBIDDEN') ?? false;

describe('API-key scopes', () => {
  it('a crops:read key reads crops, and nothing of farms, plots or streams', async () => {
    const key = await apiKey(['crops:read']);
    expect((await suite.gql('{ crops { id name } }', {}, key)).errors).toBeUndefined();
    for (const query of [
      '{ farms(first: 1) { edges { node { name } } } }',
      `{ farm(id: "${demo.farms.greenAcres}") { __typename } }`,
      `{ plot(id: "${demo.plots.greenA1}") { code } }`,
      `{ camera(id: "${demo.cameras.greenOverview}") { name } }`,
      `{ availablePlots(first: 1) { edges { node { code } } } }`,
      `{ animal(id: "x") { name } }`,
    ]) {
      const r = await suite.gql(query, {}, key);
      expect(forbidden(r), query).toBe(true);
      expect(r.errors?.find((e) => e.extensions?.['code'] === 'FORBIDDEN')?.extensions?.['reason']).toBe(
        'INSUFFICIENT_SCOPE',
      );
    }
  });

  it('a farms:read key cannot reach plots or cameras through a farm', async () => {
    const key = await apiKey(['farms:read']);
    expect(
      (await suite.gql('{ farms(first: 2) { edges { node { name owner { displayName } } } } }', {}, key)).errors,
    ).toBeUndefined();
    expect(forbidden(await suite.gql(`{ farm(id: "${demo.farms.greenAcres}") { plots { code } } }`, {}, key))).toBe(
      true,
    );
    expect(forbidden(await suite.gql(`{ farm(id: "${demo.farms.greenAcres}") { cameras { name } } }`, {}, key))).toBe(
      true,
    );
    // With the scopes it needs, the partner manifest's PlotDetails works.
    const full = await apiKey(['farms:read', 'plots:read', 'streams:read']);
    const plot = await suite.gql(
      `{ plot(id: "${demo.plots.greenA1}") { code farm { name } cameras { name public } } }`,
      {},
      full,
    );
    expect(plot.errors).toBeUndefined();
  });

  it('mutations are closed to API keys unless they declare a scope the key holds', async () => {
    const key = await apiKey(['farms:read', 'plots:read', 'crops:read', 'streams:read']);
    expect(
      forbidden(
        await suite.gql('mutation { updateProfile(input: { displayName: "Pwned" }) { displayName } }', {}, key),
      ),
    ).toBe(true);
    expect(
      forbidden(
        await suite.gql(
          `mutation { requestRental(plotId: "${demo.plots.greenB1}", startsOn: "2030-04-01", endsOn: "2030-09-01") { id } }`,
          {},
          key,
        ),
      ),
    ).toBe(true);
    expect(forbidden(await suite.gql(`mutation { heartbeat(streamId: "x") }`, {}, key))).toBe(true);
  });

  it('the subgraph enforces scopes itself: the exchanged token straight at farm and streaming', async () => {
    const key = await apiKey(['crops:read']);
    const exchanged = await fetch(`${suite.subgraph('auth')}/internal/api-key-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-secret': GATEWAY_SECRET },
      body: JSON.stringify({ apiKey: key['x-api-key'] }),
    });
    const { accessToken } = (await exchanged.json()) as { accessToken: string };
    const direct = (name: string, query: string) =>
      post(
        `${suite.subgraph(name)}/graphql`,
        { query },
        { 'x-gateway-secret': GATEWAY_SECRET, ...bearer(accessToken) },
      );
    expect((await direct('farm', '{ crops { id } }')).errors).toBeUndefined();
    expect(
      forbidden(
        await post(
          `${suite.subgraph('farm')}/graphql`,
          {
            query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Farm { name } } }',
            variables: { r: [{ __typename: 'Farm', id: demo.farms.greenAcres }] },
          },
          { 'x-gateway-secret': GATEWAY_SECRET, ...bearer(accessToken) },
        ),
      ),
    ).toBe(true);
    expect(forbidden(await direct('streaming', `{ camera(id: "${demo.cameras.greenOverview}") { name } }`))).toBe(true);
  });

  it('applies over graphql-ws: a subscription outside the key’s scopes is refused', async () => {
    const key = await apiKey(['crops:read']);
    const client = suite.ws({ 'x-api-key': key['x-api-key'] });
    const sub = record(
      client,
      `subscription { streamStatusChanged(streamId: "${demo.cameras.greenOverview}") { status } }`,
    );
    await timeUntil(async () => sub.ended !== null || sub.results.length > 0, 5000);
    const codes = [
      ...sub.results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.['code']),
      ...((sub.error as { extensions?: Record<string, unknown> }[] | null) ?? []).map((e) => e.extensions?.['code']),
    ];
    expect(codes).toContain('FORBIDDEN');
  });
});

describe('farmers are confined to their own farms', () => {
  it('another farm’s plots, rentals, tasks, cameras and streams are out of reach', async () => {
    const orchard = await suite.login(demo.users.farmer2.email);
    const as = bearer(orchard.accessToken);
    const attempts = [
      `mutation { updateFarm(id: "${demo.farms.greenAcres}", input: { name: "Mine now" }) { id } }`,
      `mutation { createPlot(farmId: "${demo.farms.greenAcres}", input: { code: "Z-9", areaM2: 10, pricePerSeasonCents: 100 }) { id } }`,
      `mutation { cancelRental(id: "40000000-0000-4000-8000-000000000001") { status } }`,
      `mutation { createTask(input: { plotId: "${demo.plots.greenA1}", kind: WATER, title: "x", dueOn: "2030-01-01" }) { id } }`,
      `mutation { registerCamera(input: { farmId: "${demo.farms.greenAcres}", name: "spy", sourceUrl: "rtsp://127.0.0.1/x" }) { id } }`,
      `mutation { startStream(cameraId: "${demo.cameras.greenA1}") { status } }`,
      `mutation { stopStream(cameraId: "${demo.cameras.greenA1}") { status } }`,
    ];
    for (const query of attempts) expect(codeOf(await suite.gql(query, {}, as)), query).toBe('FORBIDDEN');
    const reads = await suite.gql<{ farm: { rentals: unknown } | null; camera: { sourceUrl: string | null } | null }>(
      `{ farm(id: "${demo.farms.greenAcres}") { rentals { edges { node { id } } } } camera(id: "${demo.cameras.greenA1}") { sourceUrl } }`,
      {},
      as,
    );
    expect(reads.errors?.some((e) => e.extensions?.['code'] === 'FORBIDDEN')).toBe(true);
    expect(reads.data?.camera?.sourceUrl ?? null).toBeNull();
  });
});

describe('clients whose rights differ never share a subscription result (gateway fan-out)', () => {
  const STATUS = 'subscription($s: ID!) { streamStatusChanged(streamId: $s) { status camera { name farm { name } } } }';
  const WITH_SOURCE = 'subscription($s: ID!) { streamStatusChanged(streamId: $s) { status camera { sourceUrl } } }';

  async function streamOf(camera: string, token: string): Promise<string> {
    const r = await suite.gql<{ camera: { stream: { id: string } } }>(
      `{ camera(id: "${camera}") { stream { id } } }`,
      {},
      bearer(token),
    );
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data.camera.stream.id;
  }

  /** The farmer starts and stops the camera's stream until `done()` holds: each change is an event. */
  async function toggleUntil(camera: string, farmerToken: string, done: () => boolean): Promise<void> {
    let live = false;
    await timeUntil(
      async () => {
        if (done()) return true;
        live = !live;
        await suite.gql(
          `mutation { ${live ? 'startStream' : 'stopStream'}(cameraId: "${camera}") { status } }`,
          {},
          bearer(farmerToken),
        );
        return false;
      },
      15_000,
      400,
    );
    await suite.gql(`mutation { stopStream(cameraId: "${camera}") { status } }`, {}, bearer(farmerToken));
  }

  const codeOfSub = (sub: Recorded): unknown =>
    sub.results.at(-1)?.errors?.[0]?.extensions?.['code'] ??
    (sub.error as { extensions?: Record<string, unknown> }[] | null)?.[0]?.extensions?.['code'];

  it('a renter and a stranger on the same private camera: the renter receives its events, the stranger and an anonymous caller are refused', async () => {
    const [renter, farmer] = await Promise.all([
      suite.login(demo.users.customer.email),
      suite.login(demo.users.farmer.email),
    ]);
    const email = `stranger.${Date.now()}@example.test`;
    const registered = await suite.gql<{ register: { accessToken: string } }>(
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
      {
        i: { email, password: 'correct horse battery staple', displayName: 'Stranger' },
      },
    );
    const stranger = registered.data?.register.accessToken ?? '';
    const s = await streamOf(demo.cameras.greenA1, renter.accessToken);
    const strangers = record(suite.ws({ authorization: `Bearer ${stranger}` }), STATUS, { s });
    const anonymous = record(suite.ws({}), STATUS, { s });
    const renters = record(suite.ws({ authorization: `Bearer ${renter.accessToken}` }), STATUS, { s });
    await toggleUntil(
      demo.cameras.greenA1,
      farmer.accessToken,
      () => renters.results.some((r) => r.data) && strangers.ended !== null && anonymous.ended !== null,
    );
    expect(renters.ended).toBeNull();
    expect(renters.results.every((r) => r.errors === undefined)).toBe(true);
    expect(strangers.results.some((r) => r.data)).toBe(false);
    expect(anonymous.results.some((r) => r.data)).toBe(false);
    expect(codeOfSub(strangers)).toBe('FORBIDDEN');
    expect(codeOfSub(anonymous)).toBe('UNAUTHENTICATED');
    renters.dispose();
  });

  it('a farmer-only field splits the result on a public camera: the farmer sees the source URL, a customer and an anonymous caller never do', async () => {
    const [customer, farmer] = await Promise.all([
      suite.login(demo.users.customer.email),
      suite.login(demo.users.farmer.email),
    ]);
    const s = await streamOf(demo.cameras.greenOverview, customer.accessToken);
    const subs = [farmer.accessToken, customer.accessToken, null].map((token) =>
      record(suite.ws(token ? { authorization: `Bearer ${token}` } : {}), WITH_SOURCE, { s }),
    );
    await toggleUntil(demo.cameras.greenOverview, farmer.accessToken, () =>
      subs.every((sub) => sub.results.some((r) => r.data)),
    );
    const [farmers, customers, anonymous] = subs as [
      ReturnType<typeof record>,
      ReturnType<typeof record>,
      ReturnType<typeof record>,
    ];
    const sources = (sub: ReturnType<typeof record>) =>
      sub.results.flatMap((r) =>
        r.data
          ? [
              (r.data as { streamStatusChanged: { camera: { sourceUrl: string | null } } }).streamStatusChanged.camera
                .sourceUrl,
            ]
          : [],
      );
    expect(sources(farmers).every((url) => typeof url === 'string' && url.length > 0)).toBe(true);
    expect(sources(customers).every((url) => url === null)).toBe(true);
    expect(sources(anonymous).every((url) => url === null)).toBe(true);
    for (const sub of subs) sub.dispose();
  });
});
