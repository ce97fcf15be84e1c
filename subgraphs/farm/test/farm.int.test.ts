import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type RunningSubgraph } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startFarmService, loadFarmConfig } from '../src/service.ts';
import { createFarmDb } from '../src/db.ts';
import { seedFarm } from '../src/seed.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

let database: TestDatabase;
let service: RunningSubgraph;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = createFarmDb(database.url);
  await seedFarm(db);
  await db.$disconnect();
  service = await startFarmService(loadFarmConfig({ DATABASE_URL: database.url, PORT: '0' }), {
    logger: createLogger('farm', 'silent'),
    revocationSource: withoutAuthService,
  });
});
afterAll(async () => {
  await service?.stop(1000);
  await database?.drop();
});

describe('farm subgraph', () => {
  it('lists seeded farms with their plots', async () => {
    const { body } = await gql(
      '{ farms { edges { node { id name location { latitude } plots { code areaM2 } } } pageInfo { hasNextPage } } }',
    );
    expect(body.errors).toBeUndefined();
    const connection = body.data?.['farms'] as {
      edges: { node: { id: string; name: string; plots: { code: string }[] } }[];
      pageInfo: { hasNextPage: boolean };
    };
    expect(connection.pageInfo.hasNextPage).toBe(false);
    const farms = connection.edges.map((e) => e.node);
    expect(farms.map((f) => f.name)).toEqual(['Green Acres', 'Orchard Hill', 'River Meadow']);
    expect(farms[0]?.plots.map((p) => p.code)).toEqual(['A-1', 'A-2', 'B-1']);
  });

  it('resolves Plot and Farm entity references in one batch', async () => {
    const { body } = await gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Plot { code farm { name } } ... on Farm { name } } }',
      {
        r: [
          { __typename: 'Plot', id: demo.plots.orchard1 },
          { __typename: 'Farm', id: demo.farms.riverMeadow },
          { __typename: 'Plot', id: '20000000-0000-4000-8000-00000000ffff' },
        ],
      },
    );
    expect(body.data?.['_entities']).toEqual([
      { code: 'T-1', farm: { name: 'Orchard Hill' } },
      { name: 'River Meadow' },
      null,
    ]);
  });

  it('answers null for an id that is not a UUID rather than a database error', async () => {
    const { body } = await gql('{ farm(id: "not-a-uuid") { id } }');
    expect(body).toEqual({ data: { farm: null } });
  });

  it('reports a bad argument as a GraphQL validation error without internals', async () => {
    const { status, body } = await gql('{ farms(first: "x") { edges { cursor } } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'postgres', ok: true },
        { name: 'revocations', ok: true },
      ],
    });
    // Metrics are on the internal listener only, never on the service's own port.
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('graphql_operations_total');
    expect(metrics).toContain('service="farm"');
  });
});
