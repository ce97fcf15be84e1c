import { badInput } from '@vegshare/kit';

const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

/** Position after which a page starts: the sort value of the last row seen and its id (keyset pagination). */
export interface Cursor {
  readonly key: string | number;
  readonly id: string;
}

export const clampFirst = (first: number | null | undefined): number =>
  Math.min(Math.max(first ?? DEFAULT_PAGE, 0), MAX_PAGE);

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Decodes an opaque `after` cursor; anything we did not write is BAD_USER_INPUT on `after`. */
export function decodeCursor(after: string | null | undefined): Cursor | null {
  if (after === null || after === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      (typeof value[0] === 'string' || (typeof value[0] === 'number' && Number.isFinite(value[0]))) &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      if (typeof value[0] === 'string' && (value[0].length > 300 || value[0].includes('\u0000')))
        throw new Error('bad key');
      return { key: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw badInput('after: not a cursor from this API', 'after');
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}
export interface Connection<T, E extends Edge<T> = Edge<T>> {
  readonly edges: E[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** Builds a connection from up to first+1 rows in order (the extra row only tells that there is a next page). */
export function connectionOf<T>(
  rows: readonly T[],
  first: number,
  keyOf: (row: T) => Cursor,
  hadCursor: boolean,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Sort key of a timestamp column as it goes into a cursor. */
export const timeKey = (value: Date | string): string => (typeof value === 'string' ? value : value.toISOString());
