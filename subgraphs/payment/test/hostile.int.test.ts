// Hostile input on every payment mutation and query argument: whatever arrives, the answer is data or an error with a
// stable code — never INTERNAL_SERVER_ERROR — and the ledger's invariants hold afterwards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startHarness, checkInvariants, users, type PaymentHarness } from './harness.ts';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await checkInvariants(h);
});
afterAll(async () => {
  await h?.stop();
});

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.uuid(),
  fc.constantFrom('', ' ', '2026-01', '2026-13', 'EUR', 'eur', '\u0000', 'x'.repeat(300)),
);
const operations: [string, fc.Arbitrary<Record<string, unknown>>][] = [
  ['mutation($id: ID!) { cancelBooking(paymentId: $id) { id } }', fc.record({ id: text })],
  [
    'mutation($f: ID!, $i: FarmPaymentSettingsInput!) { updateFarmPaymentSettings(farmId: $f, input: $i) { commissionBps } }',
    fc.record({
      f: text,
      i: fc.record({
        commissionBps: fc.option(fc.integer({ min: -100_000, max: 100_000 })),
        currency: fc.option(text),
        refundPolicy: fc.option(
          fc.array(
            fc.record({ daysBefore: fc.integer({ min: -10, max: 5000 }), percent: fc.integer({ min: -10, max: 500 }) }),
            { maxLength: 12 },
          ),
        ),
      }),
    }),
  ],
  [
    'mutation($f: ID!, $c: String!, $m: String!) { createPayout(farmerId: $f, currency: $c, month: $m) { id } }',
    fc.record({ f: text, c: text, m: text }),
  ],
  [
    'mutation($id: ID!, $r: String!) { markPayoutPaid(id: $id, reference: $r) { id } }',
    fc.record({ id: text, r: text }),
  ],
  [
    'query($m: String!, $f: ID) { payoutStatement(month: $m, farmerId: $f) { month } }',
    fc.record({ m: text, f: fc.option(text) }),
  ],
  [
    'query($n: Int, $a: String) { myPayments(first: $n, after: $a) { edges { cursor } } }',
    fc.record({ n: fc.option(fc.integer({ min: -5, max: 500 })), a: fc.option(text) }),
  ],
];

describe('hostile input', () => {
  it.each(operations.map(([query, args]) => [query.slice(0, 60), query, args] as const))(
    '%s… answers with stable codes',
    async (_name, query, args) => {
      await fc.assert(
        fc.asyncProperty(
          args,
          fc.constantFrom(users.customer, users.farmer, users.admin, users.partner),
          async (variables, as) => {
            const r = await h.gql(query, variables, as);
            expect(r.status).toBeLessThan(500);
            for (const e of r.body.errors ?? []) expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
          },
        ),
        { numRuns: 40 },
      );
    },
  );
});
