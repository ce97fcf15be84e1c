import { badInput, isUuid } from '@vegshare/kit';

const MAX_PAGE = 100;

export interface Page<T> {
  readonly edges: { cursor: string; node: T }[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const encode = (at: Date, id: string) => Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

/** Keyset position (createdAt, id) from an opaque cursor; anything we did not write is BAD_USER_INPUT. */
export function decodeCursor(after: string | null | undefined): { at: Date; id: string } | null {
  if (after == null) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1]) && v[0].length < 40) {
      const at = new Date(v[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: v[1] };
    }
  } catch {
    // fall through
  }
  throw badInput('after: not a cursor from this API', 'after');
}

export function clampFirst(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`, 'first');
  return n;
}

/** Prisma `where` for rows after the cursor, newest first. */
export const afterCursor = (c: { at: Date; id: string } | null) =>
  c ? { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] } : {};

export function pageOf<T extends { createdAt: Date; id: string }>(
  rows: readonly T[],
  first: number,
  hadCursor: boolean,
): Page<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encode(node.createdAt, node.id), node }));
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
