// Every authorization rule of the farm subgraph, one assertion (or a few) each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { demoSeason } from '../src/seed.ts';
import { startHarness, users, codeOf, futureYear, type FarmHarness } from './harness.ts';

let h: FarmHarness;
let otherRental: string;
const Y = futureYear(2);

beforeAll(async () => {
  h = await startHarness();
  // customer2 rents a plot of farmer2's farm.
  const r = await h.gql(
    `mutation { requestRental(plotId: "${demo.plots.orchard1}", startsOn: "${Y}-03-01", endsOn: "${Y}-10-01") { id } }`,
    {},
    users.customer2,
  );
  otherRental = (r.body.data?.['requestRental'] as { id: string }).id;
});
afterAll(async () => {
  await h?.stop();
});

const RENTAL = (id: string) => `{ rental(id: "${id}") { id status plan { version } } }`;

describe('customers see their own rentals, plans, deliveries and adoptions only', () => {
  it('rental(id): own yes, someone else’s is null', async () => {
    expect((await h.gql(RENTAL(demoSeason.rental), {}, users.customer)).body.data).toEqual({
      rental: { id: demoSeason.rental, status: 'ACTIVE', plan: { version: 1 } },
    });
    expect((await h.gql(RENTAL(demoSeason.rental), {}, users.customer2)).body.data).toEqual({ rental: null });
  });
  it('myRentals lists only the viewer’s rentals', async () => {
    const mine = await h.gql('{ myRentals { edges { node { id customer { id } } } } }', {}, users.customer2);
    expect(mine.body.data).toEqual({
      myRentals: { edges: [{ node: { id: otherRental, customer: { id: users.customer2.id } } }] },
    });
  });
  it('Plot.rentals shows a customer only their own rentals of the plot', async () => {
    const q = `{ plot(id: "${demo.plots.greenA1}") { rentals { edges { node { id } } } } }`;
    expect((await h.gql(q, {}, users.customer2)).body.data).toEqual({ plot: { rentals: { edges: [] } } });
    expect((await h.gql(q, {}, users.customer)).body.data).toEqual({
      plot: { rentals: { edges: [{ node: { id: demoSeason.rental } }] } },
    });
  });
  it('myDeliveries and Rental entity references are private', async () => {
    expect(
      (await h.gql('{ myDeliveries { edges { node { id addressText } } } }', {}, users.customer)).body.data,
    ).toEqual({
      myDeliveries: {
        edges: [{ node: { id: demoSeason.delivery, addressText: '12 rue des Lilas, 75011 Paris, France' } }],
      },
    });
    expect((await h.gql('{ myDeliveries { edges { node { id } } } }', {}, users.customer2)).body.data).toEqual({
      myDeliveries: { edges: [] },
    });
    const ref = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Delivery { id } } }',
      { r: [{ __typename: 'Delivery', id: demoSeason.delivery }] },
      users.customer2,
    );
    expect(codeOf(ref)).toBe('FORBIDDEN');
    const rentalRef = await h.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Rental { id } } }',
      { r: [{ __typename: 'Rental', id: demoSeason.rental }] },
      users.customer2,
    );
    expect(codeOf(rentalRef)).toBe('FORBIDDEN');
  });
  it('myAdoptions lists only the viewer’s adoptions', async () => {
    expect(
      (await h.gql('{ myAdoptions { edges { node { id animal { name } } } } }', {}, users.customer)).body.data,
    ).toEqual({ myAdoptions: { edges: [{ node: { id: demoSeason.adoption, animal: { name: 'Biscuit' } } }] } });
    expect((await h.gql('{ myAdoptions { edges { node { id } } } }', {}, users.customer2)).body.data).toEqual({
      myAdoptions: { edges: [] },
    });
  });
  it('plot tasks and activity: current renter yes, other customers no', async () => {
    const q = `{ plot(id: "${demo.plots.greenA1}") { tasks(first: 2, status: DONE) { edges { node { status } } } activity(first: 1) { edges { node { kind } } } } }`;
    expect((await h.gql(q, {}, users.customer)).body.data).toEqual({
      plot: {
        tasks: { edges: [{ node: { status: 'DONE' } }, { node: { status: 'DONE' } }] },
        activity: { edges: [{ node: { kind: expect.any(String) } }] },
      },
    });
    expect(codeOf(await h.gql(q, {}, users.customer2))).toBe('FORBIDDEN');
  });
  it('a customer cannot plan, harvest or deliver on someone else’s rental', async () => {
    expect(
      codeOf(
        await h.gql(
          `mutation { savePlantingPlan(input: { rentalId: "${demoSeason.rental}", items: [] }) { id } }`,
          {},
          users.customer2,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await h.gql(
          `mutation { requestDelivery(input: { rentalId: "${demoSeason.rental}", harvestIds: ["${demoSeason.harvest}"], addressText: "Elsewhere 12" }) { id } }`,
          {},
          users.customer2,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(await h.gql(`mutation { cancelRental(id: "${demoSeason.rental}") { id } }`, {}, users.customer2)),
    ).toBe('FORBIDDEN');
  });
});

describe('farmers manage only their farms; admins all', () => {
  it('Farm.rentals: its farmer and admins; other farmers and customers are refused', async () => {
    const q = `{ farm(id: "${demo.farms.orchardHill}") { rentals { edges { node { id } } } } }`;
    expect((await h.gql(q, {}, users.farmer2)).body.data).toEqual({
      farm: { rentals: { edges: [{ node: { id: otherRental } }] } },
    });
    expect((await h.gql(q, {}, users.admin)).body.data).toEqual({
      farm: { rentals: { edges: [{ node: { id: otherRental } }] } },
    });
    expect(codeOf(await h.gql(q, {}, users.farmer))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(q, {}, users.customer2))).toBe('FORBIDDEN');
  });
  it('updatePlot, createTask, recordHarvest on another farmer’s farm are refused; admins may', async () => {
    expect(
      codeOf(
        await h.gql(
          `mutation { updatePlot(id: "${demo.plots.orchard1}", input: { soil: "sand" }) { soil } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await h.gql(
          `mutation { updatePlot(id: "${demo.plots.orchard1}", input: { soil: "sand" }) { soil } }`,
          {},
          users.admin,
        )
      ).body.data,
    ).toEqual({ updatePlot: { soil: 'sand' } });
    expect(
      codeOf(
        await h.gql(
          `mutation { createTask(input: { plotId: "${demo.plots.orchard1}", kind: OTHER, title: "Fix fence", dueOn: "${Y}-04-01" }) { id } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await h.gql(
          `mutation { createTask(input: { plotId: "${demo.plots.greenA1}", kind: FERTILISE, title: "Compost", dueOn: "${Y}-04-01" }) { kind rental { id } assignee { id } } }`,
          {},
          users.farmer,
        )
      ).body.data,
    ).toEqual({
      createTask: { kind: 'FERTILISE', rental: { id: demoSeason.rental }, assignee: { id: users.farmer.id } },
    });
    const crops = (await h.gql('{ crops { id } }')).body.data?.['crops'] as { id: string }[];
    expect(
      codeOf(
        await h.gql(
          `mutation { recordHarvest(input: { rentalId: "${demoSeason.rental}", cropId: "${crops[0]?.id}", weightKg: 1, harvestedOn: "${Y}-06-01" }) { id } }`,
          {},
          users.farmer2,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await h.gql(
          `mutation { recordHarvest(input: { rentalId: "${demoSeason.rental}", cropId: "${crops[0]?.id}", weightKg: 1, harvestedOn: "${Y}-06-01" }) { weightKg } }`,
          {},
          users.admin,
        )
      ).body.data,
    ).toEqual({ recordHarvest: { weightKg: 1 } });
  });
  it('only admins create a farm for someone else; customers create none', async () => {
    expect(
      codeOf(
        await h.gql(
          `mutation { createFarm(input: { name: "X", latitude: 1, longitude: 1, ownerId: "${users.farmer2.id}" }) { id } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (
        await h.gql(
          `mutation { createFarm(input: { name: "X", latitude: 1, longitude: 1, ownerId: "${users.farmer2.id}" }) { owner { id } } }`,
          {},
          users.admin,
        )
      ).body.data,
    ).toEqual({ createFarm: { owner: { id: users.farmer2.id } } });
    expect(
      codeOf(
        await h.gql(
          `mutation { createFarm(input: { name: "X", latitude: 1, longitude: 1 }) { id } }`,
          {},
          users.customer,
        ),
      ),
    ).toBe('FORBIDDEN');
  });
  it('myTasks lists the farmer’s own assigned tasks only', async () => {
    const mine = (
      await h.gql(
        '{ myTasks(first: 100) { edges { node { assignee { id } plot { farm { owner { id } } } } } } }',
        {},
        users.farmer,
      )
    ).body.data?.['myTasks'] as { edges: { node: { assignee: { id: string } } }[] };
    expect(mine.edges.length).toBeGreaterThan(0);
    expect(mine.edges.every((e) => e.node.assignee.id === users.farmer.id)).toBe(true);
    expect((await h.gql('{ myTasks { edges { node { id } } } }', {}, users.farmer2)).body.data).toEqual({
      myTasks: { edges: [] },
    });
    expect(codeOf(await h.gql('{ myTasks { edges { node { id } } } }', {}, users.customer))).toBe('FORBIDDEN');
  });
});

describe('partners and anonymous callers read the public catalogue only', () => {
  const CATALOGUE = `{ farms { edges { node { name plots { code } animals { edges { node { name } } } } } } crops { name } availablePlots(first: 2) { edges { node { code } } } }`;
  it('may read farms, plots, animals, crops and availability', async () => {
    for (const as of [users.partner, undefined]) {
      const r = await h.gql(CATALOGUE, {}, as);
      expect(r.body.errors).toBeUndefined();
      expect((r.body.data?.['crops'] as unknown[]).length).toBe(6);
    }
  });
  it('may not rent, read private lists or mutate', async () => {
    expect(
      codeOf(
        await h.gql(
          `mutation { requestRental(plotId: "${demo.plots.greenB1}", startsOn: "${Y}-03-01", endsOn: "${Y}-04-01") { id } }`,
          {},
          users.partner,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ myRentals { edges { cursor } } }', {}, users.partner))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(`{ rental(id: "${demoSeason.rental}") { id } }`, {}, users.partner))).toBe('FORBIDDEN');
    expect(
      codeOf(await h.gql(`{ plot(id: "${demo.plots.greenA1}") { rentals { edges { cursor } } } }`, {}, users.partner)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await h.gql(
          `mutation { updateFarm(id: "${demo.farms.greenAcres}", input: { name: "P" }) { id } }`,
          {},
          users.partner,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await h.gql(
          `mutation { adoptAnimal(animalId: "${demoSeason.animals.noisette}", startsOn: "${Y}-01-01", endsOn: "${Y}-02-01") { id } }`,
          {},
          users.partner,
        ),
      ),
    ).toBe('FORBIDDEN');
  });
  it('anonymous callers must sign in for anything private', async () => {
    expect(codeOf(await h.gql('{ myRentals { edges { cursor } } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(`{ plot(id: "${demo.plots.greenA1}") { activity { edges { cursor } } } }`))).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      codeOf(
        await h.gql(
          `mutation { requestRental(plotId: "${demo.plots.greenB1}", startsOn: "${Y}-03-01", endsOn: "${Y}-04-01") { id } }`,
        ),
      ),
    ).toBe('UNAUTHENTICATED');
  });
  it('refuses forged tokens', async () => {
    const r = await h.gql('{ myRentals { edges { cursor } } }', {}, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});
