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

/** An access token from the auth subgraph's `login` (sent straight to auth with the gateway secret). */
async function loginAs(authEndpoint: string, secret: string, email: string, password: string): Promise<string> {
  const data = await call<{ login: { accessToken: string } }>(
    authEndpoint,
    `mutation BenchLogin($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email, password } },
    { 'x-gateway-secret': secret },
  );
  return data.login.accessToken;
}

/** An access token for a demo account. */
export const login = (authEndpoint: string, secret: string, who: 'customer' | 'farmer'): Promise<string> =>
  loginAs(authEndpoint, secret, demo.users[who].email, demo.password);

/** Runs `task` for 0…n-1, `parallel` at a time (argon2id hashing is the cost: 2 cores). */
async function inTurn<T>(n: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < n; start += parallel)
    out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, n - start) }, (_, k) => task(start + k)))));
  return out;
}

const callerPassword = 'correct horse battery staple';

/**
 * The distinct signed-in callers: `n` customer accounts registered through auth's `register` (auth must run with
 * REGISTER_MUTATION=true and a register limit above n), and `tokens()` for fresh access tokens of all of them (access
 * tokens live 15 minutes at most, so they are signed in again when older than 10).
 */
export async function registerCallers(
  authEndpoint: string,
  secret: string,
  n: number,
): Promise<{ readonly count: number; tokens(): Promise<readonly string[]> }> {
  const run = Date.now().toString(36);
  const emails = await inTurn(n, 4, async (i) => {
    const email = `bench-caller-${run}-${i}@bench.test`;
    await call(
      authEndpoint,
      `mutation BenchRegister($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      { input: { email, password: callerPassword, displayName: `Bench caller ${i}` } },
      { 'x-gateway-secret': secret },
    );
    return email;
  });
  let current: { at: number; tokens: readonly string[] } | null = null;
  return {
    count: n,
    async tokens() {
      if (!current || Date.now() - current.at > 10 * 60_000) {
        const at = Date.now();
        current = {
          at,
          tokens: await inTurn(n, 4, (i) => loginAs(authEndpoint, secret, emails[i] ?? '', callerPassword)),
        };
      }
      return current.tokens;
    },
  };
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
