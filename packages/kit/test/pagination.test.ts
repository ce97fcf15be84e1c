import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import {
  connectionOf,
  createdAtKey,
  createdBefore,
  decodeCursor,
  encodeCursor,
  pageSize,
  type Cursor,
} from '../src/pagination.ts';

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error instanceof GraphQLError ? [error.extensions['code'], error.extensions['field']] : error;
  }
  return 'no error';
};

describe('keyset pagination', () => {
  it('takes first from 0 to 100 (default 20) and refuses anything else on `first`', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(0)).toBe(0);
    expect(pageSize(100)).toBe(100);
    for (const bad of [-1, 101, 1.5, Number.NaN])
      expect(codeOf(() => pageSize(bad))).toEqual(['BAD_USER_INPUT', 'first']);
  });

  it('reads back every cursor it writes, and refuses anything else on `after`', () => {
    const cursor = fc.record({
      key: fc.oneof(
        fc.string({ maxLength: 300 }).filter((s) => !s.includes('\u0000')),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
      ),
      id: fc.uuid(),
    });
    fc.assert(
      fc.property(cursor, (c: Cursor) => {
        expect(decodeCursor(encodeCursor(c))).toEqual(c);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (junk) => {
        const result = codeOf(() => decodeCursor(junk));
        // Junk either happens to be no cursor at all, or is refused as BAD_USER_INPUT on `after`.
        expect(['no error', 'BAD_USER_INPUT,after']).toContain(String(result));
      }),
    );
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', "x' OR 1=1"])).toString('base64url');
    expect(codeOf(() => decodeCursor(forged))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(decodeCursor(undefined)).toBeNull();
  });

  it('builds a page from first+1 rows and resumes after its end cursor', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      id: `00000000-0000-4000-8000-00000000000${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 10 - i)),
    }));
    const page = connectionOf(rows.slice(0, 3), 2, createdAtKey, false);
    expect(page.edges.map((e) => e.node.id)).toEqual([rows[0]!.id, rows[1]!.id]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const after = decodeCursor(page.pageInfo.endCursor);
    expect(createdBefore(after)).toEqual({
      OR: [{ createdAt: { lt: rows[1]!.createdAt } }, { createdAt: rows[1]!.createdAt, id: { lt: rows[1]!.id } }],
    });
    expect(createdBefore(null)).toEqual({});
    const notADate = decodeCursor(encodeCursor({ key: 'yesterday', id: rows[0]!.id }));
    expect(codeOf(() => createdBefore(notADate))).toEqual(['BAD_USER_INPUT', 'after']);
  });
});
