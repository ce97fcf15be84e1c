import { badInput } from './errors.ts';
import { isUuid } from './loaders.ts';

/**
 * Keyset pagination, the one way every subgraph pages a connection (Relay's `first`/`after`): an opaque cursor holds
 * the last row's sort key and id; a page is fetched as `first + 1` rows in order, the extra row only telling that there
 * is a next page.
 */

const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

/** Position after which a page starts: the sort value of the last row seen and its id. */
export interface Cursor {
  readonly key: string | number;
  readonly id: string;
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

/** `first` as asked, or the default; anything but a whole number from 0 to MAX_PAGE is BAD_USER_INPUT on `first`. */
export function pageSize(first: number | null | undefined): number {
  const n = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`, 'first');
  return n;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

/** Decodes an opaque `after` cursor; anything we did not write is BAD_USER_INPUT on `after`. */
export function decodeCursor(after: string | null | undefined): Cursor | null {
  if (after === null || after === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string' && isUuid(value[1])) {
      const [key, id] = value as [unknown, string];
      if (typeof key === 'number' && Number.isFinite(key)) return { key, id };
      if (typeof key === 'string' && key.length <= 300 && !key.includes('\u0000')) return { key, id };
    }
  } catch {
    // fall through
  }
  throw notACursor();
}

const notACursor = () => badInput('after: not a cursor from this API', 'after');

/** Builds a connection from up to first+1 rows in order (the extra row only tells that there is a next page). */
export function connectionOf<T>(
  rows: readonly T[],
  first: number,
  keyOf: (row: T) => Cursor,
  hadCursor: boolean,
): Connection<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return { edges, pageInfo: pageInfoOf(edges, rows.length > first, hadCursor) };
}

/** The page info of edges already built (a connection whose edges carry more than cursor and node). */
export function pageInfoOf(
  edges: readonly Edge<unknown>[],
  hasNextPage: boolean,
  hadCursor: boolean,
): Connection<unknown>['pageInfo'] {
  return {
    hasNextPage,
    hasPreviousPage: hadCursor,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}

/** Sort key of a timestamp column as it goes into a cursor. */
export const timeKey = (value: Date | string): string => (typeof value === 'string' ? value : value.toISOString());

/** Newest first on (createdAt, id): a row's cursor. */
export const createdAtKey = (row: { readonly createdAt: Date; readonly id: string }): Cursor => ({
  key: row.createdAt.toISOString(),
  id: row.id,
});

/** Newest first on (createdAt, id): the Prisma `where` for the rows after `cursor` (none: every row). */
export function createdBefore(
  cursor: Cursor | null,
): { OR: [{ createdAt: { lt: Date } }, { createdAt: Date; id: { lt: string } }] } | Record<string, never> {
  if (!cursor) return {};
  const at = typeof cursor.key === 'string' ? new Date(cursor.key) : null;
  if (!at || Number.isNaN(at.getTime())) throw notACursor();
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: cursor.id } }] };
}
