// Partner OAuth 2.0 clients under the rules of issue 14: a client_credentials token is held to its scopes by every
// subgraph (over HTTP and graphql-ws, through the gateway), is refused everywhere within a second once its client or
// the token itself is revoked, and is rate-limited per client at the gateway as an API key is per key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import {
  GATEWAY_SECRET,
  bearer,
  codeOf,
  post,
  startSuite,
  timeUntil,
  wsOnce,
  type Gql,
  type Suite,
} from './harness.ts';

let suite: Suite;
let partnerSession: Record<string, string>;
beforeAll(async () => {
  suite = await startSuite();
  partnerSession = bearer((await suite.login(demo.users.partner.email)).accessToken);
}, 120_000);
afterAll(async () => {
  await suite?.close();
});

interface Client {
  readonly id: string;
  readonly clientId: string;
  readonly secret: string;
}

async function createClient(scopes: readonly string[]): Promise<Client> {
  const r = await suite.gql<{ createOAuthClient: { clientSecret: string; client: { id: string; clientId: string } } }>(
    'mutation($i: CreateOAuthClientInput!) { createOAuthClient(input: $i) { clientSecret client { id clientId } } }',
    { i: { name: 'security suite', scopes, authMethod: 'CLIENT_SECRET_BASIC' } },
    partnerSession,
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return {
    id: r.data.createOAuthClient.client.id,
    clientId: r.data.createOAuthClient.client.clientId,
    secret: r.data.createOAuthClient.clientSecret,
  };
}

/** A request to one of auth's OAuth endpoints at the gateway's origin, as a partner's backend sends it. */
function oauth(
  path: '/oauth/token' | '/oauth/revoke',
  client: Client,
  params: Record<string, string>,
): Promise<Response> {
  return fetch(`${suite.gatewayUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams(params).toString(),
  });
}

async function token(client: Client): Promise<string> {
  const res = await oauth('/oauth/token', client, { grant_type: 'client_credentials' });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token refused: ${JSON.stringify(body)}`);
  return body.access_token;
}

const CROPS = '{ crops { id name } }';
const FARMS = '{ farms(first: 1) { edges { node { id name } } } }';

/** Straight at a subgraph, as the gateway forwards: the subgraph verifies the token and its scopes again. */
const direct = (name: string, query: string, accessToken: string): Promise<Gql> =>
  post(`${suite.subgraph(name)}/graphql`, { query }, { 'x-gateway-secret': GATEWAY_SECRET, ...bearer(accessToken) });

const errorCode = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }): unknown =>
  result.errors?.[0]?.extensions?.['code'];
/** A graphql-ws operation's code, whether refused before it ran (`error`) or answered with errors (`next`). */
const wsCode = (client: ReturnType<Suite['ws']>, query: string): Promise<unknown> =>
  wsOnce(client, query).then(
    (result) => errorCode(result) ?? null,
    (error: unknown) => (error as { extensions?: Record<string, unknown> }[])[0]?.extensions?.['code'] ?? 'CLOSED',
  );

/** The doors a token opens over HTTP: the gateway, and farm directly. */
async function refusedOverHttp(accessToken: string): Promise<boolean> {
  const [gateway, farm] = await Promise.all([
    suite.gql(CROPS, {}, bearer(accessToken)),
    direct('farm', CROPS, accessToken),
  ]);
  return gateway.status === 401 && codeOf(gateway) === 'UNAUTHENTICATED' && codeOf(farm) === 'UNAUTHENTICATED';
}

/** A new graphql-ws connection with the token gets nothing (connection_init refused, or the operation). */
const refusedOnNewSocket = async (accessToken: string): Promise<boolean> =>
  (await wsCode(suite.ws({ authorization: `Bearer ${accessToken}` }), CROPS)) !== null;

async function worksEverywhere(accessToken: string): Promise<void> {
  const gateway = await suite.gql<{ crops: unknown[] }>(CROPS, {}, bearer(accessToken));
  expect(gateway.errors).toBeUndefined();
  expect(gateway.data?.crops.length).toBeGreaterThan(0);
  expect((await direct('farm', CROPS, accessToken)).errors).toBeUndefined();
}

describe('a client_credentials token carries scopes that every subgraph enforces', () => {
  it('crops:read only: crops are served, farms fields are FORBIDDEN, over HTTP and graphql-ws', async () => {
    const accessToken = await token(await createClient(['crops:read']));
    await worksEverywhere(accessToken);

    const farms = await suite.gql(FARMS, {}, bearer(accessToken));
    expect(farms.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' });
    expect(farms.data?.['farms'] ?? null).toBeNull();
    // Asking for both gets nothing of the farm either.
    const mixed = await suite.gql(`{ crops { id } ${FARMS.slice(1, -1)} }`, {}, bearer(accessToken));
    expect(codeOf(mixed)).toBe('FORBIDDEN');
    expect(JSON.stringify(mixed.data ?? {})).not.toContain('"name"');
    // The subgraph refuses on its own, not only behind the gateway.
    expect(codeOf(await direct('farm', FARMS, accessToken))).toBe('FORBIDDEN');

    const ws = suite.ws({ authorization: `Bearer ${accessToken}` });
    const crops = await wsOnce(ws, CROPS);
    expect(crops.errors).toBeUndefined();
    expect((crops.data as { crops: unknown[] }).crops.length).toBeGreaterThan(0);
    expect(await wsCode(ws, FARMS)).toBe('FORBIDDEN');
    // The refusal ends that operation only: the socket still answers what the scope covers.
    expect((await wsOnce(ws, CROPS)).errors).toBeUndefined();
  });
});

describe('revocation of OAuth clients and tokens reaches every service within a second', () => {
  it('revokeOAuthClient: tokens the client already holds are refused at the gateway, in farm and on new sockets', async () => {
    const client = await createClient(['crops:read']);
    const [first, second] = [await token(client), await token(client)];
    await worksEverywhere(first);
    await worksEverywhere(second);
    const revoked = await suite.gql(
      'mutation($id: ID!) { revokeOAuthClient(id: $id) { revokedAt } }',
      { id: client.id },
      partnerSession,
    );
    expect(revoked.errors).toBeUndefined();
    const ms = await timeUntil(async () => (await refusedOverHttp(first)) && (await refusedOverHttp(second)), 1000);
    expect(ms).toBeLessThan(1000);
    expect(await refusedOnNewSocket(first)).toBe(true);
    // …and it gets no new ones.
    expect((await oauth('/oauth/token', client, { grant_type: 'client_credentials' })).status).toBe(401);
  });

  it('a token revoked at /oauth/revoke is refused everywhere, while the same client’s other tokens keep working', async () => {
    const client = await createClient(['crops:read']);
    const [revokedToken, otherToken] = [await token(client), await token(client)];
    await worksEverywhere(revokedToken);
    // A socket opened before the revocation: the gateway checks its token again for every operation.
    const open = suite.ws({ authorization: `Bearer ${revokedToken}` });
    expect((await wsOnce(open, CROPS)).errors).toBeUndefined();
    expect((await oauth('/oauth/revoke', client, { token: revokedToken })).status).toBe(200);
    const ms = await timeUntil(() => refusedOverHttp(revokedToken), 1000);
    expect(ms).toBeLessThan(1000);
    expect(await refusedOnNewSocket(revokedToken)).toBe(true);
    expect(await wsCode(open, CROPS)).toBe('UNAUTHENTICATED');
    await worksEverywhere(otherToken);
    expect((await wsOnce(suite.ws({ authorization: `Bearer ${otherToken}` }), CROPS)).errors).toBeUndefined();
  });
});

describe('per-client rate limit at the gateway', () => {
  it('counts each OAuth client’s requests on its own, as each API key’s, and answers 429 past the limit', async () => {
    const limited = await suite.gateway({ API_KEY_RATE_LIMIT_PER_MINUTE: '3' });
    const busy = await token(await createClient(['crops:read']));
    const calm = await token(await createClient(['crops:read']));
    const at = (accessToken: string) => post(`${limited.url}/graphql`, { query: CROPS }, bearer(accessToken));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await at(busy)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await at(busy);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    // Another client of the same partner has its own budget; a partner's signed-in session is not a client.
    expect((await at(calm)).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await post(`${limited.url}/graphql`, { query: '{ me { id } }' }, partnerSession)).status).toBe(200);
    // A forged token spends nobody's budget: it is refused before it is counted.
    expect((await at(`${calm.slice(0, -6)}AAAAAA`)).status).toBe(401);
    expect((await at(calm)).status).toBe(200);
  });
});
