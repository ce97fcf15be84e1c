// Shared harness of the streaming tests: real Postgres (fresh database), real Redis (random prefixes), s3rver,
// Ed25519 tokens minted here and verified by the service through a local JWKS.
import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import {
  createJwtVerifier,
  createLogger,
  RedisEventBus,
  type EventBus,
  type Role,
  type TokenVerifier,
  type EventTopic,
  type EventPayloads,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { createStreamingDb, type StreamingDb } from '../src/db.ts';
import { seedStreaming } from '../src/seed.ts';
import { loadStreamingConfig, startStreamingService, type RunningStreaming } from '../src/service.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ISSUER = 'https://auth.test.vegshare.local';
const AUDIENCE = 'vegshare-api';
export const SIGNING_SECRET = 'test-playback-signing-secret-0123456789';

export interface Harness {
  readonly service: RunningStreaming;
  readonly db: StreamingDb;
  readonly bus: EventBus;
  readonly s3: LocalS3;
  readonly database: TestDatabase;
  /** The environment the service was configured from (to start more replicas of it). */
  readonly env: Readonly<Record<string, string>>;
  readonly verifier: TokenVerifier;
  token(userId: string, roles: Role[], options?: { expiresIn?: string }): Promise<string>;
  stop(): Promise<void>;
}

export interface GqlResult<T = Record<string, unknown>> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: { code?: string } }[];
}

export const users = {
  customer: { id: demo.users.customer.id, roles: ['CUSTOMER'] as Role[] },
  farmer: { id: demo.users.farmer.id, roles: ['FARMER'] as Role[] },
  farmer2: { id: demo.users.farmer2.id, roles: ['FARMER'] as Role[] },
  admin: { id: demo.users.admin.id, roles: ['ADMIN'] as Role[] },
  stranger: { id: '00000000-0000-4000-8000-0000000000aa', roles: ['CUSTOMER'] as Role[] },
};

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'EdDSA' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  const database = await createTestDatabase();
  const db = createStreamingDb(database.url);
  await seedStreaming(db);
  const s3 = await startLocalS3({ bucket: 'vegshare-test' });
  const logger = createLogger('streaming', 'silent');
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const bus = new RedisEventBus(REDIS_URL, logger, prefix);
  const serviceEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    PORT: '0',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PLAYBACK_SIGNING_SECRET: SIGNING_SECRET,
    PLAYBACK_BASE_URL: 'http://127.0.0.1:1',
    // Timers are slow here; tests drive sweeps and re-publishing directly through `service.control`.
    PRESENCE_SWEEP_SECONDS: '60',
    LIVE_REQUEST_REPUBLISH_SECONDS: '60',
    ...s3.env,
    ...env,
  };
  const verifier = createJwtVerifier({ keys, issuer: ISSUER, audience: AUDIENCE });
  const service = await startStreamingService(loadStreamingConfig(serviceEnv), {
    logger,
    events: bus,
    verifier,
    revocationSource: withoutAuthService,
  });
  return {
    service,
    db,
    bus,
    s3,
    database,
    env: serviceEnv,
    verifier,
    token: (userId, roles, options = {}) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(options.expiresIn ?? '10m')
        .sign(privateKey),
    async stop() {
      await service.stop(500);
      await bus.close();
      await db.$disconnect();
      await s3.stop();
      await database.drop();
    },
  };
}

export async function gql<T = Record<string, unknown>>(
  h: Harness,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const res = await fetch(`${h.service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResult<T>, 'status'>;
  return { status: res.status, ...body };
}

export const codeOf = (r: GqlResult<unknown>): string | undefined => r.errors?.[0]?.extensions?.code;

/** Collects what is published on a bus topic (the service's outgoing commands and events). */
export async function recordTopic<K extends EventTopic>(
  bus: EventBus,
  topic: K,
): Promise<{ events: EventPayloads[K][]; stop(): Promise<void> }> {
  const events: EventPayloads[K][] = [];
  const stop = await bus.subscribe(topic, (e) => events.push(e));
  return { events, stop };
}

export { waitFor } from '@vegshare/tools/testing/wait';
