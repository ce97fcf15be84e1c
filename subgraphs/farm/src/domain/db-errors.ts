/**
 * Recognises Postgres errors behind Prisma's wrappers (driver adapters surface the SQLSTATE in different places
 * depending on the error), so that expected violations become stable GraphQL codes and nothing else leaks.
 */
function collect(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const e = error as Record<string, unknown>;
  const out: string[] = [];
  for (const key of ['code', 'message', 'constraint', 'originalCode', 'originalMessage']) {
    const v = e[key];
    if (typeof v === 'string') out.push(v);
  }
  for (const key of ['cause', 'meta', 'driverAdapterError']) out.push(...collect(e[key], depth + 1));
  return out;
}

const mentions = (error: unknown, needles: readonly string[]) => collect(error).some((s) => needles.some((n) => s.includes(n)));

export const isExclusionViolation = (error: unknown, constraint: string): boolean => mentions(error, ['23P01', constraint]);
export const isUniqueViolation = (error: unknown): boolean => mentions(error, ['23505', 'P2002', 'UniqueConstraintViolation']);
