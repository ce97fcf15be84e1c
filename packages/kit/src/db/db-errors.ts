/**
 * Recognises Postgres constraint violations behind Prisma's wrappers, so that an expected violation becomes a stable
 * GraphQL code (or a no-op for an idempotent write) and nothing else leaks. Prisma reports a unique violation as
 * `P2002` on the query engine, while the driver adapter (`@prisma/adapter-pg`) surfaces the SQLSTATE (`23505`) or its
 * own kind (`UniqueConstraintViolation`) at different depths (`cause`, `meta`, `driverAdapterError`) per error.
 */
function detailsOf(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const e = error as Record<string, unknown>;
  const own = ['code', 'kind', 'originalCode', 'constraint', 'message', 'originalMessage']
    .map((k) => e[k])
    .filter((v): v is string => typeof v === 'string');
  return [...own, ...['cause', 'meta', 'driverAdapterError'].flatMap((k) => detailsOf(e[k], depth + 1))];
}

const mentions = (error: unknown, needles: readonly string[]): boolean =>
  detailsOf(error).some((s) => needles.some((n) => s.includes(n)));

/** True for a unique-constraint violation (Prisma `P2002`, SQLSTATE `23505`, the adapter's `UniqueConstraintViolation`). */
export const isUniqueViolation = (error: unknown): boolean =>
  mentions(error, ['P2002', '23505', 'UniqueConstraintViolation']);

/** True for a violation of the exclusion constraint `constraint` (SQLSTATE `23P01`, or the constraint named). */
export const isExclusionViolation = (error: unknown, constraint: string): boolean =>
  mentions(error, ['23P01', constraint]);

/**
 * True for a database failure that says "busy", not "wrong": no pooled connection or transaction slot came free in
 * time (Prisma `P2024`, `P2028`; node-postgres' connect timeout), the server refused more connections (`53300`,
 * `57P03`), or Postgres aborted the transaction to break a deadlock or a serialization conflict (`40P01`, `40001`).
 * The same request may succeed when retried, so clients get SERVICE_UNAVAILABLE rather than an internal error.
 */
export const isTransientDbError = (error: unknown): boolean =>
  mentions(error, [
    'P2024',
    'P2028',
    'Unable to start a transaction in the given time',
    'timeout exceeded when trying to connect',
    '53300',
    '57P03',
    '40P01',
    '40001',
    'TransactionWriteConflict',
  ]);
