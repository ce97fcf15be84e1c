// Hostile input on every mutation (and the paginated query): whatever a client sends, the answer is data or an error
// with a stable code, never a 500, an INTERNAL_SERVER_ERROR or a leaked database message.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startHarness, type GraphQLResponse, type Harness } from './harness.ts';

let h: Harness;
let token: string;
const RUNS = Number(process.env['FC_RUNS'] ?? 30);
const TIMEOUT = 120_000;

beforeAll(async () => {
  h = await startHarness();
  token = await h.tokens.mint(randomUUID());
});
afterAll(async () => {
  await h?.close();
});

/** Strings a user might type plus the nasty ones: control characters, unicode, whitespace, very long, SQL-ish. */
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', "'; DROP TABLE profile; --", '\u202e', 'a'.repeat(300), '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\ud800'),
);
const phone = fc.oneof(nasty, fc.stringMatching(/^\+[1-9][0-9 ]{1,16}$/), fc.constant(null));
const locale = fc.oneof(
  nasty,
  fc.constantFrom('en', 'en-GB', 'fr-fr', 'pt-BR', 'zh-Hant-TW', 'x-private', 'i-klingon', 'root', 'und'),
);
const timeZone = fc.oneof(
  nasty,
  fc.constantFrom('Europe/Paris', 'UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', '../../etc/passwd', 'EST', 'Z'),
);
const country = fc.oneof(nasty, fc.constantFrom('FR', 'de', 'XK', 'ZZ', 'EU', 'US ', 'F1'));

const EXPECTED = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED']);

function assertStable(res: GraphQLResponse<unknown>): void {
  expect(res.status).toBeLessThan(500);
  for (const code of codes(res))
    expect(EXPECTED, `unexpected code ${code}: ${JSON.stringify(res.body.errors)}`).toContain(code);
  const text = JSON.stringify(res.body.errors ?? []);
  expect(text).not.toMatch(/prisma|postgres|violates|stack|at \//i);
}

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

describe('property: hostile input never causes a 500', () => {
  it(
    'updateProfile',
    async () => {
      const mutation =
        'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName phone locale timeZone } }';
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            displayName: optional(fc.oneof(nasty, fc.constant(null))),
            phone: optional(phone),
            locale: optional(locale),
            timeZone: optional(timeZone),
          }),
          async (input) => {
            const res = await h.gql<{
              updateProfile: { displayName: string; phone: string | null; locale: string; timeZone: string };
            }>(mutation, { input }, token);
            assertStable(res);
            const profile = res.body.data?.updateProfile;
            if (profile) {
              expect(profile.displayName.trim()).toBe(profile.displayName);
              expect(profile.displayName.length).toBeGreaterThan(0);
              if (profile.phone !== null) expect(profile.phone).toMatch(/^\+[1-9]\d{1,14}$/);
              expect(() => Intl.getCanonicalLocales(profile.locale)).not.toThrow();
              expect(() => new Intl.DateTimeFormat('en', { timeZone: profile.timeZone })).not.toThrow();
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'createDeliveryAddress and updateDeliveryAddress',
    async () => {
      const create =
        'mutation($input: DeliveryAddressInput!) { createDeliveryAddress(input: $input) { id countryCode postalCode city phone } }';
      const update =
        'mutation($id: ID!, $patch: DeliveryAddressPatch!) { updateDeliveryAddress(id: $id, patch: $patch) { id countryCode } }';
      const seed = await h.gql<{ createDeliveryAddress: { id: string } }>(
        create,
        { input: { recipientName: 'A', line1: 'B', postalCode: '1000', city: 'C', countryCode: 'BE' } },
        token,
      );
      const ownId = seed.body.data!.createDeliveryAddress.id;
      const fields = {
        label: optional(nasty),
        recipientName: nasty,
        line1: nasty,
        line2: optional(nasty),
        postalCode: fc.oneof(nasty, fc.stringMatching(/^[0-9A-Z -]{1,10}$/)),
        city: nasty,
        region: optional(nasty),
        countryCode: country,
        phone: optional(phone),
        instructions: optional(nasty),
      };
      await fc.assert(
        fc.asyncProperty(
          fc.record({ ...fields, isDefault: optional(fc.boolean()) }),
          fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, optional(v)]))),
          fc.constantFrom(ownId, randomUUID(), 'nope'),
          async (input, patch, id) => {
            const created = await h.gql<{ createDeliveryAddress: { countryCode: string; phone: string | null } }>(
              create,
              { input },
              token,
            );
            assertStable(created);
            const address = created.body.data?.createDeliveryAddress;
            if (address) {
              expect(address.countryCode).toMatch(/^[A-Z]{2}$/);
              if (address.phone !== null) expect(address.phone).toMatch(/^\+[1-9]\d{1,14}$/);
            }
            assertStable(await h.gql(update, { id, patch }, token));
          },
        ),
        { numRuns: RUNS },
      );
      const rows = await h.db.deliveryAddress.findMany({ where: { isDefault: true } });
      expect(new Set(rows.map((r) => r.userId)).size).toBe(rows.length);
    },
    TIMEOUT,
  );

  it(
    'requestAvatarUpload, confirmAvatarUpload, preferences, markNotificationsRead and notifications',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(nasty, fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          nasty,
          fc.oneof(fc.array(nasty, { maxLength: 3 }), fc.constant(null)),
          fc.option(fc.boolean(), { nil: undefined }),
          fc.integer({ min: -5, max: 200 }),
          fc.option(nasty, { nil: undefined }),
          async (contentType, sizeBytes, key, ids, all, first, after) => {
            assertStable(
              await h.gql(
                'mutation($t: String!, $s: Int!) { requestAvatarUpload(contentType: $t, sizeBytes: $s) { key } }',
                { t: contentType, s: sizeBytes },
                token,
              ),
            );
            assertStable(
              await h.gql('mutation($k: String!) { confirmAvatarUpload(key: $k) { id } }', { k: key }, token),
            );
            assertStable(
              await h.gql(
                'mutation($k: String!) { updateNotificationPreference(input: { kind: $k, push: true }) { kind } }',
                { k: key },
                token,
              ),
            );
            assertStable(
              await h.gql(
                'mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { updatedCount } }',
                { input: { ids, ...(all === undefined ? {} : { all }) } },
                token,
              ),
            );
            assertStable(
              await h.gql(
                'query($f: Int, $a: String) { notifications(first: $f, after: $a) { unreadCount } }',
                { f: first, a: after },
                token,
              ),
            );
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
