// The explorer's saved examples are documentation partners run as they are: each must validate against the supergraph
// we ship, and the OAuth guide must name the endpoints auth really serves.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaOf } from '@vegshare/tools/supergraph';
import { exampleOperations } from '../explorer/src/examples.ts';
import { OAUTH_PROXY_PATHS } from '../src/oauth-proxy.ts';

const schema = apiSchemaOf(
  readFileSync(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url)), 'utf8'),
);

describe('explorer examples', () => {
  it('validate against the current supergraph', () => {
    for (const example of exampleOperations) {
      expect(validate(schema, parse(example.query)).map((e) => `${example.title}: ${e.message}`)).toEqual([]);
      if (example.headers) expect(() => JSON.parse(example.headers ?? '') as unknown).not.toThrow();
    }
  });

  it('include the partner OAuth guide, naming endpoints the gateway forwards and a mutation the schema has', () => {
    const guide = exampleOperations.find((e) => e.title.includes('OAuth'));
    expect(guide?.query).toContain('/oauth/token');
    for (const path of ['/oauth/token', '/oauth/introspect', '/oauth/revoke', '/.well-known/openid-configuration']) {
      expect(guide?.query).toContain(path);
      expect(OAUTH_PROXY_PATHS).toContain(path);
    }
    const mutation = /# {6}(mutation \{[\s\S]*?\n# {6}\})/.exec(guide?.query ?? '')?.[1]?.replace(/^# {0,6}/gm, '');
    expect(mutation).toBeDefined();
    expect(validate(schema, parse(mutation ?? ''))).toEqual([]);
  });
});
