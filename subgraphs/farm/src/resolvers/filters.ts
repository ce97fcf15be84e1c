import { Prisma } from '../generated/prisma/client.ts';

/** `status = …` on a paged list (`t` is the child table); the value is an enum already validated by GraphQL. */
export const statusFilter = (status: string | null | undefined) =>
  status ? { key: `status=${status}`, sql: Prisma.sql`AND t.status::text = ${status}` } : undefined;

export const customerFilter = (customerId: string) => ({
  key: `customer=${customerId}`,
  sql: Prisma.sql`AND t.customer_id = ${customerId}::uuid`,
});
