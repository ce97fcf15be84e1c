import { preparedRows as rows, prismaLikeTypes, type Cursor, type PgStatement } from '@vegshare/kit';
import type { Farm, Plot, Rental } from '../generated/prisma/client.ts';
import type { FarmSql } from '../db.ts';

/**
 * The statements of the loaders that every list request runs (the catalogue page, its plots, their live rentals, farms
 * and plots by id), sent on the pool under Prisma as named prepared statements with the ids as one array parameter
 * (`= ANY($1::uuid[])`). Through Prisma each took a query compilation, one bind parameter per id (a 100-farm page asks
 * the plots of 100 farms and the rentals of 600 plots) and a row of Prisma's objects per row (bench/subgraphs). The
 * columns come back under the Prisma model's field names and types (a DATE as a Date at UTC midnight), so a row is the
 * shape the resolvers already take.
 */

/**
 * A farm as its resolvers and access rules read it: every column but the timestamps, which no field shows (a
 * timestamp is the costliest column to read: node-postgres parses each into a Date). Prisma's Farm is one too.
 */
export type FarmRow = Omit<Farm, 'createdAt' | 'updatedAt'>;
/** A plot as its resolvers and access rules read it (every column but the timestamps, as FarmRow). */
export type PlotRow = Omit<Plot, 'createdAt' | 'updatedAt'>;

const FARM_COLUMNS = `id, owner_id AS "ownerId", name, description, locality, latitude, longitude, photos,
  season_start_month AS "seasonStartMonth", season_end_month AS "seasonEndMonth"`;
const PLOT_COLUMNS = `id, farm_id AS "farmId", code, area_m2 AS "areaM2", soil, sun_exposure AS "sunExposure", status,
  price_per_season_cents AS "pricePerSeasonCents", currency, photos`;

/** What of a REQUESTED or ACTIVE rental its plot's status and access rules read. */
export type LiveRental = Pick<Rental, 'id' | 'plotId' | 'customerId' | 'status' | 'startsOn' | 'endsOn'>;

const statements = {
  farmsById: { name: 'farm_farms_by_id', text: `SELECT ${FARM_COLUMNS} FROM farm WHERE id = ANY($1::uuid[])` },
  farmsFirst: { name: 'farm_farms_first', text: `SELECT ${FARM_COLUMNS} FROM farm ORDER BY name, id LIMIT $1` },
  farmsAfter: {
    name: 'farm_farms_after',
    text: `SELECT ${FARM_COLUMNS} FROM farm WHERE (name, id) > ($2::text, $3::uuid) ORDER BY name, id LIMIT $1`,
  },
  plotsById: { name: 'farm_plots_by_id', text: `SELECT ${PLOT_COLUMNS} FROM plot WHERE id = ANY($1::uuid[])` },
  // Each plot with its live rentals (null when none), which its status needs: no second statement for them.
  plotsByFarm: {
    name: 'farm_plots_by_farm',
    text: `SELECT ${PLOT_COLUMNS},
        (SELECT json_agg(json_build_object('id', r.id, 'customerId', r.customer_id, 'status', r.status,
           'startsOn', r.starts_on, 'endsOn', r.ends_on))
         FROM rental r WHERE r.plot_id = plot.id AND r.status IN ('REQUESTED', 'ACTIVE')) AS "liveRentals"
      FROM plot WHERE farm_id = ANY($1::uuid[]) ORDER BY code`,
  },
  liveRentalsByPlot: {
    name: 'farm_live_rentals_by_plot',
    text: `SELECT id, plot_id AS "plotId", customer_id AS "customerId", status, starts_on AS "startsOn", ends_on AS "endsOn"
      FROM rental WHERE plot_id = ANY($1::uuid[]) AND status IN ('REQUESTED', 'ACTIVE')`,
    types: prismaLikeTypes,
  },
} satisfies Record<string, PgStatement>;

export const farmsById = (sql: FarmSql, ids: readonly string[]) => rows<FarmRow>(sql, statements.farmsById, [ids]);

/** The catalogue in (name, id) order: `take` farms after `cursor` (the rows a keyset page of farms reads). */
export const farmsPage = (sql: FarmSql, take: number, cursor: Cursor | null) =>
  cursor
    ? rows<FarmRow>(sql, statements.farmsAfter, [take, String(cursor.key), cursor.id])
    : rows<FarmRow>(sql, statements.farmsFirst, [take]);

export const plotsById = (sql: FarmSql, ids: readonly string[]) => rows<PlotRow>(sql, statements.plotsById, [ids]);

/** A live rental as json_build_object writes it: dates as YYYY-MM-DD. */
interface LiveRentalJson {
  readonly id: string;
  readonly customerId: string;
  readonly status: LiveRental['status'];
  readonly startsOn: string;
  readonly endsOn: string;
}

const utcMidnight = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/**
 * The plots of the farms, by code, each with its live rentals (`remember` is told them, none included), as the
 * liveRentalsByPlot statement reads them.
 */
export async function plotsByFarm(
  sql: FarmSql,
  farmIds: readonly string[],
  remember: (plotId: string, live: readonly LiveRental[]) => void,
): Promise<PlotRow[]> {
  const plots = await rows<PlotRow & { liveRentals: LiveRentalJson[] | null }>(sql, statements.plotsByFarm, [farmIds]);
  for (const plot of plots) {
    const live = plot.liveRentals;
    remember(
      plot.id,
      live === null
        ? []
        : live.map((r) => ({
            id: r.id,
            plotId: plot.id,
            customerId: r.customerId,
            status: r.status,
            startsOn: utcMidnight(r.startsOn),
            endsOn: utcMidnight(r.endsOn),
          })),
    );
  }
  return plots;
}

export const liveRentalsByPlot = (sql: FarmSql, plotIds: readonly string[]) =>
  rows<LiveRental>(sql, statements.liveRentalsByPlot, [plotIds]);
