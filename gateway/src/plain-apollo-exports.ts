// Loaded by gateway.ts before @apollo/gateway (it must stay its first import). The Apollo federation packages are
// CommonJS compiled by TypeScript, whose `export *` turns every re-exported name of a package's entry module into a
// getter (`Object.defineProperty(exports, k, { enumerable: true, get: () => m[k] })`), on an object with hundreds of
// them that V8 keeps in dictionary mode, where the getter is never inlined. @apollo/gateway's per-request code (result
// shaping, plan execution) reaches `assert`, `isNonNullType`, `typenameFieldName`, … through those getters on every
// field: a getter call and a dictionary lookup per access (≈30 ns against ≈5 for a plain property; the getters were
// 1.7 % of the gateway's CPU under load and a quarter of result shaping). Here each entry module is loaded once and
// its exports in Node's module cache replaced by a plain object with the same values, so every later `require()` —
// @apollo/gateway's, @apollo/query-planner's — gets ordinary data properties.
// Sound because these packages never assign an export after loading (their dist assigns `exports.X` only at the top
// level: declarations and enum objects; checked for 2.14.4, and the test compares every value after real requests),
// so a copy taken after loading equals the live bindings forever.
import { createRequire } from 'node:module';

/** One entry module whose exports were replaced: where it is, its original exports, and the plain copy now cached. */
export interface PlainEntry {
  readonly specifier: string;
  readonly path: string;
  readonly original: Readonly<Record<string, unknown>>;
  readonly plain: Readonly<Record<string, unknown>>;
}

const requireHere = createRequire(import.meta.url);
/** Resolved from the package that requires each one, so a nested copy would be the one replaced. */
const gatewayEntry = requireHere.resolve('@apollo/gateway');
const queryPlannerEntry = createRequire(gatewayEntry).resolve('@apollo/query-planner');
const entries: readonly { specifier: string; from: string }[] = [
  { specifier: '@apollo/federation-internals', from: gatewayEntry },
  { specifier: '@apollo/query-planner', from: gatewayEntry },
  { specifier: '@apollo/query-graphs', from: queryPlannerEntry },
];

/**
 * Whether @apollo/gateway had already been loaded when this module ran: then it holds the getter objects and the
 * replacement cannot reach it (an entry point imported it before gateway.ts).
 */
export const gatewayLoadedFirst = requireHere.cache[gatewayEntry]?.loaded === true;

function replaceWithPlain({ specifier, from }: { specifier: string; from: string }): PlainEntry {
  const load = createRequire(from);
  const path = load.resolve(specifier);
  const original = load(specifier) as Record<string, unknown>;
  const cached = load.cache[path];
  if (!cached) throw new Error(`${specifier} is not in the module cache after loading it`);
  // Object.fromEntries builds it in V8's fast mode (assigning ~300 keys one by one would leave a dictionary).
  const plain: Record<string, unknown> = Object.fromEntries(Object.keys(original).map((key) => [key, original[key]]));
  // TypeScript's interop (`__importDefault`, `__importStar`) reads this flag; same descriptor as the original's.
  Object.defineProperty(plain, '__esModule', { value: true });
  cached.exports = plain;
  return { specifier, path, original, plain };
}

export const plainEntries: readonly PlainEntry[] = entries.map(replaceWithPlain);
