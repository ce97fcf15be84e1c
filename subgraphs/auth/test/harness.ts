import { randomBytes } from 'node:crypto';
import { createLogger, MemoryEventBus, type RunningSubgraph } from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { loadAuthConfig, startAuthService } from '../src/service.ts';
import { createAuthDb, type AuthDb } from '../src/db.ts';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const HARNESS_GATEWAY_SECRET = 'auth-harness-gateway-secret-0123';

interface GqlError {
  message: string;
  path?: string[];
  extensions?: { code?: string; field?: string; retryAfter?: number; reason?: string };
}
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: GqlError[] };
}

export interface Harness {
  readonly service: RunningSubgraph;
  readonly database: TestDatabase;
  readonly db: AuthDb;
  readonly events: MemoryEventBus;
  readonly url: string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GqlResponse<T>>;
  /** fetch with the gateway secret, as the gateway forwards /oauth/* and /.well-known/* (a full URL, or a path here). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A fresh database and an auth service on an ephemeral port, with limits high enough for functional tests. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const events = new MemoryEventBus();
  const config = loadAuthConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    // development: the dev mailbox (loopback only) is what these tests read mail from.
    NODE_ENV: 'development',
    // The gateway's secret: only requests carrying it may state the client's address in x-forwarded-for.
    GATEWAY_SECRET: HARNESS_GATEWAY_SECRET,
    REDIS_URL,
    RATE_LIMIT_PREFIX: `test:${randomBytes(6).toString('hex')}`,
    LOGIN_IP_LIMIT: '1000',
    REGISTER_IP_LIMIT: '1000',
    LOGIN_FREE_FAILURES: '50',
    ...env,
  });
  const service = await startAuthService(config, { logger: createLogger('auth', 'silent'), events });
  const db = createAuthDb(database.url);
  const secret = env['GATEWAY_SECRET'] ?? HARNESS_GATEWAY_SECRET;
  return {
    service,
    database,
    db,
    events,
    url: service.url,
    async gql<T>(
      query: string,
      variables: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ): Promise<GqlResponse<T>> {
      const res = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-gateway-secret': secret } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResponse<T>['body'] };
    },
    fetch(url, init = {}) {
      const headers = new Headers(init.headers);
      if (secret) headers.set('x-gateway-secret', secret);
      return fetch(url.startsWith('/') ? `${service.url}${url}` : url, { ...init, headers });
    },
    async close() {
      await service.stop(1000);
      await db.$disconnect();
      await database.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const AUTH_FIELDS =
  'accessToken tokenType expiresIn refreshToken user { id email emailVerified roles } session { id current ip userAgent } deviceToken';

export interface AuthPayload {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  user: { id: string; email: string | null; emailVerified: boolean | null; roles: string[] };
  session: { id: string; current: boolean; ip: string; userAgent: string };
  deviceToken: string | null;
}

export const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
export const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
export const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}.${process.pid}.${Date.now()}.${counter++}@example.test`;
export const GOOD_PASSWORD = 'correct horse battery staple';

export async function register(
  h: Harness,
  email = uniqueEmail(),
  password = GOOD_PASSWORD,
  headers: Record<string, string> = {},
): Promise<AuthPayload> {
  const { body } = await h.gql<{ register: AuthPayload }>(
    REGISTER,
    { input: { email, password, displayName: 'Test User' } },
    headers,
  );
  if (!body.data?.register) throw new Error(`register failed: ${JSON.stringify(body.errors)}`);
  return body.data.register;
}

export const codeOf = (r: GqlResponse<unknown>): string | undefined => r.body.errors?.[0]?.extensions?.code;
