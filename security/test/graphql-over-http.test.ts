// The GraphQL-over-HTTP conformance audit of graphql-http (serverAudits) against the gateway: every MUST passes; the
// SHOULD/MAY audits the gateway knowingly does not meet are listed here and in the README ("Security model").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAudits, type AuditResult } from 'graphql-http';
import { startSuite, type Suite } from './harness.ts';

let suite: Suite;
const results: AuditResult[] = [];
beforeAll(async () => {
  suite = await startSuite();
  for (const audit of serverAudits({ url: `${suite.gatewayUrl}/graphql` })) results.push(await audit.fn());
}, 180_000);
afterAll(async () => {
  await suite?.close();
});

/** SHOULD/MAY audits not met, by id, with the reason (the README repeats them). */
const LEGACY_400 =
  'Apollo Server answers a request that cannot be executed (parse, validation, variable coercion) with 400 also for application/json; clients and partners rely on that status';
const CSRF_GET =
  'GET requests must carry a non-simple header (Apollo Server CSRF prevention), which a plain form-encoded GET from the audit does not';
export const KNOWINGLY_UNMET: Readonly<Record<string, string>> = {
  '572B': LEGACY_400,
  FDE2: LEGACY_400,
  '7B9B': LEGACY_400,
  '5A70': CSRF_GET,
  D6D5: CSRF_GET,
  '6A70': CSRF_GET,
};

describe('graphql-http server audit against the gateway', () => {
  it('passes every MUST', () => {
    const failed = results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok');
    expect(failed.map((r) => `${r.id} ${r.name}: ${r.status === 'ok' ? '' : r.reason}`)).toEqual([]);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  it('misses only the SHOULD/MAY audits it documents as knowingly unmet', () => {
    const unmet = results.filter((r) => !r.name.startsWith('MUST') && r.status !== 'ok');
    expect(Object.fromEntries(unmet.map((r) => [r.id, r.name]))).toEqual(
      Object.fromEntries(Object.keys(KNOWINGLY_UNMET).map((id) => [id, results.find((r) => r.id === id)?.name])),
    );
  });
});
