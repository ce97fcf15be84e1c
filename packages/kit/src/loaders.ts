import DataLoader from 'dataloader';

/**
 * A per-request loader of rows by key: one query per tick for all keys asked for, results in key order,
 * null where a row is missing. `fetch` must return the rows for the given keys in any order.
 */
export function rowLoader<K extends string, T>(
  fetch: (keys: readonly K[]) => Promise<readonly T[]>,
  keyOf: (row: T) => K,
): DataLoader<K, T | null> {
  return new DataLoader<K, T | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, T>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** A per-request loader of child rows grouped by parent key (one-to-many), batched like rowLoader. */
export function groupLoader<K extends string, T>(
  fetch: (keys: readonly K[]) => Promise<readonly T[]>,
  groupOf: (row: T) => K,
): DataLoader<K, T[]> {
  return new DataLoader<K, T[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, T[]>();
    for (const row of rows) {
      const key = groupOf(row);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return keys.map((k) => groups.get(k) ?? []);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** True for a canonical UUID; ids that are not UUIDs can never match a row, so callers answer null without a query. */
export const isUuid = (value: string): boolean => UUID.test(value);
