// One setup for the end-to-end tests that drive the whole supergraph through the gateway: a fresh database, local S3
// and every service of rover.yaml (seeded) in this process, and a client for the gateway's /graphql.
import { demo } from '@vegshare/demo';
import { startStack, type RunningStack, type StackOptions } from '../stack.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startLocalS3, type LocalS3 } from './s3.ts';

export interface E2eStack {
  readonly stack: RunningStack;
  readonly database: TestDatabase;
  readonly s3: LocalS3;
  /** Stops the services, then local S3, then drops the database. */
  stop(): Promise<void>;
}

/**
 * Starts the seeded supergraph on a fresh database and local S3 (`options.env` comes on top of S3's). If a part fails
 * to start, the parts already started are stopped before the error goes on.
 */
export async function startE2eStack(options: Omit<StackOptions, 'databaseUrl' | 'seed'> = {}): Promise<E2eStack> {
  const database = await createTestDatabase();
  let s3: LocalS3 | null = null;
  try {
    s3 = await startLocalS3();
    const stack = await startStack({
      ...options,
      databaseUrl: database.url,
      seed: true,
      env: { ...s3.env, ...options.env },
    });
    const started = s3;
    return {
      stack,
      database,
      s3: started,
      async stop() {
        await stack.stop();
        await started.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await s3?.stop();
    await database.drop();
    throw error;
  }
}

export interface GraphQLErrorBody {
  readonly message: string;
  readonly extensions?: Record<string, unknown>;
}

/** A /graphql response: its HTTP status, `data` (null when absent) and `errors` (undefined when absent). */
export interface GraphQLResult<TData> {
  readonly status: number;
  readonly data: TData | null;
  readonly errors: GraphQLErrorBody[] | undefined;
}

/** A bearer token, or the headers to send. */
export type Caller = string | Readonly<Record<string, string>>;

export interface GatewayClient<TData> {
  /** POSTs an operation to the gateway's /graphql; `T` narrows what one call's `data` is read as. */
  gql<T = TData>(query: string, variables?: Record<string, unknown>, caller?: Caller): Promise<GraphQLResult<T>>;
  /** Signs a seeded user in with the demo password; throws on errors. Returns the access token. */
  login(email: string): Promise<string>;
}

const headersOf = (caller: Caller | undefined): Readonly<Record<string, string>> =>
  typeof caller === 'string' ? { authorization: `Bearer ${caller}` } : (caller ?? {});

async function post<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  caller?: Caller,
): Promise<GraphQLResult<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headersOf(caller) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T | null; errors?: GraphQLErrorBody[] };
  return { status: res.status, data: body.data ?? null, errors: body.errors };
}

/**
 * A client of the gateway at `url()` (read at each call, so it can be made before the stack starts). `TData` is the
 * type the test reads `data` as.
 */
export function gatewayClient<TData = Record<string, unknown>>(url: () => string): GatewayClient<TData> {
  return {
    gql: <T = TData>(query: string, variables: Record<string, unknown> = {}, caller?: Caller) =>
      post<T>(url(), query, variables, caller),
    async login(email) {
      const result = await post<{ login: { accessToken: string } }>(
        url(),
        'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
        { i: { email, password: demo.password } },
      );
      if (result.errors || !result.data) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
      return result.data.login.accessToken;
    },
  };
}
