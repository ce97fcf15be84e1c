// The kit first, as every service imports it: its node-create-hash.ts must run before @apollo/server loads.
import { hashModulesLoadedFirst } from '../src/index.ts';
import { createHash } from 'node:crypto';
import Module, { createRequire } from 'node:module';
import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeCreateHash } from '../src/node-create-hash.ts';

const requireHere = createRequire(import.meta.url);
const hashModuleOf = (user: string) => createRequire(requireHere.resolve(user)).resolve('@apollo/utils.createhash');

/** Module.prototype.require, to count what Apollo requires while it runs operations. */
const moduleRequire = (Module as unknown as { prototype: { require: (this: unknown, id: string) => unknown } })
  .prototype;
const originalRequire = moduleRequire.require;
afterEach(() => {
  moduleRequire.require = originalRequire;
});

describe("Apollo's createHash is Node's", () => {
  it("in both copies (Apollo Server's, Apollo Gateway's), none loaded before the kit", () => {
    expect(hashModulesLoadedFirst).toEqual([]);
    const serverCopy = hashModuleOf('@apollo/server');
    const gatewayCopy = hashModuleOf('@apollo/gateway');
    expect(serverCopy).not.toBe(gatewayCopy);
    for (const path of [serverCopy, gatewayCopy])
      expect((requireHere(path) as { createHash: unknown }).createHash).toBe(nodeCreateHash);
  });

  it('so Apollo Server hashes each operation without resolving a module, and as Node does (APQ still matches)', async () => {
    const server = new ApolloServer({
      typeDefs: 'type Query { ok: Boolean }',
      resolvers: { Query: { ok: () => true } },
    });
    await server.start();
    const required: string[] = [];
    moduleRequire.require = function (this: unknown, id: string) {
      required.push(id);
      return originalRequire.call(this, id);
    };
    try {
      const sha256Hash = createHash('sha256').update('{ ok }').digest('hex');
      const registered = await server.executeOperation({
        query: '{ ok }',
        extensions: { persistedQuery: { version: 1, sha256Hash } },
      });
      expect(registered.body.kind === 'single' && registered.body.singleResult.errors).toBeUndefined();
      const byHash = await server.executeOperation({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
      expect(byHash.body.kind === 'single' && byHash.body.singleResult.data).toEqual({ ok: true });
      const other = await server.executeOperation({ query: '{ a: ok }' });
      expect(other.body.kind === 'single' && other.body.singleResult.data).toEqual({ a: true });
      expect(required).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
