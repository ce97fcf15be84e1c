// The attacker's toolbox: the whole supergraph (seeded, with a gateway secret) and clients that talk to it through the
// gateway, straight at a subgraph, over HTTP and graphql-ws.
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger, type EventBus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { loadGatewayConfig, startGateway } from '@vegshare/gateway';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { startStack, type RunningStack } from '@vegshare/tools/stack';

export const GATEWAY_SECRET = 'security-suite-gateway-secret-0123';

export interface GqlError {
  readonly message: string;
  readonly extensions?: Record<string, unknown>;
}
export interface Gql<T = Record<string, any>> {
  readonly status: number;
  readonly data: T | null;
  readonly errors: readonly GqlError[] | undefined;
}

export const codeOf = (r: { errors?: readonly GqlError[] | undefined }): unknown => r.errors?.[0]?.extensions?.['code'];

/** POSTs one GraphQL request to `url` (…/graphql) and returns status, data and errors. */
export async function post<T = Record<string, any>>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Gql<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: { data?: T | null; errors?: GqlError[] } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  return { status: res.status, data: parsed.data ?? null, errors: parsed.errors };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export interface Suite {
  readonly stack: RunningStack;
  readonly database: TestDatabase;
  readonly gatewayUrl: string;
  /** Base URL of a subgraph (`http://127.0.0.1:port`). */
  subgraph(name: string): string;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Gql<T>>;
  login(email: string, password?: string): Promise<{ accessToken: string; refreshToken: string; sessionId: string }>;
  /** Another gateway in front of the same subgraphs, with extra configuration (stopped by close()). */
  gateway(env: Record<string, string>): Promise<{ url: string }>;
  /** A graphql-ws client of the gateway (or of `url`), with connection_init `params`. */
  ws(params?: Record<string, unknown>, url?: string): Client;
  close(): Promise<void>;
}

export interface SuiteOptions {
  readonly env?: Record<string, string>;
  readonly events?: EventBus;
}

/** A fresh database, S3, every subgraph and the gateway, seeded with the demo data, behind a gateway secret. */
export async function startSuite(options: SuiteOptions = {}): Promise<Suite> {
  const database = await createTestDatabase();
  const s3: LocalS3 = await startLocalS3();
  const stack = await startStack({
    databaseUrl: database.url,
    seed: true,
    env: { ...s3.env, GATEWAY_SECRET, ...options.env },
    ...(options.events ? { events: options.events } : {}),
  });
  const clients: Client[] = [];
  const gateways: { stop(graceMs?: number): Promise<void> }[] = [];
  const gql = <T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => post<T>(`${stack.gatewayUrl}/graphql`, { query, variables }, headers);
  return {
    stack,
    database,
    gatewayUrl: stack.gatewayUrl,
    subgraph(name) {
      const s = stack.subgraphs.get(name);
      if (!s) throw new Error(`no subgraph ${name}`);
      return s.url;
    },
    gql,
    async login(email, password = demo.password) {
      const r = await gql<{ login: { accessToken: string; refreshToken: string; session: { id: string } } }>(
        'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken session { id } } }',
        { i: { email, password } },
      );
      if (!r.data) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
      return {
        accessToken: r.data.login.accessToken,
        refreshToken: r.data.login.refreshToken,
        sessionId: r.data.login.session.id,
      };
    },
    async gateway(env) {
      const auth = stack.subgraphs.get('auth');
      const started = await startGateway(
        loadGatewayConfig({
          PORT: '0',
          LOG_LEVEL: 'silent',
          GATEWAY_SECRET,
          SUBGRAPH_URLS: [...stack.subgraphs].map(([name, s]) => `${name}=${s.url}/graphql`).join(','),
          AUTH_JWKS_URL: `${auth?.url ?? ''}/.well-known/jwks.json`,
          AUTH_INTERNAL_URL: auth?.url ?? '',
          ...env,
        }),
        { logger: createLogger('gateway', 'silent'), events: stack.events },
      );
      gateways.push(started);
      return started;
    },
    ws(params = {}, url = `${stack.gatewayUrl.replace(/^http/, 'ws')}/graphql`) {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: params,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      for (const g of gateways) await g.stop(500);
      await stack.stop();
      await s3.stop();
      await database.drop();
    },
  };
}

/** What a subscription delivered so far, and how it ended. */
export interface Recorded {
  readonly results: ExecutionResult[];
  ended: 'complete' | 'error' | null;
  error: unknown;
  dispose(): void;
}

/** Subscribes on a graphql-ws client and records every result. */
export function record(client: Client, query: string, variables: Record<string, unknown> = {}): Recorded {
  const recorded: Recorded = {
    results: [],
    ended: null,
    error: null,
    dispose: () => undefined,
  };
  recorded.dispose = client.subscribe(
    { query, variables },
    {
      next: (r) => void recorded.results.push(r as ExecutionResult),
      error: (e) => {
        recorded.ended = 'error';
        recorded.error = e;
      },
      complete: () => {
        recorded.ended = recorded.ended ?? 'complete';
      },
    },
  );
  return recorded;
}

/** Runs one query/mutation over graphql-ws and resolves with its result, or rejects with what the server sent. */
export function wsOnce(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<ExecutionResult> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult | null = null;
    client.subscribe(
      { query, variables },
      { next: (r) => void (result = r as ExecutionResult), error: reject, complete: () => resolve(result ?? {}) },
    );
  });
}

/** Polls until `probe` holds, returning how long it took; fails after `timeoutMs`. */
export async function timeUntil(probe: () => Promise<boolean>, timeoutMs = 5000, everyMs = 20): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
