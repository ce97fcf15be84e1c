// The whole supergraph in one process (every subgraph of rover.yaml, seeded) behind the real gateway, driven over
// HTTP and graphql-ws like the app and partners do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack } from '@vegshare/tools/testing/e2e-stack';
import { waitFor } from '@vegshare/tools/testing/wait';
import { loadGatewayConfig, startGateway } from '../src/index.ts';
import { loadPersistedOperations } from '../src/persisted/manifest.ts';

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

describe('the supergraph end to end', () => {
  it('resolves one query across farm, user, auth and streaming through entity references', async () => {
    const { data, errors } = await gql(`{
      farms(first: 5) { edges { node { name owner { id displayName email } plots { code cameras { name } } } } }
    }`);
    expect(errors).toBeUndefined();
    const green = data?.['farms'].edges
      .map((e: { node: unknown }) => e.node)
      .find((f: { name: string }) => f.name === 'Green Acres');
    expect(green.owner).toEqual({ id: demo.users.farmer.id, displayName: demo.users.farmer.displayName, email: null });
    const a1 = green.plots.find((p: { code: string }) => p.code === 'A-1');
    expect(a1.cameras.length).toBeGreaterThan(0);
  });

  it('signs in through auth and shows private fields to their owner only', async () => {
    const token = await login(demo.users.farmer.email);
    const me = await gql('{ me { id email roles displayName } }', {}, { authorization: `Bearer ${token}` });
    expect(me.data?.['me']).toEqual({
      id: demo.users.farmer.id,
      email: demo.users.farmer.email,
      roles: ['FARMER'],
      displayName: demo.users.farmer.displayName,
    });
  });

  it('lets a partner call the API with an API key exchanged at the gateway, and refuses unknown keys', async () => {
    const token = await login(demo.users.partner.email);
    const created = await gql(
      'mutation { createApiKey(input: { name: "e2e", scopes: ["crops:read", "farms:read"] }) { secret } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(created.errors).toBeUndefined();
    const secret = created.data?.['createApiKey'].secret as string;
    const me = await gql('{ me { id roles } crops { name } }', {}, { 'x-api-key': secret });
    expect(me.errors).toBeUndefined();
    expect(me.data?.['me']).toEqual({ id: demo.users.partner.id, roles: ['PARTNER'] });
    const bad = await gql('{ crops { name } }', {}, { 'x-api-key': 'vsk_not_a_real_key_0000000000' });
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('with SAFELIST_MODE=api-keys, limits API-key callers to the partner manifest and leaves token callers free', async () => {
    const token = await login(demo.users.partner.email);
    const created = await gql(
      'mutation { createApiKey(input: { name: "safelist", scopes: ["crops:read", "farms:read"] }) { secret } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    const apiKey = { 'x-api-key': created.data?.['createApiKey'].secret as string };
    const auth = e2e.stack.subgraphs.get('auth');
    const gateway = await startGateway(
      loadGatewayConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        GATEWAY_SECRET: 'e2e-gateway-secret-0123456789',
        SAFELIST_MODE: 'api-keys',
        SUBGRAPH_URLS: [...e2e.stack.subgraphs].map(([name, s]) => `${name}=${s.url}/graphql`).join(','),
        AUTH_JWKS_URL: `${auth?.url ?? ''}/.well-known/jwks.json`,
        AUTH_INTERNAL_URL: auth?.url ?? '',
      }),
    );
    try {
      const post = async (body: unknown, headers: Record<string, string>) => {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return {
          status: res.status,
          body: (await res.json()) as {
            data?: Record<string, any>;
            errors?: { extensions?: Record<string, unknown> }[];
          },
        };
      };
      const crops = loadPersistedOperations(loadGatewayConfig({}).PERSISTED_OPERATIONS_PATH).operations.find(
        (op) => op.name === 'CropCatalogue',
      );
      const byId = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: crops?.id } } }, apiKey);
      expect(byId.status).toBe(200);
      expect(byId.body.data?.['crops'].length).toBeGreaterThan(0);
      expect((await post({ query: crops?.body }, apiKey)).status).toBe(200);
      const adHoc = await post({ query: '{ me { id roles } crops { name } }' }, apiKey);
      expect(adHoc.status).toBe(400);
      expect(adHoc.body.errors?.[0]?.extensions?.['code']).toBe('QUERY_NOT_IN_SAFELIST');
      const unknownId = await post(
        { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
        apiKey,
      );
      expect(unknownId.status).toBe(400);
      expect(unknownId.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      // The app's callers (bearer tokens) still send ad-hoc operations.
      const withToken = await post({ query: '{ me { id roles } }' }, { authorization: `Bearer ${token}` });
      expect(withToken.body).toEqual({ data: { me: { id: demo.users.partner.id, roles: ['PARTNER'] } } });
    } finally {
      await gateway.stop(500);
    }
  });

  it('refuses a deeply nested operation with OPERATION_LIMIT_EXCEEDED', async () => {
    const levels = 8;
    const deep = `{ plot(id: "x") { ${'farm { plots { '.repeat(levels)}code${' } }'.repeat(levels)} } }`;
    const result = await gql(deep);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'MAX_DEPTH' });
  });

  it('notifies the farmer of a rental request and the customer of its confirmation, in app, through the user service', async () => {
    const customer = { authorization: `Bearer ${await login(demo.users.customer.email)}` };
    const farmer = { authorization: `Bearer ${await login(demo.users.farmer.email)}` };
    const titles = async (headers: Record<string, string>) =>
      (
        (await gql('{ notifications(first: 50) { edges { node { kind title link } } } }', {}, headers)).data?.[
          'notifications'
        ].edges as { node: { kind: string; title: string; link: string } }[]
      ).map((e) => e.node);
    const year = new Date().getUTCFullYear() + 2;
    const requested = await gql(
      `mutation { requestRental(plotId: "${demo.plots.greenB1}", startsOn: "${year}-04-01", endsOn: "${year}-10-01") { id } }`,
      {},
      customer,
    );
    expect(requested.errors).toBeUndefined();
    const rentalId = requested.data?.['requestRental'].id as string;
    const forFarmer = await waitFor(
      () => titles(farmer),
      (list) => list.some((n) => n.link === `/rentals/${rentalId}`),
      10_000,
    );
    expect(forFarmer.find((n) => n.link === `/rentals/${rentalId}`)).toEqual({
      kind: 'rental',
      title: 'New rental request: plot B-1',
      link: `/rentals/${rentalId}`,
    });

    expect(
      (await gql(`mutation { activateRental(id: "${rentalId}") { status } }`, {}, farmer)).data?.['activateRental'],
    ).toEqual({ status: 'ACTIVE' });
    const forCustomer = await waitFor(
      () => titles(customer),
      (list) => list.some((n) => n.link === `/rentals/${rentalId}`),
      10_000,
    );
    expect(forCustomer.filter((n) => n.link === `/rentals/${rentalId}`)).toEqual([
      { kind: 'rental', title: 'Rental confirmed: plot B-1', link: `/rentals/${rentalId}` },
    ]);
  });

  it('streams a stream status change over graphql-ws with fields from farm resolved per event', async () => {
    const token = await login(demo.users.farmer.email);
    const camera = await gql(
      `{ camera(id: "${demo.cameras.greenA1}") { stream { id } } }`,
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(camera.errors).toBeUndefined();
    let streamId = camera.data?.['camera'].stream?.id as string | undefined;
    if (!streamId) {
      const started = await gql(
        `mutation { startStream(cameraId: "${demo.cameras.greenA1}") { id } }`,
        {},
        { authorization: `Bearer ${token}` },
      );
      streamId = started.data?.['startStream'].id as string;
      await gql(
        `mutation { stopStream(cameraId: "${demo.cameras.greenA1}") { id } }`,
        {},
        { authorization: `Bearer ${token}` },
      );
    }
    const client = createClient({
      url: `${e2e.stack.gatewayUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const events: any[] = [];
    const dispose = client.subscribe(
      {
        query:
          'subscription($s: ID!) { streamStatusChanged(streamId: $s) { status camera { name plot { code farm { name } } } } }',
        variables: { s: streamId },
      },
      { next: (r) => events.push(r), error: (e) => events.push({ error: e }), complete: () => undefined },
    );
    const deadline = Date.now() + 20_000;
    // The upstream subscription is set up asynchronously: toggle the stream until an event arrives.
    while (events.length === 0 && Date.now() < deadline) {
      await gql(
        `mutation { startStream(cameraId: "${demo.cameras.greenA1}") { status } }`,
        {},
        { authorization: `Bearer ${token}` },
      );
      await new Promise((r) => setTimeout(r, 300));
      if (events.length === 0)
        await gql(
          `mutation { stopStream(cameraId: "${demo.cameras.greenA1}") { status } }`,
          {},
          { authorization: `Bearer ${token}` },
        );
      await new Promise((r) => setTimeout(r, 300));
    }
    dispose();
    await client.dispose();
    expect(events[0]?.errors).toBeUndefined();
    expect(events[0]?.data?.streamStatusChanged.camera).toEqual({
      name: expect.any(String),
      plot: { code: 'A-1', farm: { name: 'Green Acres' } },
    });
  });
});
