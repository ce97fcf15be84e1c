import { demo } from '@vegshare/demo';

export interface GraphQLReply {
  readonly status: number;
  readonly text: string;
  readonly json: {
    data?: unknown;
    errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  } | null;
}

/** One GraphQL POST, the body already serialised. */
export async function postGraphQL(
  endpoint: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<GraphQLReply> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: GraphQLReply['json'] = null;
  try {
    json = JSON.parse(text) as GraphQLReply['json'];
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

async function call<T>(
  endpoint: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<T> {
  const reply = await postGraphQL(endpoint, JSON.stringify({ query, variables }), headers);
  if (reply.json?.errors?.length || !reply.json?.data)
    throw new Error(`${endpoint}: ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply.json.data as T;
}

/** An access token for a demo account, from the auth subgraph's `login` (sent straight to auth with the gateway secret). */
export async function login(authEndpoint: string, secret: string, who: 'customer' | 'farmer'): Promise<string> {
  const data = await call<{ login: { accessToken: string } }>(
    authEndpoint,
    `mutation BenchLogin($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email: demo.users[who].email, password: demo.password } },
    { 'x-gateway-secret': secret },
  );
  return data.login.accessToken;
}

/**
 * The large-list data: `farms` extra farms of the demo farmer with `plotsPerFarm` plots each, created through the
 * farm subgraph's own mutations (validation included). Names start with "Z" so the demo farms (which have cameras
 * and other owners' data) stay first in `farms` ordered by name.
 */
export async function seedBulkFarms(
  farmEndpoint: string,
  secret: string,
  farmerToken: string,
  farms: number,
  plotsPerFarm: number,
): Promise<void> {
  const headers = { 'x-gateway-secret': secret, authorization: `Bearer ${farmerToken}` };
  const createFarm = `mutation BenchCreateFarm($input: FarmInput!) { createFarm(input: $input) { id } }`;
  const createPlot = `mutation BenchCreatePlot($farmId: ID!, $input: PlotInput!) { createPlot(farmId: $farmId, input: $input) { id } }`;
  const one = async (i: number) => {
    const n = String(i + 1).padStart(3, '0');
    const { createFarm: farm } = await call<{ createFarm: { id: string } }>(
      farmEndpoint,
      createFarm,
      {
        input: {
          name: `Zone ${n} bench farm`,
          description: `Bench farm ${n}: raised beds, drip irrigation and a polytunnel for early salads.`,
          locality: 'Benchville, France',
          latitude: 45 + i / 100,
          longitude: 2 + i / 100,
        },
      },
      headers,
    );
    for (let p = 0; p < plotsPerFarm; p += 1) {
      await call(
        farmEndpoint,
        createPlot,
        {
          farmId: farm.id,
          input: { code: `Z-${p + 1}`, areaM2: 20 + p * 5, pricePerSeasonCents: 15000 + p * 1000, soil: 'loam' },
        },
        headers,
      );
    }
  };
  const parallel = 8;
  for (let start = 0; start < farms; start += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, farms - start) }, (_, k) => one(start + k)));
  }
}
