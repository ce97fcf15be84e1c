// Shared setup of the farm integration tests: a fresh migrated database, the demo seed, the service on port 0 with
// an in-memory event bus we can listen to, and tokens minted with a local Ed25519 key (jose).
import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  createJwtVerifier,
  createLogger,
  MemoryEventBus,
  type Role,
  type RunningSubgraph,
  type EventTopic,
  type EventPayloads,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startFarmService, loadFarmConfig, type FarmDeps } from '../src/service.ts';
import { createFarmDb } from '../src/db.ts';
import { seedFarm } from '../src/seed.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

const issuer = 'https://auth.test.local';
const audience = 'vegshare-test';

export interface GqlResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: { code?: string; field?: string; reason?: string };
    }[];
  };
}

export interface FarmHarness {
  readonly service: RunningSubgraph;
  readonly bus: MemoryEventBus;
  readonly database: TestDatabase;
  token(userId: string, roles: Role[]): Promise<string>;
  /** POST /graphql, optionally as a user (a bearer token minted for them). */
  gql(
    query: string,
    variables?: Record<string, unknown>,
    as?: { id: string; roles: readonly string[] } | string,
  ): Promise<GqlResult>;
  stop(): Promise<void>;
}

export async function startHarness(deps: Omit<FarmDeps, 'verifier' | 'events' | 'logger'> = {}): Promise<FarmHarness> {
  const database = await createTestDatabase();
  const seedDb = createFarmDb(database.url);
  await seedFarm(seedDb);
  await seedDb.$disconnect();
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const verifier = createJwtVerifier({ keys: createLocalJWKSet({ keys: [jwk] }), issuer, audience });
  const bus = new MemoryEventBus();
  const service = await startFarmService(loadFarmConfig({ DATABASE_URL: database.url, PORT: '0' }), {
    ...deps,
    logger: createLogger('farm', 'silent'),
    verifier,
    events: bus,
    revocationSource: withoutAuthService,
  });
  const token = (userId: string, roles: Role[]) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject(userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  return {
    service,
    bus,
    database,
    token,
    async gql(query, variables = {}, as) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (typeof as === 'string') headers['authorization'] = `Bearer ${as}`;
      else if (as) headers['authorization'] = `Bearer ${await token(as.id, [...as.roles] as Role[])}`;
      const res = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResult['body'] };
    },
    async stop() {
      await service.stop(1000);
      await bus.close();
      await database.drop();
    },
  };
}

export const users = {
  ...demo.users,
  customer2: { id: '00000000-0000-4000-8000-0000000000c2', roles: ['CUSTOMER'] },
  farmerNoFarm: { id: '00000000-0000-4000-8000-0000000000f9', roles: ['FARMER'] },
} as const;

/** First error code of a result (or undefined). */
export const codeOf = (r: GqlResult): string | undefined => r.body.errors?.[0]?.extensions?.code;

/** Events published on a topic while `fn` runs (and a tick after). */
export async function collect<K extends EventTopic>(
  bus: MemoryEventBus,
  topic: K,
): Promise<{ events: EventPayloads[K][]; stop: () => Promise<void> }> {
  const events: EventPayloads[K][] = [];
  const stop = await bus.subscribe(topic, (e) => events.push(e));
  return { events, stop };
}

/** Dates relative to today so that tests never rent in the past. */
export function futureYear(offset = 1): number {
  return new Date().getUTCFullYear() + offset;
}
