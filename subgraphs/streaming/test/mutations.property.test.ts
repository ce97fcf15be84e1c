import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { demo } from '@vegshare/demo';
import { gql, startHarness, users, type GqlResult, type Harness } from './harness.ts';

let h: Harness;
let farmer = '';
let customer = '';
beforeAll(async () => {
  h = await startHarness();
  farmer = await h.token(users.farmer.id, users.farmer.roles);
  customer = await h.token(users.customer.id, users.customer.roles);
});
afterAll(async () => {
  await h?.stop();
});

const EXPECTED_CODES = ['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CONFLICT'];

/** Whatever the input, an answer is data or a deliberate client error: never a 5xx or an internal error. */
function expectNoInternalError(r: GqlResult<unknown>): void {
  expect(r.status).toBeLessThan(500);
  for (const e of r.errors ?? []) {
    expect(EXPECTED_CODES).toContain(e.extensions?.code);
    expect(e.message).not.toMatch(/prisma|postgres|invalid input syntax|stack/i);
  }
}

const hostile = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    "'; DROP TABLE camera; --",
    'rtsp://',
    'rtsp://a b',
    '\u202e',
    'x'.repeat(3000),
    demo.farms.greenAcres,
    demo.plots.greenA1,
  ),
  fc.uuid().map((u) => u),
  fc.webUrl({ validSchemes: ['rtsp', 'rtmp', 'http', 'file'] }),
);

describe('mutations under arbitrary input', () => {
  it('registerCamera either creates exactly what was asked (validated) or refuses with a client error', async () => {
    const REGISTER =
      'mutation($i: RegisterCameraInput!) { registerCamera(input: $i) { id name sourceUrl farm { id } plot { id } } }';
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          farmId: fc.oneof(fc.constant(demo.farms.greenAcres), hostile),
          plotId: fc.option(hostile),
          name: hostile,
          sourceUrl: fc.oneof(hostile, fc.constant('rtsp://cam.example.com/x')),
        }),
        async (input) => {
          const r = await gql<{ registerCamera: { name: string; sourceUrl: string; farm: { id: string } } }>(
            h,
            REGISTER,
            { i: input },
            farmer,
          );
          expectNoInternalError(r);
          if (r.data?.registerCamera) {
            expect(r.data.registerCamera.name).toBe(input.name.trim());
            expect(r.data.registerCamera.sourceUrl).toBe(input.sourceUrl);
            expect(r.data.registerCamera.sourceUrl).toMatch(/^(rtsps?|rtmps?):\/\/\S+$/);
            expect(r.data.registerCamera.farm.id).toBe(demo.farms.greenAcres);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('updateCamera, removeCamera, startStream, stopStream, heartbeat and playbackUrl never fail internally', async () => {
    const OPS = [
      'mutation($id: ID!, $i: UpdateCameraInput!) { updateCamera(id: $id, input: $i) { id } }',
      'mutation($id: ID!) { startStream(cameraId: $id) { id } }',
      'mutation($id: ID!) { stopStream(cameraId: $id) { id } }',
      'mutation($id: ID!) { heartbeat(streamId: $id) }',
      'query($id: ID!) { playbackUrl(streamId: $id) { url } }',
      'query($id: ID!) { recordings(cameraId: $id, first: 1000) { id } }',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPS),
        fc.oneof(hostile, fc.constantFrom(demo.cameras.greenA1, demo.cameras.orchard1)),
        fc.record(
          {
            name: fc.option(hostile),
            sourceUrl: fc.option(hostile),
            plotId: fc.option(hostile),
            enabled: fc.option(fc.boolean()),
            public: fc.option(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom('farmer', 'customer', 'anonymous'),
        async (query, id, input, who) => {
          const token = who === 'farmer' ? farmer : who === 'customer' ? customer : undefined;
          expectNoInternalError(await gql(h, query, { id, i: input }, token));
        },
      ),
      { numRuns: 80 },
    );
  });
});
