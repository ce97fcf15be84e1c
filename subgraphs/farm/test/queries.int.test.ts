import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { demoSeason } from '../src/seed.ts';
import { startHarness, users, codeOf, futureYear, type FarmHarness } from './harness.ts';

let h: FarmHarness;
let statements: string[] = [];
const Y = new Date().getUTCFullYear();

beforeAll(async () => {
  h = await startHarness({ onQuery: (sql) => statements.push(sql) });
});
afterAll(async () => {
  await h?.stop();
});

async function counted(query: string, as: { id: string; roles: readonly string[] }) {
  const token = await h.token(as.id, [...as.roles] as never);
  statements = [];
  const r = await h.gql(query, {}, token);
  expect(r.body.errors).toBeUndefined();
  return { data: r.body.data, count: statements.length };
}

const NESTED = `{
  farms(first: 50) { edges { node { name plots {
    code status
    rentals(first: 10) { edges { node { status customer { id }
      plan { version items { crop { name } areaM2 plantCount harvestOn } }
      tasks(first: 50) { edges { node { kind dueOn crop { name } plot { code farm { name } } } } }
      harvests { edges { node { weightKg crop { name } delivery { status harvests { weightKg } } } } }
      deliveries { edges { node { status harvests { crop { name } } } } }
    } } }
    activity(first: 5) { edges { node { kind plot { code } } } }
  } animals { edges { node { name farm { name } } } } } } }
}`;

describe('batching (no N+1)', () => {
  it('answers farms → plots → rentals → plan → tasks … with a number of SQL statements independent of the data size', async () => {
    const before = await counted(NESTED, users.admin);
    // Grow the data: more farms, plots and rentals with plans, tasks and harvests.
    const crops = (await h.gql('{ crops { id name } }')).body.data?.['crops'] as { id: string; name: string }[];
    const lettuce = crops.find((c) => c.name === 'Lettuce')!.id;
    for (let f = 0; f < 2; f++) {
      const farm = (
        await h.gql(
          `mutation { createFarm(input: { name: "Grown ${f}", latitude: 45, longitude: 5 }) { id } }`,
          {},
          users.farmer,
        )
      ).body.data?.['createFarm'] as { id: string };
      for (let p = 0; p < 2; p++) {
        const plot = (
          await h.gql(
            `mutation { createPlot(farmId: "${farm.id}", input: { code: "G-${p}", areaM2: 20, pricePerSeasonCents: 1000 }) { id } }`,
            {},
            users.farmer,
          )
        ).body.data?.['createPlot'] as { id: string };
        const rental = (
          await h.gql(
            `mutation { requestRental(plotId: "${plot.id}", startsOn: "${Y + 1}-03-01", endsOn: "${Y + 1}-11-01") { id } }`,
            {},
            users.customer,
          )
        ).body.data?.['requestRental'] as { id: string };
        await h.gql(`mutation { activateRental(id: "${rental.id}") { id } }`, {}, users.farmer);
        await h.gql(
          `mutation { savePlantingPlan(input: { rentalId: "${rental.id}", items: [{ cropId: "${lettuce}", share: 0.5, sowOn: "${Y + 1}-04-01" }] }) { id } }`,
          {},
          users.customer,
        );
        const harvest = (
          await h.gql(
            `mutation { recordHarvest(input: { rentalId: "${rental.id}", cropId: "${lettuce}", weightKg: 2, harvestedOn: "${Y + 1}-05-25" }) { id } }`,
            {},
            users.farmer,
          )
        ).body.data?.['recordHarvest'] as { id: string };
        await h.gql(
          `mutation { requestDelivery(input: { rentalId: "${rental.id}", harvestIds: ["${harvest.id}"], addressText: "1 Main Street" }) { id } }`,
          {},
          users.customer,
        );
      }
    }
    const after = await counted(NESTED, users.admin);
    const farms = (after.data?.['farms'] as { edges: unknown[] }).edges;
    expect(farms.length).toBe(5);
    // Batches leave per tick, so two loads of one table reached at different depths share a statement only when their
    // I/O happens to complete together: the count may differ by one between runs whatever the data. N+1 would add at
    // least one statement per new plot, rental and delivery (4 each here), far above that.
    expect(after.count, statements.join('\n')).toBeLessThanOrEqual(before.count + 1);
    // 25 before plots asked for their status, which adds one batched statement (the plots' live rentals).
    expect(after.count).toBeLessThanOrEqual(26);
  });

  it('batches entity references of many plots and rentals into one statement each', async () => {
    const reps = Object.values(demo.plots).map((id) => ({ __typename: 'Plot', id }));
    const token = await h.token(users.admin.id, ['ADMIN']);
    statements = [];
    const r = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Plot { code farm { name } } } }',
      { r: reps },
      token,
    );
    expect((r.body.data?.['_entities'] as unknown[]).length).toBe(6);
    expect(statements.length).toBe(2);
  });
});

describe('plot search', () => {
  const SEARCH = `query($f: PlotSearchInput, $first: Int, $after: String) { availablePlots(filter: $f, first: $first, after: $after) { edges { cursor distanceKm node { id code pricePerSeasonCents areaM2 farm { name } } } pageInfo { hasNextPage endCursor } } }`;
  type Page = {
    edges: {
      cursor: string;
      distanceKm: number | null;
      node: { id: string; code: string; pricePerSeasonCents: number; areaM2: number; farm: { name: string } };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
  const search = async (f: Record<string, unknown> | null, first = 20, after: string | null = null) => {
    const r = await h.gql(SEARCH, { f, first, after }, users.partner);
    expect(r.body.errors).toBeUndefined();
    return r.body.data?.['availablePlots'] as Page;
  };

  it('excludes plots with a live rental overlapping the dates', async () => {
    const now = await search({ from: `${Y}-06-01`, to: `${Y}-07-01`, farmId: demo.farms.greenAcres });
    expect(now.edges.map((e) => e.node.id)).not.toContain(demo.plots.greenA1);
    expect(now.edges.map((e) => e.node.id)).toContain(demo.plots.greenA2);
    const later = await search({ from: `${Y + 3}-06-01`, to: `${Y + 3}-07-01`, farmId: demo.farms.greenAcres });
    expect(later.edges.map((e) => e.node.id)).toContain(demo.plots.greenA1);
  });

  it('without dates, finds plots free today: the demo plot rented this year is not among them', async () => {
    const today = await search({ farmId: demo.farms.greenAcres });
    expect(today.edges.map((e) => e.node.id)).not.toContain(demo.plots.greenA1);
    expect(today.edges.map((e) => e.node.id)).toContain(demo.plots.greenA2);
  });

  it('filters by price and area, cheapest first', async () => {
    const cheap = await search({ maxPricePerSeasonCents: 18000, minAreaM2: 15, maxAreaM2: 25 });
    expect(
      cheap.edges.every((e) => e.node.pricePerSeasonCents <= 18000 && e.node.areaM2 >= 15 && e.node.areaM2 <= 25),
    ).toBe(true);
    const prices = cheap.edges.map((e) => e.node.pricePerSeasonCents);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(cheap.edges.length).toBeGreaterThan(0);
  });

  it('finds plots near a point, nearest first, within the radius', async () => {
    // Paris: Green Acres (~30 km) is in, Tours (~200 km) and Sintra are out at 100 km.
    const near = await search({ near: { latitude: 48.8566, longitude: 2.3522, radiusKm: 100 } });
    expect(new Set(near.edges.map((e) => e.node.farm.name))).toEqual(new Set(['Green Acres']));
    expect(near.edges[0]!.distanceKm).toBeGreaterThan(20);
    expect(near.edges[0]!.distanceKm).toBeLessThan(40);
    const wide = await search({ near: { latitude: 48.8566, longitude: 2.3522, radiusKm: 3000 } });
    const d = wide.edges.map((e) => e.distanceKm!);
    expect(d).toEqual([...d].sort((a, b) => a - b));
    expect(wide.edges.at(-1)!.node.farm.name).toBe('Orchard Hill');
  });

  it('pages with cursors through every result exactly once', async () => {
    const all = await search(null, 100);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = await search(null, 2, after);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects half a date range, a foreign cursor and a page over 100', async () => {
    const r = await h.gql(SEARCH, { f: { from: `${Y}-06-01` } });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    expect(codeOf(await h.gql(SEARCH, { after: 'bm9wZQ' }))).toBe('BAD_USER_INPUT');
    const farms = await h.gql('{ farms(first: 1000) { edges { cursor } } }');
    expect(farms.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('connections', () => {
  it('pages farms by name with cursors', async () => {
    const first = await h.gql('{ farms(first: 2) { edges { node { name } } pageInfo { hasNextPage endCursor } } }');
    const page = first.body.data?.['farms'] as {
      edges: { node: { name: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await h.gql('query($a: String) { farms(first: 100, after: $a) { edges { node { name } } } }', {
      a: page.pageInfo.endCursor,
    });
    const names = [
      ...page.edges,
      ...(second.body.data?.['farms'] as { edges: { node: { name: string } }[] }).edges,
    ].map((e) => e.node.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });
  it('pages farms of the same name by id, one at a time, each exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await h.gql(
        'mutation { createFarm(input: { name: "Same name", latitude: 45, longitude: 5 }) { id } }',
        {},
        users.farmer,
      );
      ids.push((created.body.data?.['createFarm'] as { id: string }).id);
    }
    const PAGE =
      'query($a: String) { farms(first: 1, after: $a) { edges { node { id name } } pageInfo { endCursor } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const farms = (await h.gql(PAGE, { a: after })).body.data?.['farms'] as {
        edges: { node: { id: string; name: string } }[];
        pageInfo: { endCursor: string | null };
      };
      const node = farms.edges[0]?.node;
      if (!node) break;
      if (node.name === 'Same name') seen.push(node.id);
      after = farms.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].sort());
  });
  it('the demo season is seeded: plan, tasks with some done, harvest, delivery', async () => {
    const r = await h.gql(
      `{ rental(id: "${demoSeason.rental}") { plot { code } plan { items { crop { name } } } done: tasks(first: 100, status: DONE) { edges { cursor } } harvests { edges { node { weightKg } } } deliveries { edges { node { status } } } } }`,
      {},
      users.customer,
    );
    expect(r.body.data).toMatchObject({
      rental: {
        plot: { code: 'A-1' },
        plan: { items: [{ crop: { name: 'Lettuce' } }, { crop: { name: 'Carrot' } }, { crop: { name: 'Courgette' } }] },
        harvests: { edges: [{ node: { weightKg: 3.5 } }] },
        deliveries: { edges: [{ node: { status: 'DELIVERED' } }] },
      },
    });
    const done = (r.body.data?.['rental'] as { done: { edges: unknown[] } }).done.edges;
    expect(done).toHaveLength(4);
    expect(futureYear(0)).toBe(Y);
  });
});
