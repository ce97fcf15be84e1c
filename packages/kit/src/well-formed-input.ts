import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

/** A UTF-16 surrogate without its pair: no UTF-8 text (Postgres, JSON elsewhere) can hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const MAX_DEPTH = 64;

/** Where in `value` (variables) a string with a lone surrogate is, or null when every string is well formed. */
export function illFormedPath(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(value)' : null;
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof key === 'string' && LONE_SURROGATE.test(key)) return `${path}.${key}`;
    const found = illFormedPath(child, path ? `${path}.${String(key)}` : String(key), depth + 1);
    if (found) return found;
  }
  return null;
}

/** True when a string literal of the operation holds a lone surrogate. */
export function documentHasIllFormedText(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (LONE_SURROGATE.test(node.value)) found = true;
    },
  });
  return found;
}

export const illFormedInputError = (where: string): GraphQLError =>
  new GraphQLError(`${where} contains broken Unicode (a lone UTF-16 surrogate)`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });

/** Refuses, as BAD_USER_INPUT (400), an operation whose variables or string literals hold lone surrogates. */
export function wellFormedInputPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  // Apollo Server hands every request of the same query text the same parsed document (its document cache), so the
  // literals of a document are checked once, not on every request (a visit of the whole tree each time).
  const checked = new WeakMap<DocumentNode, boolean>();
  const hasIllFormedText = (document: DocumentNode): boolean => {
    let found = checked.get(document);
    if (found === undefined) {
      found = documentHasIllFormedText(document);
      checked.set(document, found);
    }
    return found;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const path = illFormedPath(request.variables ?? {});
          if (path) throw illFormedInputError(`Variable ${path}`);
          if (hasIllFormedText(document)) throw illFormedInputError('The operation');
        },
      };
    },
  };
}
