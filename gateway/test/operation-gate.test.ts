import { describe, expect, it } from 'vitest';
import { buildSchema, type GraphQLError, type GraphQLSchema } from 'graphql';
import { createLogger, createMetrics } from '@vegshare/kit';
import { OperationGate, isGated, type GatedOperation } from '../src/operation-gate.ts';
import { operationLimitRules, defaultOperationLimits } from '../src/operation-limits.ts';
import { PersistedOperations } from '../src/persisted/manifest.ts';
import { persistedOperationsPolicy } from '../src/persisted/safelist.ts';
import { InputScalarCheck } from '../src/input-scalars.ts';
import { anonymousContext } from './fixtures.ts';

const SDL = 'type Query { ok: Boolean } type Subscription { tick(channel: String!): Int }';
const anonymous = anonymousContext;

function gate(schema: () => GraphQLSchema): OperationGate {
  const rules = operationLimitRules();
  const scalars = new InputScalarCheck();
  scalars.update(schema());
  return new OperationGate({
    schema,
    rules,
    maxTokens: defaultOperationLimits.maxTokens,
    persisted: persistedOperationsPolicy({
      operations: new PersistedOperations([]),
      mode: 'off',
      metrics: createMetrics('gateway'),
      logger: createLogger('gateway', 'silent'),
      validationRules: rules,
    }),
    hideSchemaDetails: false,
    scalars,
  });
}

const passed = (result: GatedOperation | readonly GraphQLError[]): GatedOperation => {
  if (!isGated(result)) throw new Error(`refused: ${result.map((e) => e.message).join('; ')}`);
  return result;
};

describe('operation gate: one document per operation text', () => {
  it('hands every subscriber of the same text the same parsed document, and each its own operation and variables check', () => {
    const schema = buildSchema(SDL);
    const checks = gate(() => schema);
    // Two connections send the same text (two string copies, as two parsed messages are).
    const text = 'subscription Watch($c: String!) { tick(channel: $c) }';
    const first = passed(checks.check({ query: [...text].join(''), variables: { c: 'a' } }, anonymous));
    const second = passed(checks.check({ query: [...text].join(''), variables: { c: 'b' } }, anonymous));
    expect(second.document).toBe(first.document);
    expect(second.operation.name?.value).toBe('Watch');
    // Per-request checks still run on a known document.
    const unknownName = checks.check({ query: text, operationName: 'Other' }, anonymous);
    expect(isGated(unknownName)).toBe(false);
  });

  it('never remembers a refused text, and checks a known text again against a reloaded schema', () => {
    let schema = buildSchema(SDL);
    const checks = gate(() => schema);
    const text = 'subscription { tick(channel: "a") }';
    const before = passed(checks.check({ query: text }, anonymous));
    expect(isGated(checks.check({ query: 'subscription { nope }' }, anonymous))).toBe(false);
    expect(isGated(checks.check({ query: 'subscription { nope }' }, anonymous))).toBe(false);

    // The reloaded supergraph no longer has the field: the same text is refused, not served from memory.
    schema = buildSchema('type Query { ok: Boolean } type Subscription { other: Int }');
    const after = checks.check({ query: text }, anonymous);
    expect(isGated(after)).toBe(false);
    expect((after as readonly GraphQLError[])[0]?.extensions['code']).toBe('GRAPHQL_VALIDATION_FAILED');

    // And back: a new document, validated against that schema.
    schema = buildSchema(SDL);
    expect(passed(checks.check({ query: text }, anonymous)).document).not.toBe(before.document);
  });
});
