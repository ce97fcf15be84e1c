// Hostile input on every mutation: whatever fast-check throws at them, answers carry only stable codes — never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { demo } from '@vegshare/demo';
import { demoSeason } from '../src/seed.ts';
import { startHarness, users, type FarmHarness, type GqlResult } from './harness.ts';

let h: FarmHarness;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  h = await startHarness();
  for (const [name, u] of Object.entries({
    customer: users.customer,
    farmer: users.farmer,
    admin: users.admin,
    partner: users.partner,
  })) {
    tokens[name] = await h.token(u.id, [...u.roles] as never);
  }
});
afterAll(async () => {
  await h?.stop();
});

const STABLE = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);

function assertStable(r: GqlResult): void {
  expect(r.status).toBeLessThan(500);
  for (const e of r.body.errors ?? []) {
    expect(STABLE.has(String(e.extensions?.code)), `${e.extensions?.code}: ${e.message}`).toBe(true);
    expect(e.message).not.toMatch(/prisma|postgres|SQL|invalid input syntax|at \w+ \(/i);
  }
}

const ids = fc.oneof(
  fc.constantFrom(
    demo.plots.greenA1,
    demo.plots.greenB1,
    demo.farms.greenAcres,
    demoSeason.rental,
    demoSeason.delivery,
    demoSeason.animals.noisette,
    demoSeason.taskId(10),
  ),
  fc.uuid(),
  fc.string({ maxLength: 40 }),
);
const dates = fc.oneof(
  fc
    .date({ min: new Date('1999-01-01'), max: new Date('2101-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('2030-02-30', '0000-01-01', '2030-13-01', ''),
);
const texts = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('\u0000', 'a\u0000b', ' ', '🥕'.repeat(100)),
);
const floats = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e308, 0.5, 25));
const ints = fc.oneof(fc.integer(), fc.integer({ min: -1, max: 200 }));
const photos = fc.array(texts, { maxLength: 25 });
const who = fc.constantFrom('customer', 'farmer', 'admin', 'partner', 'nobody');

const mutations: [string, fc.Arbitrary<Record<string, unknown>>][] = [
  [
    'mutation($i: FarmInput!) { createFarm(input: $i) { id } }',
    fc.record({
      i: fc.record({
        name: texts,
        latitude: floats,
        longitude: floats,
        photos,
        seasonStartMonth: ints,
        seasonEndMonth: ints,
        description: texts,
      }),
    }),
  ],
  [
    'mutation($id: ID!, $i: FarmUpdateInput!) { updateFarm(id: $id, input: $i) { id } }',
    fc.record({ id: ids, i: fc.record({ name: texts, latitude: floats, photos }, { requiredKeys: [] }) }),
  ],
  [
    'mutation($f: ID!, $i: PlotInput!) { createPlot(farmId: $f, input: $i) { id } }',
    fc.record({
      f: ids,
      i: fc.record({ code: texts, areaM2: floats, pricePerSeasonCents: ints, currency: texts, soil: texts, photos }),
    }),
  ],
  [
    'mutation($id: ID!, $i: PlotUpdateInput!) { updatePlot(id: $id, input: $i) { id } }',
    fc.record({
      id: ids,
      i: fc.record({ code: texts, areaM2: floats, pricePerSeasonCents: ints }, { requiredKeys: [] }),
    }),
  ],
  [
    'mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }',
    fc.record({ p: ids, s: dates, e: dates }),
  ],
  ['mutation($id: ID!) { activateRental(id: $id) { id } }', fc.record({ id: ids })],
  ['mutation($id: ID!) { cancelRental(id: $id) { id } }', fc.record({ id: ids })],
  [
    'mutation($i: PlantingPlanInput!) { savePlantingPlan(input: $i) { id } }',
    fc.record({
      i: fc.record({
        rentalId: ids,
        notes: texts,
        items: fc.array(fc.record({ cropId: ids, share: floats, sowOn: dates }), { maxLength: 25 }),
      }),
    }),
  ],
  [
    'mutation($i: TaskInput!) { createTask(input: $i) { id } }',
    fc.record({
      i: fc.record({
        plotId: ids,
        kind: fc.constantFrom('SOW', 'OTHER', 'NOPE'),
        title: texts,
        dueOn: dates,
        notes: texts,
      }),
    }),
  ],
  [
    'mutation($id: ID!, $n: String, $p: [String!]) { completeTask(id: $id, notes: $n, photos: $p) { id } }',
    fc.record({ id: ids, n: texts, p: photos }),
  ],
  [
    'mutation($i: HarvestInput!) { recordHarvest(input: $i) { id } }',
    fc.record({ i: fc.record({ rentalId: ids, cropId: ids, weightKg: floats, harvestedOn: dates, photos }) }),
  ],
  [
    'mutation($i: DeliveryInput!) { requestDelivery(input: $i) { id } }',
    fc.record({ i: fc.record({ rentalId: ids, addressText: texts, harvestIds: fc.array(ids, { maxLength: 60 }) }) }),
  ],
  [
    'mutation($id: ID!, $s: DeliveryStatus!, $w: DateTime, $n: String) { updateDeliveryStatus(id: $id, status: $s, scheduledFor: $w, note: $n) { id } }',
    fc.record({
      id: ids,
      s: fc.constantFrom('SCHEDULED', 'FAILED', 'DELIVERED', 'x'),
      w: fc.oneof(texts, fc.constant(null)),
      n: texts,
    }),
  ],
  [
    'mutation($f: ID!, $i: AnimalInput!) { createAnimal(farmId: $f, input: $i) { id } }',
    fc.record({
      f: ids,
      i: fc.record({ name: texts, species: texts, monthlyPriceCents: ints, bornOn: dates, photos }),
    }),
  ],
  [
    'mutation($a: ID!, $s: Date!, $e: Date!) { adoptAnimal(animalId: $a, startsOn: $s, endsOn: $e) { id } }',
    fc.record({ a: ids, s: dates, e: dates }),
  ],
  [
    'mutation($a: ID!, $m: String!, $p: [String!]) { postAnimalUpdate(animalId: $a, message: $m, photos: $p) { id } }',
    fc.record({ a: ids, m: texts, p: photos }),
  ],
  [
    'query($f: PlotSearchInput, $n: Int, $a: String) { availablePlots(filter: $f, first: $n, after: $a) { edges { cursor } } }',
    fc.record({
      f: fc.record(
        {
          from: dates,
          to: dates,
          minAreaM2: floats,
          maxPricePerSeasonCents: ints,
          near: fc.record({ latitude: floats, longitude: floats, radiusKm: floats }),
        },
        { requiredKeys: [] },
      ),
      n: ints,
      a: fc.oneof(texts, fc.constant(null)),
    }),
  ],
];

describe('mutations under hostile input', () => {
  for (const [query, args] of mutations) {
    const name = /\{ (\w+)/.exec(query)?.[1] ?? query;
    it(`${name} answers only stable error codes`, async () => {
      await fc.assert(
        fc.asyncProperty(args, who, async (variables, as) => {
          assertStable(await h.gql(query, variables, as === 'nobody' ? undefined : tokens[as]));
        }),
        { numRuns: 25 },
      );
    });
  }
});
