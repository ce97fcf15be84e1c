import { z } from 'zod';
import { badInput, decodeCursor, encodeCursor, pageInfoOf, pageSize, type Connection, type Edge } from '@vegshare/kit';
import { Prisma } from '../generated/prisma/client.ts';
import type { PlotRow } from './row-statements.ts';
import type { PlotSearchInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { periodOrToday } from './availability.ts';
import { isoDate, latitude, longitude, parseInput, uuid } from './validation.ts';

const filterInput = z.object({
  from: isoDate.nullish(),
  to: isoDate.nullish(),
  farmId: uuid.nullish(),
  maxPricePerSeasonCents: z.number().int().min(0).nullish(),
  minAreaM2: z.number().min(0).max(1e6).nullish(),
  maxAreaM2: z.number().min(0).max(1e6).nullish(),
  near: z.object({ latitude, longitude, radiusKm: z.number().gt(0).max(20_000).nullish() }).nullish(),
});

export type PlotSearchEdge = Edge<PlotRow> & { distanceKm: number | null };

/**
 * Rentable plots (offered by the farm, no live rental overlapping [from, to), default today), filtered by farm, price
 * and area; with `near`,
 * within the radius and nearest first (haversine in SQL), else cheapest first. Keyset pagination on (sort key, id).
 */
export async function availablePlots(
  ctx: Context,
  filter: PlotSearchInput | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<PlotRow, PlotSearchEdge>> {
  const f = parseInput(filterInput, filter ?? {}, 'filter');
  const period = periodOrToday(f.from, f.to, 'filter');
  const limit = pageSize(first);
  const cursor = decodeCursor(after);
  if (cursor && typeof cursor.key !== 'number') throw badInput('after: not a cursor of this search', 'after');
  const near = f.near;
  const distance = near
    ? Prisma.sql`(6371.0 * 2 * asin(sqrt(power(sin(radians(f.latitude - ${near.latitude}) / 2), 2) + cos(radians(${near.latitude})) * cos(radians(f.latitude)) * power(sin(radians(f.longitude - ${near.longitude}) / 2), 2))))`
    : Prisma.sql`NULL::float8`;
  const sortKey = near ? Prisma.sql`x.distance` : Prisma.sql`x.price`;
  const conditions: Prisma.Sql[] = [
    Prisma.sql`p.status = 'AVAILABLE'`,
    Prisma.sql`NOT EXISTS (SELECT 1 FROM rental r WHERE r.plot_id = p.id AND r.status IN ('REQUESTED', 'ACTIVE') AND r.period && daterange(${period.from}::date, ${period.to}::date, '[)'))`,
  ];
  if (f.farmId) conditions.push(Prisma.sql`p.farm_id = ${f.farmId}::uuid`);
  if (f.maxPricePerSeasonCents !== null && f.maxPricePerSeasonCents !== undefined)
    conditions.push(Prisma.sql`p.price_per_season_cents <= ${f.maxPricePerSeasonCents}`);
  if (f.minAreaM2 !== null && f.minAreaM2 !== undefined) conditions.push(Prisma.sql`p.area_m2 >= ${f.minAreaM2}`);
  if (f.maxAreaM2 !== null && f.maxAreaM2 !== undefined) conditions.push(Prisma.sql`p.area_m2 <= ${f.maxAreaM2}`);
  const outer: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (near) outer.push(Prisma.sql`x.distance <= ${near.radiusKm ?? 50}`);
  if (cursor) outer.push(Prisma.sql`(${sortKey}, x.id) > (${Number(cursor.key)}::float8, ${cursor.id}::uuid)`);
  const rows = await ctx.db.$queryRaw<{ id: string; distance: number | null; price: number }[]>`
    SELECT x.id::text AS id, x.distance, x.price FROM (
      SELECT p.id, p.price_per_season_cents::float8 AS price, ${distance} AS distance
      FROM plot p JOIN farm f ON f.id = p.farm_id
      WHERE ${Prisma.join(conditions, ' AND ')}
    ) x
    WHERE ${Prisma.join(outer, ' AND ')}
    ORDER BY ${sortKey}, x.id
    LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit);
  const plots = await ctx.loaders.plot.loadMany(page.map((r) => r.id));
  const edges: PlotSearchEdge[] = [];
  page.forEach((r, i) => {
    const plot = plots[i];
    if (!plot || plot instanceof Error) return;
    const key = near ? (r.distance ?? 0) : r.price;
    edges.push({ cursor: encodeCursor({ key, id: r.id }), node: plot, distanceKm: near ? r.distance : null });
  });
  return { edges, pageInfo: pageInfoOf(edges, rows.length > limit, cursor !== null) };
}
