import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { topics, type NotificationRequested } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { waitFor } from '@vegshare/tools/testing/wait';
import {
  failOutboxWrites,
  outboxPayloads,
  sleepingWrites,
  slowOutboxWrites,
  slowRowWrites,
} from '@vegshare/tools/testing/outbox-faults';
import { createFarmDb } from '../src/db.ts';
import { demoSeason } from '../src/seed.ts';
import { startHarness, users, codeOf, collect, futureYear, type FarmHarness } from './harness.ts';

let h: FarmHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const Y = futureYear(1);
const RENTAL = 'id status startsOn endsOn plot { code } customer { id }';
/** Who calls: a user of the harness. */
type As = { id: string; roles: readonly string[] };

describe('rentals', () => {
  it('lets exactly one of 50 simultaneous overlapping requests win; the others get CONFLICT / PLOT_NOT_AVAILABLE', async () => {
    const customers = Array.from({ length: 50 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(1000 + i).padStart(12, '0')}`,
      roles: ['CUSTOMER'],
    }));
    const tokens = await Promise.all(customers.map((c) => h.token(c.id, ['CUSTOMER'])));
    const results = await Promise.all(
      tokens.map((t, i) =>
        h.gql(
          `mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }`,
          { p: demo.plots.river1, s: `${Y}-03-${String(1 + (i % 20)).padStart(2, '0')}`, e: `${Y}-09-30` },
          t,
        ),
      ),
    );
    const won = results.filter((r) => r.body.data?.['requestRental']);
    const lost = results.filter((r) => r.body.errors);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost)
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PLOT_NOT_AVAILABLE' });
    // Non-overlapping dates on the same plot are fine (end is exclusive).
    const after = await h.gql(
      `mutation($p: ID!) { requestRental(plotId: $p, startsOn: "${Y}-09-30", endsOn: "${Y}-12-01") { status } }`,
      { p: demo.plots.river1 },
      users.customer2,
    );
    expect(after.body.data?.['requestRental']).toEqual({ status: 'REQUESTED' });
  });

  it('still lets exactly one of 20 simultaneous requests win when the database is slow (no second connection inside a rental transaction)', async () => {
    // Each RentalChanged write takes 300 ms: the first transaction holds its connection while the others fill the pool
    // and wait for it on the exclusion constraint. A loader read inside it (a second connection) would wait for them
    // in turn — a deadlock until the transaction times out, wave after wave, and no winner at all.
    const Y2 = futureYear(2);
    const db = createFarmDb(h.database.url);
    const restore = await slowOutboxWrites(db, 'farm', topics.rentalChanged, 0.3);
    try {
      const tokens = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.token(`00000000-0000-4000-8000-${String(2000 + i).padStart(12, '0')}`, ['CUSTOMER']),
        ),
      );
      const results = await Promise.all(
        tokens.map((t) =>
          h.gql(
            `mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }`,
            { p: demo.plots.river1, s: `${Y2}-04-01`, e: `${Y2}-08-01` },
            t,
          ),
        ),
      );
      expect(results.filter((r) => r.body.data?.['requestRental'])).toHaveLength(1);
      const codes = results.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.['code']));
      expect(codes).toEqual(Array.from({ length: 19 }, () => 'CONFLICT'));
    } finally {
      await restore();
      await db.$disconnect();
    }
  }, 30_000);

  it('gives dates freed by a cancellation to exactly one of 20 requests that waited for it (none aborted as a deadlock)', async () => {
    // The farm's cancellation takes a second; 20 requests for the same dates arrive meanwhile and wait for it on the
    // exclusion constraint. When it commits the dates are free and no committed rental conflicts: the requests, each
    // with its own row already in the index, would find one another in progress and wait for one another — a cycle that
    // Postgres breaks by aborting one every deadlock_timeout (1 s). Requests for one plot queue on its row instead.
    const Y3 = futureYear(3);
    const first = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.river1}", startsOn: "${Y3}-04-01", endsOn: "${Y3}-08-01") { id } }`,
      {},
      users.customer2,
    );
    const rentalId = (first.body.data?.['requestRental'] as { id: string }).id;
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.token(`00000000-0000-4000-8000-${String(5000 + i).padStart(12, '0')}`, ['CUSTOMER']),
      ),
    );
    const db = createFarmDb(h.database.url);
    const restore = await slowRowWrites(db, 'farm', 'rental', 'UPDATE', `NEW.status = 'CANCELLED'`, 1);
    try {
      const started = Date.now();
      const cancelled = h.gql(`mutation { cancelRental(id: "${rentalId}") { status } }`, {}, users.farmer);
      await waitFor(
        () => sleepingWrites(db),
        (n) => n === 1,
      );
      const results = await Promise.all(
        tokens.map((t) =>
          h.gql(
            `mutation($p: ID!, $s: Date!, $e: Date!) { requestRental(plotId: $p, startsOn: $s, endsOn: $e) { id } }`,
            { p: demo.plots.river1, s: `${Y3}-05-01`, e: `${Y3}-07-01` },
            t,
          ),
        ),
      );
      const elapsed = Date.now() - started;
      expect((await cancelled).body.data).toEqual({ cancelRental: { status: 'CANCELLED' } });
      expect(results.filter((r) => r.body.data?.['requestRental'])).toHaveLength(1);
      const codes = results.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.['code']));
      expect(codes).toEqual(Array.from({ length: 19 }, () => 'CONFLICT'));
      expect(elapsed).toBeLessThan(4000);
    } finally {
      await restore();
      await db.$disconnect();
    }
  }, 30_000);

  it('walks the lifecycle REQUESTED → ACTIVE → ENDED, refuses invalid transitions and publishes rentalChanged each time', async () => {
    const seen = await collect(h.bus, topics.rentalChanged);
    const req = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.greenB1}", startsOn: "${Y}-04-01", endsOn: "${Y}-10-01") { ${RENTAL} } }`,
      {},
      users.customer2,
    );
    const rental = req.body.data?.['requestRental'] as { id: string; status: string };
    expect(rental).toMatchObject({
      status: 'REQUESTED',
      startsOn: `${Y}-04-01`,
      endsOn: `${Y}-10-01`,
      plot: { code: 'B-1' },
      customer: { id: users.customer2.id },
    });
    const end = await h.gql(`mutation { endRental(id: "${rental.id}") { status } }`, {}, users.farmer);
    expect(codeOf(end)).toBe('CONFLICT');
    const selfActivate = await h.gql(`mutation { activateRental(id: "${rental.id}") { status } }`, {}, users.customer2);
    expect(codeOf(selfActivate)).toBe('FORBIDDEN');
    const otherFarmer = await h.gql(`mutation { activateRental(id: "${rental.id}") { status } }`, {}, users.farmer2);
    expect(codeOf(otherFarmer)).toBe('FORBIDDEN');
    expect(
      (await h.gql(`mutation { activateRental(id: "${rental.id}") { status } }`, {}, users.farmer)).body.data,
    ).toEqual({ activateRental: { status: 'ACTIVE' } });
    expect(codeOf(await h.gql(`mutation { cancelRental(id: "${rental.id}") { status } }`, {}, users.customer2))).toBe(
      'FORBIDDEN',
    );
    expect((await h.gql(`mutation { endRental(id: "${rental.id}") { status } }`, {}, users.admin)).body.data).toEqual({
      endRental: { status: 'ENDED' },
    });
    expect(codeOf(await h.gql(`mutation { activateRental(id: "${rental.id}") { status } }`, {}, users.farmer))).toBe(
      'CONFLICT',
    );
    await new Promise((r) => setTimeout(r, 20));
    await seen.stop();
    expect(seen.events.filter((e) => e.rentalId === rental.id).map((e) => e.status)).toEqual([
      'REQUESTED',
      'ACTIVE',
      'ENDED',
    ]);
    expect(seen.events.find((e) => e.rentalId === rental.id)).toMatchObject({
      plotId: demo.plots.greenB1,
      farmId: demo.farms.greenAcres,
      customerId: users.customer2.id,
      startsOn: `${Y}-04-01`,
      endsOn: `${Y}-10-01`,
    });
  });

  it('frees the dates when a request is cancelled by its customer', async () => {
    const q = `mutation { requestRental(plotId: "${demo.plots.orchard2}", startsOn: "${Y}-05-01", endsOn: "${Y}-08-01") { id } }`;
    const first = (await h.gql(q, {}, users.customer2)).body.data?.['requestRental'] as { id: string };
    expect(codeOf(await h.gql(q, {}, users.customer))).toBe('CONFLICT');
    expect(
      (await h.gql(`mutation { cancelRental(id: "${first.id}") { status } }`, {}, users.customer2)).body.data,
    ).toEqual({ cancelRental: { status: 'CANCELLED' } });
    expect((await h.gql(q, {}, users.customer)).body.data?.['requestRental']).toBeTruthy();
  });

  it('validates dates with the offending field', async () => {
    const bad = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.greenA2}", startsOn: "${Y}-05-01", endsOn: "${Y}-04-01") { id } }`,
      {},
      users.customer2,
    );
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsOn' });
    const notDate = await h.gql(
      `mutation($s: Date!) { requestRental(plotId: "${demo.plots.greenA2}", startsOn: $s, endsOn: "${Y}-04-01") { id } }`,
      { s: `${Y}-02-30` },
      users.customer2,
    );
    expect(codeOf(notDate)).toBe('BAD_USER_INPUT');
    const literal = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.greenA2}", startsOn: "yesterday", endsOn: "${Y}-04-01") { id } }`,
      {},
      users.customer2,
    );
    expect(codeOf(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('rental notifications', () => {
  it('tells the farmer of a request or its withdrawal, and the renter of confirmation, decline, cancellation and end', async () => {
    const notes = await collect(h.bus, topics.notificationRequested);
    const plotId = (
      (
        await h.gql(
          `mutation { createPlot(farmId: "${demo.farms.greenAcres}", input: { code: "N-1", areaM2: 10, pricePerSeasonCents: 5000 }) { id } }`,
          {},
          users.farmer,
        )
      ).body.data?.['createPlot'] as { id: string }
    ).id;
    const request = async (month: string) =>
      (
        (
          await h.gql(
            `mutation { requestRental(plotId: "${plotId}", startsOn: "${Y}-${month}-01", endsOn: "${Y}-${month}-20") { id } }`,
            {},
            users.customer2,
          )
        ).body.data?.['requestRental'] as { id: string }
      ).id;
    const act = async (verb: 'activateRental' | 'endRental' | 'cancelRental', id: string, as: As) => {
      const r = await h.gql(`mutation { ${verb}(id: "${id}") { status } }`, {}, as);
      expect(r.body.errors).toBeUndefined();
    };

    const confirmed = await request('04');
    await act('activateRental', confirmed, users.farmer);
    await act('endRental', confirmed, users.admin);
    const declined = await request('05');
    await act('cancelRental', declined, users.farmer);
    const withdrawn = await request('06');
    await act('cancelRental', withdrawn, users.customer2);
    const cancelled = await request('07');
    await act('activateRental', cancelled, users.farmer);
    await act('cancelRental', cancelled, users.farmer);
    // Events leave through the outbox relay, a moment after each commit.
    await waitFor(
      () => notes.events.filter((n) => n.link?.startsWith('/rentals/')).length,
      (n) => n >= 10,
    );
    await notes.stop();

    const seen = notes.events
      .filter((n) => n.link?.startsWith('/rentals/'))
      .map((n) => ({ to: n.userId, kind: n.kind, title: n.title, eventId: n.eventId }));
    const farmer = users.farmer.id;
    const renter = users.customer2.id;
    /** A rental notification about plot N-1, as `title` says, with the id of the rental's event that caused it. */
    const note = (to: string, title: string, rental: string, state: string) => ({
      to,
      kind: 'rental',
      title: `${title}: plot N-1`,
      eventId: `farm:rental:${rental}:${state}`,
    });
    expect(seen).toEqual([
      note(farmer, 'New rental request', confirmed, 'requested'),
      note(renter, 'Rental confirmed', confirmed, 'active'),
      note(renter, 'Rental ended', confirmed, 'ended'),
      note(farmer, 'New rental request', declined, 'requested'),
      note(renter, 'Rental request declined', declined, 'cancelled'),
      note(farmer, 'New rental request', withdrawn, 'requested'),
      note(farmer, 'Rental request withdrawn', withdrawn, 'cancelled'),
      note(farmer, 'New rental request', cancelled, 'requested'),
      note(renter, 'Rental confirmed', cancelled, 'active'),
      note(renter, 'Rental cancelled', cancelled, 'cancelled'),
    ]);
    expect(notes.events.find((n) => n.eventId === `farm:rental:${confirmed}:requested`)?.body).toBe(
      `A customer asks for plot N-1 on Green Acres from ${Y}-04-01 until ${Y}-04-20. Confirm or decline the request.`,
    );
  });
});

describe('plot status and availability for the period asked', () => {
  const STATUS = `query($id: ID!) { plot(id: $id) {
    now: status
    june: status(from: "${Y}-06-01", to: "${Y}-06-02")
    lastDay: status(from: "${Y}-09-30", to: "${Y}-10-01")
    autumn: status(from: "${Y}-10-01", to: "${Y}-11-01")
  } }`;
  const status = async (id: string) => (await h.gql(STATUS, { id })).body.data?.['plot'];
  const found = async (id: string, from: string, to: string) => {
    const r = await h.gql(
      'query($f: PlotSearchInput) { availablePlots(filter: $f, first: 100) { edges { node { id } } } }',
      { f: { farmId: demo.farms.greenAcres, from, to } },
    );
    return (r.body.data?.['availablePlots'] as { edges: { node: { id: string } }[] }).edges.some(
      (e) => e.node.id === id,
    );
  };
  const newPlot = async (code: string) =>
    (
      (
        await h.gql(
          `mutation { createPlot(farmId: "${demo.farms.greenAcres}", input: { code: "${code}", areaM2: 10, pricePerSeasonCents: 5000 }) { id } }`,
          {},
          users.farmer,
        )
      ).body.data?.['createPlot'] as { id: string }
    ).id;

  it('is RENTED today on the demo plot rented all this year, AVAILABLE in a later year', async () => {
    const r = await h.gql(
      `{ plot(id: "${demo.plots.greenA1}") { status later: status(from: "${Y + 3}-06-01", to: "${Y + 3}-07-01") } }`,
    );
    expect(r.body.data).toEqual({ plot: { status: 'RENTED', later: 'AVAILABLE' } });
  });

  it('follows a rental through its lifecycle: held while REQUESTED and ACTIVE, free once it ends', async () => {
    const plotId = await newPlot('S-1');
    expect(await status(plotId)).toEqual({
      now: 'AVAILABLE',
      june: 'AVAILABLE',
      lastDay: 'AVAILABLE',
      autumn: 'AVAILABLE',
    });
    const requested = await h.gql(
      `mutation($p: ID!) { requestRental(plotId: $p, startsOn: "${Y}-04-01", endsOn: "${Y}-10-01") { id plot { status(from: "${Y}-06-01", to: "${Y}-06-02") } } }`,
      { p: plotId },
      users.customer2,
    );
    const rental = requested.body.data?.['requestRental'] as { id: string; plot: { status: string } };
    expect(rental.plot.status).toBe('RENTED');
    expect(await status(plotId)).toEqual({ now: 'AVAILABLE', june: 'RENTED', lastDay: 'RENTED', autumn: 'AVAILABLE' });
    expect(await found(plotId, `${Y}-06-01`, `${Y}-06-02`)).toBe(false);
    expect(await found(plotId, `${Y}-10-01`, `${Y}-11-01`)).toBe(true);

    const activated = await h.gql(
      `mutation { activateRental(id: "${rental.id}") { status plot { status(from: "${Y}-06-01", to: "${Y}-06-02") } } }`,
      {},
      users.farmer,
    );
    expect(activated.body.data).toEqual({ activateRental: { status: 'ACTIVE', plot: { status: 'RENTED' } } });
    expect(await status(plotId)).toMatchObject({ june: 'RENTED', autumn: 'AVAILABLE' });
    expect(await found(plotId, `${Y}-03-01`, `${Y}-04-02`)).toBe(false);

    await h.gql(`mutation { endRental(id: "${rental.id}") { status } }`, {}, users.farmer);
    expect(await status(plotId)).toEqual({
      now: 'AVAILABLE',
      june: 'AVAILABLE',
      lastDay: 'AVAILABLE',
      autumn: 'AVAILABLE',
    });
    expect(await found(plotId, `${Y}-06-01`, `${Y}-06-02`)).toBe(true);
  });

  it('keeps a plot the farm lets outside VegShare, or rests, out of the search for every period and refuses requests for it', async () => {
    for (const farmStatus of ['RENTED', 'FALLOW'] as const) {
      const plotId = await newPlot(`S-${farmStatus}`);
      await h.gql(
        `mutation { updatePlot(id: "${plotId}", input: { status: ${farmStatus} }) { id } }`,
        {},
        users.farmer,
      );
      expect(await status(plotId)).toEqual({
        now: farmStatus,
        june: farmStatus,
        lastDay: farmStatus,
        autumn: farmStatus,
      });
      expect(await found(plotId, `${Y + 2}-06-01`, `${Y + 2}-07-01`)).toBe(false);
      const refused = await h.gql(
        `mutation { requestRental(plotId: "${plotId}", startsOn: "${Y}-04-01", endsOn: "${Y}-05-01") { id } }`,
        {},
        users.customer2,
      );
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PLOT_NOT_AVAILABLE' });
    }
  });

  it('refuses half a period or an empty one', async () => {
    const half = await h.gql(`{ plot(id: "${demo.plots.greenA2}") { status(from: "${Y}-06-01") } }`);
    expect(half.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const empty = await h.gql(`{ plot(id: "${demo.plots.greenA2}") { status(from: "${Y}-06-01", to: "${Y}-06-01") } }`);
    expect(empty.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe("a customer's season", () => {
  it('plans crops, gets a generated schedule, follows tasks, harvest and delivery with notifications and a live feed', async () => {
    const notes = await collect(h.bus, topics.notificationRequested);
    const r = await h.gql(
      `mutation { requestRental(plotId: "${demo.plots.greenA2}", startsOn: "${Y}-03-01", endsOn: "${Y}-11-01") { id } }`,
      {},
      users.customer,
    );
    const rentalId = (r.body.data?.['requestRental'] as { id: string }).id;
    await h.gql(`mutation { activateRental(id: "${rentalId}") { status } }`, {}, users.farmer);
    const crops = (await h.gql('{ crops { id name } }')).body.data?.['crops'] as { id: string; name: string }[];
    const cropId = (name: string) => crops.find((c) => c.name === name)?.id;

    const SAVE = `mutation($i: PlantingPlanInput!) { savePlantingPlan(input: $i) { version items { crop { name } share areaM2 plantCount sowOn harvestOn expectedYieldKg } } }`;
    /** One plan item: `share` of the plot for `crop`, sown on `sowOn` (MM-DD of the season's year). */
    const item = (crop: string, share: number, sowOn: string) => ({
      cropId: cropId(crop),
      share,
      sowOn: `${Y}-${sowOn}`,
    });
    const save = (items: ReturnType<typeof item>[], as: As = users.customer) =>
      h.gql(SAVE, { i: { rentalId, items } }, as);
    const tooMuch = await save([item('Lettuce', 0.7, '04-01'), item('Carrot', 0.5, '04-01')]);
    expect(tooMuch.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    const wrongMonth = await save([item('Tomato', 0.5, '09-01')]);
    expect(wrongMonth.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items.0.sowOn' });
    const notRenter = await save([], users.customer2);
    expect(codeOf(notRenter)).toBe('FORBIDDEN');

    const plan = [item('Lettuce', 0.4, '04-01'), item('Courgette', 0.6, '05-01')];
    const saved = await save(plan);
    expect(saved.body.errors).toBeUndefined();
    expect(saved.body.data?.['savePlantingPlan']).toMatchObject({
      version: 1,
      items: [
        {
          crop: { name: 'Lettuce' },
          share: 0.4,
          areaM2: 10,
          plantCount: 160,
          sowOn: `${Y}-04-01`,
          harvestOn: `${Y}-05-21`,
          expectedYieldKg: 25,
        },
        {
          crop: { name: 'Courgette' },
          share: 0.6,
          areaM2: 15,
          plantCount: 18,
          sowOn: `${Y}-05-01`,
          harvestOn: `${Y}-06-25`,
          expectedYieldKg: 75,
        },
      ],
    });
    const TASKS = `query($id: ID!) { rental(id: $id) { plan { version } tasks(first: 100) { edges { node { id kind dueOn status generated assignee { id } } } } } }`;
    const schedule = (await h.gql(TASKS, { id: rentalId }, users.customer)).body.data?.['rental'] as {
      tasks: { edges: { node: { id: string; kind: string; dueOn: string; assignee: { id: string } } }[] };
    };
    const kinds = schedule.tasks.edges.map((e) => e.node.kind);
    expect(kinds.filter((k) => k === 'SOW')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'HARVEST')).toHaveLength(2);
    expect(kinds).toContain('WATER');
    expect(kinds).toContain('WEED');
    expect(schedule.tasks.edges.every((e) => e.node.assignee.id === users.farmer.id)).toBe(true);
    // Saving again replaces the open generated tasks rather than piling them up.
    const again = await save(plan);
    expect(again.body.data?.['savePlantingPlan']).toMatchObject({ version: 2 });
    const schedule2 = (await h.gql(TASKS, { id: rentalId }, users.customer)).body.data?.['rental'] as typeof schedule;
    expect(schedule2.tasks.edges).toHaveLength(schedule.tasks.edges.length);

    // The renter follows the plot live.
    const ws = createClient({
      url: h.service.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await h.token(users.customer.id, ['CUSTOMER'])}` },
      lazy: true,
      retryAttempts: 0,
    });
    const live: { kind: string; message: string }[] = [];
    const liveDone = new Promise<void>((resolve, reject) => {
      ws.subscribe<{ plotActivity: { kind: string; message: string } }>(
        { query: `subscription { plotActivity(plotId: "${demo.plots.greenA2}") { kind message plot { code } } }` },
        {
          next: (m) => {
            if (m.data) live.push(m.data.plotActivity);
            if (live.length >= 3) resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await new Promise((r) => setTimeout(r, 300));

    const sow = schedule2.tasks.edges.find((e) => e.node.kind === 'SOW')!.node;
    const completeSow = (as: As) => h.gql(`mutation { completeTask(id: "${sow.id}") { status } }`, {}, as);
    expect(codeOf(await completeSow(users.customer))).toBe('FORBIDDEN');
    expect(codeOf(await completeSow(users.farmer2))).toBe('FORBIDDEN');
    const done = await h.gql(
      `mutation { completeTask(id: "${sow.id}", notes: "Sown in rows", photos: ["farm/photos/sow.jpg"]) { status notes photos completedAt } }`,
      {},
      users.farmer,
    );
    expect(done.body.data?.['completeTask']).toMatchObject({
      status: 'DONE',
      notes: 'Sown in rows',
      photos: ['farm/photos/sow.jpg'],
    });
    expect(codeOf(await completeSow(users.farmer))).toBe('CONFLICT');

    const harvest = await h.gql(
      `mutation($i: HarvestInput!) { recordHarvest(input: $i) { id weightKg harvestedOn crop { name } } }`,
      { i: { rentalId, cropId: cropId('Lettuce'), weightKg: 4.2, harvestedOn: `${Y}-05-21` } },
      users.farmer,
    );
    const harvestId = (harvest.body.data?.['recordHarvest'] as { id: string }).id;
    expect(harvest.body.data?.['recordHarvest']).toMatchObject({
      weightKg: 4.2,
      harvestedOn: `${Y}-05-21`,
      crop: { name: 'Lettuce' },
    });

    const del = await h.gql(
      `mutation($i: DeliveryInput!) { requestDelivery(input: $i) { id status addressText harvests { id } customer { id } } }`,
      { i: { rentalId, harvestIds: [harvestId], addressText: '12 rue des Lilas, Paris' } },
      users.customer,
    );
    const delivery = del.body.data?.['requestDelivery'] as { id: string };
    expect(del.body.data?.['requestDelivery']).toMatchObject({
      status: 'REQUESTED',
      addressText: '12 rue des Lilas, Paris',
      harvests: [{ id: harvestId }],
      customer: { id: users.customer.id },
    });
    const twice = await h.gql(
      `mutation($i: DeliveryInput!) { requestDelivery(input: $i) { id } }`,
      { i: { rentalId, harvestIds: [harvestId], addressText: 'Somewhere else 1' } },
      users.customer,
    );
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.harvestIds' });
    const STATUS = `mutation($id: ID!, $s: DeliveryStatus!) { updateDeliveryStatus(id: $id, status: $s) { status } }`;
    expect(codeOf(await h.gql(STATUS, { id: delivery.id, s: 'DELIVERED' }, users.farmer))).toBe('CONFLICT');
    expect(codeOf(await h.gql(STATUS, { id: delivery.id, s: 'SCHEDULED' }, users.customer))).toBe('FORBIDDEN');
    for (const s of ['SCHEDULED', 'OUT_FOR_DELIVERY', 'DELIVERED']) {
      expect((await h.gql(STATUS, { id: delivery.id, s }, users.farmer)).body.data).toEqual({
        updateDeliveryStatus: { status: s },
      });
    }
    await liveDone;
    ws.terminate();
    expect(live.map((e) => e.kind).slice(0, 3)).toEqual(['TASK_COMPLETED', 'HARVEST_RECORDED', 'DELIVERY_CHANGED']);

    await new Promise((r) => setTimeout(r, 20));
    await notes.stop();
    const mine = notes.events.filter((n) => n.userId === users.customer.id);
    // The farm confirming the rental, then its work.
    expect(mine.map((n) => n.kind)).toEqual([
      'rental',
      'task',
      'harvest',
      'delivery',
      'delivery',
      'delivery',
      'delivery',
    ]);
    expect(mine[1]?.eventId).toBe(`farm:task:${sow.id}:done`);
    expect(new Set(mine.map((n) => n.eventId)).size).toBe(mine.length);

    const feed = await h.gql(
      `{ plot(id: "${demo.plots.greenA2}") { activity(first: 3) { edges { node { kind } } pageInfo { hasNextPage endCursor } } } }`,
      {},
      users.customer,
    );
    const activity = (
      feed.body.data?.['plot'] as {
        activity: { edges: { node: { kind: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }
    ).activity;
    expect(activity.edges.map((e) => e.node.kind)).toEqual([
      'DELIVERY_CHANGED',
      'DELIVERY_CHANGED',
      'DELIVERY_CHANGED',
    ]);
    expect(activity.pageInfo.hasNextPage).toBe(true);
    const next = await h.gql(
      `query($a: String) { plot(id: "${demo.plots.greenA2}") { activity(first: 50, after: $a) { edges { node { kind } } pageInfo { hasNextPage } } } }`,
      { a: activity.pageInfo.endCursor },
      users.customer,
    );
    const rest = (
      next.body.data?.['plot'] as {
        activity: { edges: { node: { kind: string } }[]; pageInfo: { hasNextPage: boolean } };
      }
    ).activity;
    expect(rest.edges.map((e) => e.node.kind)).toEqual([
      'DELIVERY_CHANGED',
      'HARVEST_RECORDED',
      'TASK_COMPLETED',
      'PLAN_CHANGED',
      'PLAN_CHANGED',
      'RENTAL_CHANGED',
    ]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses plotActivity subscriptions to people who are not the renter, its farmer or an admin', async () => {
    const attempt = async (token: string | null) => {
      const ws = createClient({
        url: h.service.url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
      });
      try {
        return await new Promise<string>((resolve) => {
          ws.subscribe(
            { query: `subscription { plotActivity(plotId: "${demo.plots.greenA1}") { kind } }` },
            {
              next: (m) => resolve(m.errors ? String(m.errors[0]?.extensions?.['code']) : 'event'),
              error: (e) =>
                resolve(
                  Array.isArray(e) ? String((e[0] as { extensions?: { code?: string } }).extensions?.code) : 'error',
                ),
              complete: () => resolve('complete'),
            },
          );
          setTimeout(() => resolve('open'), 700);
        });
      } finally {
        ws.terminate();
      }
    };
    expect(await attempt(await h.token(users.customer2.id, ['CUSTOMER']))).toBe('FORBIDDEN');
    expect(await attempt(await h.token(users.farmer2.id, ['FARMER']))).toBe('FORBIDDEN');
    expect(await attempt(await h.token(users.partner.id, ['PARTNER']))).toBe('FORBIDDEN');
    expect(await attempt(null)).toBe('UNAUTHENTICATED');
    // The seeded renter of greenA1, its farmer and an admin may listen (the subscription stays open).
    expect(await attempt(await h.token(users.customer.id, ['CUSTOMER']))).toBe('open');
    expect(await attempt(await h.token(users.farmer.id, ['FARMER']))).toBe('open');
    expect(await attempt(await h.token(users.admin.id, ['ADMIN']))).toBe('open');
  });
});

describe('farms and animals', () => {
  it('lets farmers create and update their own farms and plots, publishing farmChanged', async () => {
    const seen = await collect(h.bus, topics.farmChanged);
    const created = await h.gql(
      `mutation { createFarm(input: { name: "Hillside", latitude: 45.1, longitude: 5.7, photos: ["farms/hill.jpg"], seasonStartMonth: 4, seasonEndMonth: 9 }) { id name owner { id } photos openingSeason { startMonth endMonth } } }`,
      {},
      users.farmerNoFarm,
    );
    const farm = created.body.data?.['createFarm'] as { id: string };
    expect(created.body.data?.['createFarm']).toMatchObject({
      name: 'Hillside',
      owner: { id: users.farmerNoFarm.id },
      photos: ['farms/hill.jpg'],
      openingSeason: { startMonth: 4, endMonth: 9 },
    });
    expect(
      (
        await h.gql(
          `mutation { updateFarm(id: "${farm.id}", input: { description: "Terraces" }) { description name } }`,
          {},
          users.farmerNoFarm,
        )
      ).body.data,
    ).toEqual({ updateFarm: { description: 'Terraces', name: 'Hillside' } });
    expect(
      codeOf(
        await h.gql(`mutation { updateFarm(id: "${farm.id}", input: { name: "Mine" }) { name } }`, {}, users.farmer),
      ),
    ).toBe('FORBIDDEN');
    const plot = await h.gql(
      `mutation { createPlot(farmId: "${farm.id}", input: { code: "H-1", areaM2: 12, pricePerSeasonCents: 9000, photos: ["plots/h1.jpg"] }) { code photos farm { name } } }`,
      {},
      users.farmerNoFarm,
    );
    expect(plot.body.data?.['createPlot']).toEqual({
      code: 'H-1',
      photos: ['plots/h1.jpg'],
      farm: { name: 'Hillside' },
    });
    const dup = await h.gql(
      `mutation { createPlot(farmId: "${farm.id}", input: { code: "H-1", areaM2: 12, pricePerSeasonCents: 9000 }) { code } }`,
      {},
      users.farmerNoFarm,
    );
    expect(codeOf(dup)).toBe('CONFLICT');
    expect(
      codeOf(
        await h.gql(
          `mutation { createPlot(farmId: "${demo.farms.greenAcres}", input: { code: "Z-1", areaM2: 12, pricePerSeasonCents: 9000 }) { code } }`,
          {},
          users.farmerNoFarm,
        ),
      ),
    ).toBe('FORBIDDEN');
    await new Promise((r) => setTimeout(r, 20));
    await seen.stop();
    expect(seen.events.filter((e) => e.farmId === farm.id).map((e) => e.name)).toEqual(['Hillside', 'Hillside']);
  });

  it('lets customers adopt animals and read updates; others may not read the feed', async () => {
    const animal = await h.gql(
      `mutation { createAnimal(farmId: "${demo.farms.orchardHill}", input: { name: "Pépite", species: "Hen", monthlyPriceCents: 500 }) { id name farm { name } } }`,
      {},
      users.farmer2,
    );
    const animalId = (animal.body.data?.['createAnimal'] as { id: string }).id;
    const adopt = await h.gql(
      `mutation { adoptAnimal(animalId: "${animalId}", startsOn: "${Y}-01-01", endsOn: "${Y}-07-01") { id status animal { name } customer { id } } }`,
      {},
      users.customer2,
    );
    expect(adopt.body.data?.['adoptAnimal']).toMatchObject({
      status: 'ACTIVE',
      animal: { name: 'Pépite' },
      customer: { id: users.customer2.id },
    });
    expect(
      codeOf(
        await h.gql(
          `mutation { adoptAnimal(animalId: "${animalId}", startsOn: "${Y}-01-01", endsOn: "${Y}-07-01") { id } }`,
          {},
          users.customer2,
        ),
      ),
    ).toBe('CONFLICT');
    expect(
      codeOf(
        await h.gql(
          `mutation { postAnimalUpdate(animalId: "${animalId}", message: "Laid her first egg") { id } }`,
          {},
          users.farmer,
        ),
      ),
    ).toBe('FORBIDDEN');
    await h.gql(
      `mutation { postAnimalUpdate(animalId: "${animalId}", message: "Laid her first egg", photos: ["animals/egg.jpg"]) { id } }`,
      {},
      users.farmer2,
    );
    const FEED = `{ animal(id: "${animalId}") { activity { edges { node { kind message photos } } } } }`;
    expect((await h.gql(FEED, {}, users.customer2)).body.data).toEqual({
      animal: {
        activity: {
          edges: [{ node: { kind: 'ANIMAL_UPDATE', message: 'Laid her first egg', photos: ['animals/egg.jpg'] } }],
        },
      },
    });
    expect(codeOf(await h.gql(FEED, {}, users.customer))).toBe('FORBIDDEN');
    const mine = await h.gql(`{ myAdoptions { edges { node { animal { name } } } } }`, {}, users.customer2);
    expect(mine.body.data).toEqual({ myAdoptions: { edges: [{ node: { animal: { name: 'Pépite' } } }] } });
  });

  it('lets exactly one of 20 simultaneous adoptions by one customer in when the database is slow (no second connection inside an adoption)', async () => {
    // The first adoption's insert takes a second: the others wait for it (one live adoption per customer and animal),
    // holding every connection of the pool (10) but its own. A read through the pool after the insert, inside its
    // transaction (the booking event's farm), would wait for them in turn: a deadlock until it timed out (5 s).
    const customer = await h.token('00000000-0000-4000-8000-000000004000', ['CUSTOMER']);
    const db = createFarmDb(h.database.url);
    const restore = await slowRowWrites(db, 'farm', 'adoption', 'INSERT', 'true', 1);
    try {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          h.gql(
            `mutation($a: ID!, $s: Date!, $e: Date!) { adoptAnimal(animalId: $a, startsOn: $s, endsOn: $e) { status } }`,
            { a: demoSeason.animals.noisette, s: `${Y}-03-01`, e: `${Y}-06-01` },
            customer,
          ),
        ),
      );
      const elapsed = Date.now() - started;
      expect(results.filter((r) => r.body.data?.['adoptAnimal'])).toEqual([
        { status: 200, body: { data: { adoptAnimal: { status: 'ACTIVE' } } } },
      ]);
      expect(results.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.['code']))).toEqual(
        Array.from({ length: 19 }, () => 'CONFLICT'),
      );
      expect(elapsed).toBeLessThan(4000);
    } finally {
      await restore();
      await db.$disconnect();
    }
  }, 30_000);
});

describe('events commit with the change they announce', () => {
  it('a harvest whose notification cannot be written is not recorded; once it can, both are, once', async () => {
    const db = createFarmDb(h.database.url);
    const lettuce = (
      (await h.gql('{ crops { id name } }')).body.data?.['crops'] as { id: string; name: string }[]
    ).find((c) => c.name === 'Lettuce')!.id;
    const record = () =>
      h.gql(
        `mutation($i: HarvestInput!) { recordHarvest(input: $i) { id } }`,
        { i: { rentalId: demoSeason.rental, cropId: lettuce, weightKg: 7.7, harvestedOn: `${Y}-06-02` } },
        users.farmer,
      );
    const harvests = () => db.harvest.count({ where: { rentalId: demoSeason.rental, weightKg: 7.7 } });
    const notices = async () =>
      (await outboxPayloads<NotificationRequested>(db, 'farm', topics.notificationRequested)).filter(
        (n) => n.kind === 'harvest' && n.title.startsWith('7.7 kg'),
      );
    const fault = await failOutboxWrites(db, 'farm', topics.notificationRequested);
    try {
      expect(codeOf(await record())).toBe('INTERNAL_SERVER_ERROR');
      expect(await fault.attempts()).toBe(1);
      expect(await harvests()).toBe(0);
      expect(await notices()).toEqual([]);
    } finally {
      await fault.restore();
    }
    const id = ((await record()).body.data?.['recordHarvest'] as { id: string }).id;
    expect(await harvests()).toBe(1);
    expect((await notices()).map((n) => n.eventId)).toEqual([`farm:harvest:${id}`]);
    await db.$disconnect();
  });
});
