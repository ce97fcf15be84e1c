// The loaders' prepared statements (row-statements.ts) against real Postgres: the rows they read are Prisma's rows
// (less the timestamps no field shows), their ids travel as one array parameter whatever their number, and a farm
// list's plot statuses take no statement of their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { openFarmDb, type FarmDbHandle } from '../src/db.ts';
import { seedFarm } from '../src/seed.ts';
import {
  farmsById,
  farmsPage,
  liveRentalsByPlot,
  plotsByFarm,
  plotsById,
  type LiveRental,
} from '../src/domain/row-statements.ts';
import { startHarness, users, type FarmHarness } from './harness.ts';

const withoutTimestamps = <T extends { createdAt: Date; updatedAt: Date }>({
  createdAt: _c,
  updatedAt: _u,
  ...rest
}: T) => rest;

const byId = <T extends { id: string }>(rows: readonly T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

describe('row statements', () => {
  let database: TestDatabase;
  let farm: FarmDbHandle;
  const Y = new Date().getUTCFullYear() + 3;

  beforeAll(async () => {
    database = await createTestDatabase();
    farm = openFarmDb(database.url, { maxConnections: 2 });
    await seedFarm(farm.db);
  });
  afterAll(async () => {
    await farm?.close();
    await database?.drop();
  });

  /** `load` given the ids of Prisma's `rows` returns those rows (in any order), less their timestamps. */
  async function expectReadById<T extends { id: string; createdAt: Date; updatedAt: Date }>(
    load: (sql: FarmDbHandle['sql'], ids: readonly string[]) => Promise<readonly { id: string }[]>,
    rows: readonly T[],
  ): Promise<void> {
    const read = await load(
      farm.sql,
      rows.map((r) => r.id),
    );
    expect(byId(read)).toEqual(byId(rows).map(withoutTimestamps));
  }

  it('read farms and plots as Prisma does, less their timestamps', async () => {
    const farms = await farm.db.farm.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
    const plots = await farm.db.plot.findMany({ orderBy: [{ code: 'asc' }] });
    expect(farms.length).toBeGreaterThan(1);
    expect(plots.length).toBeGreaterThan(1);
    await expectReadById(farmsById, farms);
    await expectReadById(plotsById, plots);
    expect(await farmsPage(farm.sql, 100, null)).toEqual(farms.map(withoutTimestamps));
    const [first, second] = farms;
    expect(await farmsPage(farm.sql, 1, { key: first!.name, id: first!.id })).toEqual([withoutTimestamps(second!)]);

    const remembered = new Map<string, readonly LiveRental[]>();
    const farmIds = farms.map((f) => f.id);
    const grouped = await plotsByFarm(farm.sql, farmIds, (id, live) => remembered.set(id, live));
    const expected = await farm.db.plot.findMany({ where: { farmId: { in: farmIds } }, orderBy: { code: 'asc' } });
    expect(
      grouped.map(({ liveRentals: _, ...plot }: (typeof grouped)[number] & { liveRentals?: unknown }) => plot),
    ).toEqual(expected.map(withoutTimestamps));
    expect([...remembered.keys()].sort()).toEqual(expected.map((p) => p.id).sort());
  });

  it('read the REQUESTED and ACTIVE rentals of plots, with dates as Prisma reads them (UTC midnight)', async () => {
    // Two plots without rentals of the seed's.
    const [a, b] = await farm.db.plot.findMany({ where: { rentals: { none: {} } }, orderBy: { id: 'asc' }, take: 2 });
    const rental = (plotId: string, status: 'REQUESTED' | 'ACTIVE' | 'CANCELLED' | 'ENDED', month: number) => ({
      plotId,
      customerId: users.customer.id,
      startsOn: new Date(Date.UTC(Y, month, 1)),
      endsOn: new Date(Date.UTC(Y, month + 1, 1)),
      priceCents: 1000,
      status,
    });
    await farm.db.rental.createMany({
      data: [
        rental(a!.id, 'REQUESTED', 0),
        rental(a!.id, 'ACTIVE', 2),
        rental(a!.id, 'CANCELLED', 4),
        rental(b!.id, 'ENDED', 0),
      ],
    });
    const plotIds = [a!.id, b!.id];
    const live = await farm.db.rental.findMany({
      where: { plotId: { in: plotIds }, status: { in: ['REQUESTED', 'ACTIVE'] } },
      select: { id: true, plotId: true, customerId: true, status: true, startsOn: true, endsOn: true },
      orderBy: { startsOn: 'asc' },
    });
    expect(live.map((r) => r.status)).toEqual(['REQUESTED', 'ACTIVE']);
    const byStart = (rows: readonly LiveRental[]) => [...rows].sort((x, y) => +x.startsOn - +y.startsOn);
    expect(byStart(await liveRentalsByPlot(farm.sql, plotIds))).toEqual(live);

    // The same rentals as the plots of a farm list carry them.
    const remembered = new Map<string, readonly LiveRental[]>();
    await plotsByFarm(farm.sql, [a!.farmId, b!.farmId], (id, rentals) => remembered.set(id, rentals));
    expect(byStart(remembered.get(a!.id) ?? [])).toEqual(live);
    expect(remembered.get(b!.id)).toEqual([]);
    expect(live[0]!.startsOn.toISOString()).toBe(`${Y}-01-01T00:00:00.000Z`);
  });
});

describe('a farm list with its plots and their statuses', () => {
  let h: FarmHarness;
  let statements: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ onQuery: (sql) => statements.push(sql) });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** The highest bind parameter ($n) of the statements sent. */
  const widest = (texts: readonly string[]) =>
    Math.max(0, ...texts.flatMap((t) => [...t.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))));

  const list = async () => {
    statements = [];
    const r = await h.gql('{ farms(first: 100) { edges { node { name plots { code status } } } } }');
    expect(r.body.errors).toBeUndefined();
    const farms = (r.body.data?.['farms'] as { edges: { node: { plots: { status: string }[] } }[] }).edges;
    return { plots: farms.flatMap((e) => e.node.plots).length, sent: [...statements] };
  };

  it('takes two statements, each with one parameter for all ids, however many plots', async () => {
    const before = await list();
    for (let f = 0; f < 3; f++) {
      const created = await h.gql(
        `mutation { createFarm(input: { name: "Wide ${f}", latitude: 45, longitude: 5 }) { id } }`,
        {},
        users.farmer,
      );
      const farmId = (created.body.data?.['createFarm'] as { id: string }).id;
      for (let p = 0; p < 4; p++)
        await h.gql(
          `mutation { createPlot(farmId: "${farmId}", input: { code: "W-${p}", areaM2: 20, pricePerSeasonCents: 1000 }) { id } }`,
          {},
          users.farmer,
        );
    }
    const after = await list();
    expect(after.plots).toBe(before.plots + 12);
    // The catalogue page, then the plots of its farms with their live rentals: no statement per plot status.
    expect(after.sent).toHaveLength(2);
    expect(before.sent).toHaveLength(2);
    // Prisma sent an IN list of one parameter per id (one per farm, then one per plot).
    expect(widest(after.sent)).toBe(1);
  });
});
