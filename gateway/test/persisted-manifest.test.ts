// The partner manifest is a contract: every operation in it must still run against the supergraph we ship, so a
// schema change that breaks a partner's persisted operation fails CI here instead of in production.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaOf } from '@vegshare/tools/supergraph';
import { loadGatewayConfig } from '../src/env.ts';
import { loadPersistedOperations } from '../src/persisted/manifest.ts';
import { operationLimitRules } from '../src/operation-limits.ts';

const supergraph = readFileSync(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url)), 'utf8');
const manifest = loadPersistedOperations(loadGatewayConfig({}).PERSISTED_OPERATIONS_PATH);

describe('gateway/persisted-operations.json', () => {
  it('is the default manifest, consistent (ids are sha256 of bodies) and not empty', () => {
    expect(loadGatewayConfig({}).PERSISTED_OPERATIONS_PATH).toBe(
      fileURLToPath(new URL('../persisted-operations.json', import.meta.url)),
    );
    expect(manifest.size).toBeGreaterThanOrEqual(3);
  });

  it('validates operation by operation against the current supergraph, within the gateway operation limits', () => {
    expect(manifest.problemsAgainst(apiSchemaOf(supergraph), operationLimitRules())).toEqual([]);
  });

  it('would fail on a schema that lost a field a partner operation selects', () => {
    const shrunk = buildSchema('type Query { crops: [Crop!]! } type Crop { id: ID! name: String! }');
    expect(manifest.problemsAgainst(shrunk).join('\n')).toMatch(
      /CropCatalogue .*Cannot query field "variety" on type "Crop"/,
    );
  });
});
