import DataLoader from 'dataloader';
import { Prisma } from '../generated/prisma/client.ts';
import type { FarmDb, FarmSql } from '../db.ts';
import { connectionOf, decodeCursor, pageSize, type Connection, type Cursor } from '@vegshare/kit';

/**
 * One page of children for many parents in a constant number of statements: a window function numbers each
 * parent's children in keyset order after the cursor, we keep first+1 per parent, then load the rows by id.
 * Every SQL fragment of a spec is a constant of this module; only values travel as parameters.
 */
export interface ChildSpec<T extends { id: string }> {
  /** Table expression; the child table is aliased `t`. */
  readonly from: string;
  /** Expression of the parent key (uuid), or null for a single, unpartitioned list. */
  readonly parent: string | null;
  /** Sort column expression and its SQL type for the cursor parameter. */
  readonly sort: string;
  readonly sortType: 'timestamptz' | 'date' | 'text';
  readonly descending: boolean;
  readonly load: (db: FarmDb, ids: string[]) => Promise<T[]>;
  readonly keyOf: (row: T) => Cursor;
  /**
   * For an unpartitioned list (parent null): up to `take` rows after `cursor` in the same keyset order, in one
   * statement, used when no filter applies. Without it such a list takes two (the ids, then the rows by id).
   */
  readonly page?: (sql: FarmSql, take: number, cursor: Cursor | null) => Promise<T[]>;
}

export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

export const ALL = '*';

async function pageIds(
  db: FarmDb,
  spec: ChildSpec<{ id: string }>,
  parents: readonly string[],
  first: number,
  cursor: Cursor | null,
  filter: Prisma.Sql,
) {
  const parentExpr = Prisma.raw(spec.parent ?? `'${ALL}'`);
  const sort = Prisma.raw(spec.sort);
  const dir = Prisma.raw(spec.descending ? 'DESC' : 'ASC');
  const cmp = Prisma.raw(spec.descending ? '<' : '>');
  const cast = Prisma.raw(spec.sortType);
  const parentWhere = spec.parent ? Prisma.sql`${parentExpr} = ANY(${[...parents]}::uuid[])` : Prisma.sql`TRUE`;
  const after = cursor
    ? Prisma.sql`AND (${sort}, t.id) ${cmp} (${String(cursor.key)}::${cast}, ${cursor.id}::uuid)`
    : Prisma.empty;
  return db.$queryRaw<{ id: string; parent: string }[]>`
    SELECT x.id::text AS id, x.parent::text AS parent FROM (
      SELECT t.id, ${parentExpr} AS parent,
             ROW_NUMBER() OVER (PARTITION BY ${parentExpr} ORDER BY ${sort} ${dir}, t.id ${dir}) AS rn
      FROM ${Prisma.raw(spec.from)}
      WHERE ${parentWhere} ${filter} ${after}
    ) x WHERE x.rn <= ${first + 1} ORDER BY x.parent, x.rn`;
}

async function pagedChildren<T extends { id: string }>(
  db: FarmDb,
  sql: FarmSql,
  spec: ChildSpec<T>,
  parents: readonly string[],
  args: PageArgs,
  filter: Prisma.Sql = Prisma.empty,
): Promise<Connection<T>[]> {
  const first = pageSize(args.first);
  const cursor = decodeCursor(args.after);
  if (first === 0) return parents.map(() => connectionOf<T>([], 0, spec.keyOf, cursor !== null));
  if (spec.parent === null && spec.page && filter === Prisma.empty) {
    const connection = connectionOf(await spec.page(sql, first + 1, cursor), first, spec.keyOf, cursor !== null);
    return parents.map(() => connection);
  }
  const idRows = await pageIds(db, spec as unknown as ChildSpec<{ id: string }>, parents, first, cursor, filter);
  const rows = idRows.length
    ? await spec.load(
        db,
        idRows.map((r) => r.id),
      )
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const groups = new Map<string, T[]>();
  for (const { id, parent } of idRows) {
    const row = byId.get(id);
    if (!row) continue;
    const list = groups.get(parent);
    if (list) list.push(row);
    else groups.set(parent, [row]);
  }
  return parents.map((p) => connectionOf(groups.get(spec.parent ? p : ALL) ?? [], first, spec.keyOf, cursor !== null));
}

/**
 * Per-request cache of connection loaders: one DataLoader per (list, page arguments, filter), so sibling parents
 * asking for the same page shape share one batch.
 */
export class PagedLoaders {
  readonly #loaders = new Map<string, DataLoader<string, unknown>>();
  constructor(
    private readonly db: FarmDb,
    private readonly sql: FarmSql,
  ) {}

  load<T extends { id: string }>(
    name: string,
    spec: ChildSpec<T>,
    parent: string,
    args: PageArgs,
    filter?: { key: string; sql: Prisma.Sql },
  ): Promise<Connection<T>> {
    const cacheKey = `${name}|${args.first ?? ''}|${args.after ?? ''}|${filter?.key ?? ''}`;
    let loader = this.#loaders.get(cacheKey) as DataLoader<string, Connection<T>> | undefined;
    if (!loader) {
      loader = new DataLoader<string, Connection<T>>((parents) =>
        pagedChildren(this.db, this.sql, spec, parents, args, filter?.sql),
      );
      this.#loaders.set(cacheKey, loader as DataLoader<string, unknown>);
    }
    return loader.load(parent);
  }
}
