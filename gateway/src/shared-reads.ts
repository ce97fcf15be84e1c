import type { IncomingMessage } from 'node:http';
import { getOperationAST, parse } from 'graphql';
import { LRUCache } from 'lru-cache';

type OperationKind = 'query' | 'mutation' | 'subscription' | 'invalid';

/**
 * The key under which identical client reads in flight share one execution: same caller (Authorization header),
 * same operation text, operation name, variables and extensions. Mutations, invalid documents, persisted-query
 * hashes without text and partner API-key calls (rate-limited and billed per request) are never shared.
 */
export function sharedReadKey(): (req: IncomingMessage, body: unknown) => string | null {
  const kinds = new LRUCache<string, OperationKind>({ max: 2000 });
  const kindOf = (query: string, operationName: string | undefined): OperationKind => {
    const cacheKey = `${operationName ?? ''}\u0000${query}`;
    let kind = kinds.get(cacheKey);
    if (!kind) {
      try {
        kind = getOperationAST(parse(query, { maxTokens: 5000 }), operationName)?.operation ?? 'invalid';
      } catch {
        kind = 'invalid';
      }
      kinds.set(cacheKey, kind);
    }
    return kind;
  };
  return (req, body) => {
    if (
      req.method !== 'POST' ||
      req.headers['x-api-key'] !== undefined ||
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body)
    )
      return null;
    const { query, operationName, variables, extensions } = body as Record<string, unknown>;
    if (
      typeof query !== 'string' ||
      (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    )
      return null;
    if (kindOf(query, operationName ?? undefined) !== 'query') return null;
    return JSON.stringify([
      req.headers.authorization ?? '',
      query,
      operationName ?? null,
      variables ?? null,
      extensions ?? null,
    ]);
  };
}
