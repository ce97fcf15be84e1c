// The first import of both kit entry points (index.ts, gateway-surface.ts), so it runs before any service loads
// @apollo/server (the gateway's gateway.ts imports the kit before Apollo). Apollo Server hashes every request's
// query text (its document-cache key) and Apollo Gateway every named operation (its query-plan-cache key) with
// @apollo/utils.createhash, whose `createHash(kind)` runs `module.require("crypto")` on every call so that it can fall
// back to sha.js outside Node: a module resolution per hash, through tsx's resolver hook (which production runs too,
// `node --import tsx`): 2.7 % of the gateway's CPU under load, against 0.6 % for the hashing itself. On Node that function
// returns exactly `crypto.createHash(kind)`; here each copy's export is set to Node's function itself, before Apollo
// Server's ES modules bind it (an ES module importing CommonJS copies the export once, when it is first evaluated).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** Where `user` finds @apollo/utils.createhash; null when `user` is not installed (Apollo Gateway in a subgraph's image). */
function hashModuleOf(user: string): string | null {
  let entry: string;
  try {
    entry = requireHere.resolve(user);
  } catch {
    return null;
  }
  return createRequire(entry).resolve('@apollo/utils.createhash');
}

/** Resolved from each package that uses it: Apollo Server has its own (3.x) copy, Apollo Gateway the 2.x one. */
const paths = [
  ...new Set(['@apollo/server', '@apollo/gateway'].map(hashModuleOf).filter((p): p is string => p !== null)),
];

export const nodeCreateHash = (kind: string) => createHash(kind);

/**
 * Copies of @apollo/utils.createhash that something imported before this module had already loaded: an ES module
 * among their importers (Apollo Server's) holds the original function. Empty when every entry point imports the kit
 * before Apollo.
 */
export const hashModulesLoadedFirst: readonly string[] = paths.filter((path) => requireHere.cache[path]?.loaded);

for (const path of paths) {
  const exports = requireHere(path) as { createHash?: unknown };
  // In place: CommonJS callers (Apollo Gateway) read `createHash` from this object at every call. Another shape (a
  // future version) is left alone.
  if (Object.getOwnPropertyDescriptor(exports, 'createHash')?.writable && typeof exports.createHash === 'function')
    exports.createHash = nodeCreateHash;
}
