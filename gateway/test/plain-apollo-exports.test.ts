import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
// fixtures.ts first: it loads @apollo/composition and @apollo/subgraph (so federation-internals and query-graphs)
// before the gateway, like the embedded start (`npm start`) loads the subgraphs first, and then the gateway, whose
// gateway.ts must be what runs plain-apollo-exports.ts (imported here only after it, to read what it did).
import { startFixtureStack, type FixtureStack } from './fixtures.ts';
import { gatewayLoadedFirst, plainEntries } from '../src/plain-apollo-exports.ts';

let stack: FixtureStack;
let gateway: RunningGateway;

beforeAll(async () => {
  stack = await startFixtureStack();
  gateway = await stack.gateway();
});
afterAll(async () => {
  await stack?.stop();
});

/** Every own enumerable name of `original`, with its value, as `plain` must hold it. */
function expectSameValues(original: Readonly<Record<string, unknown>>, plain: Readonly<Record<string, unknown>>) {
  expect(Object.keys(plain).sort()).toEqual(Object.keys(original).sort());
  const differing = Object.keys(original).filter((key) => plain[key] !== original[key]);
  expect(differing).toEqual([]);
}

describe("Apollo's entry modules with plain exports", () => {
  it('were replaced before @apollo/gateway loaded, so it got the plain objects', () => {
    expect(gatewayLoadedFirst).toBe(false);
    expect(plainEntries.map((e) => e.specifier)).toEqual([
      '@apollo/federation-internals',
      '@apollo/query-planner',
      '@apollo/query-graphs',
    ]);
    const fromGateway = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
    const fromPlanner = createRequire(fromGateway.resolve('@apollo/query-planner'));
    expect(fromGateway('@apollo/federation-internals')).toBe(plainEntries[0]?.plain);
    expect(fromGateway('@apollo/query-planner')).toBe(plainEntries[1]?.plain);
    expect(fromPlanner('@apollo/query-graphs')).toBe(plainEntries[2]?.plain);
  });

  it('hold data properties with the same values as the getters, and the ES-module flag', () => {
    for (const { specifier, original, plain } of plainEntries) {
      // The originals are what the replacement is for: getters (TypeScript's `export *`).
      expect(Object.values(Object.getOwnPropertyDescriptors(original)).some((d) => d.get !== undefined)).toBe(true);
      const accessors = Object.entries(Object.getOwnPropertyDescriptors(plain)).filter(([, d]) => d.get);
      expect(accessors.map(([key]) => `${specifier}.${key}`)).toEqual([]);
      expect(plain['__esModule']).toBe(true);
      expectSameValues(original, plain);
    }
  });

  it('still equal the live bindings after real requests through the gateway (no export is reassigned)', async () => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ping camera(id: "c1") { id name } }' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { ping?: string }; errors?: unknown };
    expect(body.data?.ping).toBe('pong');
    for (const { original, plain } of plainEntries) expectSameValues(original, plain);
  });
});
