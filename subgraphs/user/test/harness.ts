// Shared by the user subgraph's tests: a real service on an ephemeral port with a fresh database, s3rver and a chosen
// event bus, plus access tokens minted with an Ed25519 key generated here and checked by the kit's real JWT verifier.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import {
  createJwtVerifier,
  createLogger,
  MemoryEventBus,
  type EventBus,
  type Role,
  type RunningSubgraph,
} from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { loadUserConfig, startUserService } from '../src/service.ts';
import { createUserDb, type UserDb } from '../src/db.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

const ISSUER = 'https://auth.test.vegshare.local';
const AUDIENCE = 'vegshare-test';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
  };
}

interface Tokens {
  /** An access token for `userId` with `roles`, signed like the auth service signs them. */
  mint(userId: string, roles?: Role[], options?: { expiresIn?: string; issuer?: string }): Promise<string>;
  readonly verifier: ReturnType<typeof createJwtVerifier>;
}

async function createTokens(): Promise<Tokens> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const verifier = createJwtVerifier({ keys: createLocalJWKSet({ keys: [jwk] }), issuer: ISSUER, audience: AUDIENCE });
  return {
    verifier,
    mint: (userId, roles = ['CUSTOMER'], options = {}) => sign(privateKey, kid, userId, roles, options),
  };
}

function sign(
  key: CryptoKey,
  kid: string,
  userId: string,
  roles: Role[],
  options: { expiresIn?: string; issuer?: string },
): Promise<string> {
  return new SignJWT({ roles, sid: randomUUID() })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(userId)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(key);
}

export interface Harness {
  readonly database: TestDatabase;
  readonly s3: LocalS3;
  readonly tokens: Tokens;
  readonly events: EventBus;
  /** Direct database access for arranging and asserting. */
  readonly db: UserDb;
  readonly services: RunningSubgraph[];
  readonly service: RunningSubgraph;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    service?: RunningSubgraph,
  ): Promise<GraphQLResponse<T>>;
  /** Starts one more replica on the same database, S3 and `events` (or another bus). */
  startReplica(events?: EventBus): Promise<RunningSubgraph>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly events?: EventBus;
  readonly seed?: (db: UserDb) => Promise<void>;
  /** More variables for the service, or a function of its S3 giving them (e.g. S3_PUBLIC_ENDPOINT). */
  readonly env?: Record<string, string> | ((s3: LocalS3) => Record<string, string>);
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const s3 = await startLocalS3();
  const tokens = await createTokens();
  const events = options.events ?? new MemoryEventBus();
  const db = createUserDb(database.url);
  if (options.seed) await options.seed(db);
  const extra = typeof options.env === 'function' ? options.env(s3) : options.env;
  const config = loadUserConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ...s3.env,
    ...extra,
  });
  const services: RunningSubgraph[] = [];
  const startReplica = async (bus: EventBus = events) => {
    const running = await startUserService(config, {
      logger: createLogger('user', 'silent'),
      verifier: tokens.verifier,
      events: bus,
      revocationSource: withoutAuthService,
    });
    services.push(running);
    return running;
  };
  const first = await startReplica();
  return {
    database,
    s3,
    tokens,
    events,
    db,
    services,
    service: first,
    startReplica,
    async gql<T>(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
      service: RunningSubgraph = first,
    ): Promise<GraphQLResponse<T>> {
      const res = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
    },
    async close() {
      for (const s of services) await s.stop(500);
      await db.$disconnect();
      await events.close();
      await s3.stop();
      await database.drop();
    },
  };
}

/** The `extensions.code` of every error, in order. */
export const codes = (response: GraphQLResponse<unknown>): (string | undefined)[] =>
  (response.body.errors ?? []).map((e) => e.extensions?.code);

/** Waits until `predicate` holds, polling; fails after `timeoutMs`. */
export { waitFor as eventually } from '@vegshare/tools/testing/wait';
