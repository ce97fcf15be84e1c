import type DataLoader from 'dataloader';
import { groupLoader } from '@vegshare/kit';
import type { FarmSql } from '../db.ts';
import { liveRentalsByPlot, type LiveRental } from './row-statements.ts';

/**
 * REQUESTED or ACTIVE rentals by plot: a plot's status, who its current renter is (authorization of feeds and tasks).
 * Those of plots read through plotsByFarm are known at once, so the status of every plot of a farm list is answered
 * without a promise each (hundreds per list); any other plot's are batched.
 */
export class LiveRentals {
  readonly #known = new Map<string, readonly LiveRental[]>();
  readonly #loader: DataLoader<string, LiveRental[]>;

  constructor(sql: FarmSql) {
    this.#loader = groupLoader(
      (ids: readonly string[]) => liveRentalsByPlot(sql, ids),
      (r) => r.plotId,
    );
  }

  /** The plot's live rentals: at once when known, else from the next batch. */
  of(plotId: string): readonly LiveRental[] | Promise<readonly LiveRental[]> {
    return this.#known.get(plotId) ?? this.#loader.load(plotId);
  }

  remember(plotId: string, live: readonly LiveRental[]): void {
    this.#known.set(plotId, live);
  }

  /** Forgets what this request read of the plot's rentals (after a change to them). */
  clear(plotId: string): void {
    this.#known.delete(plotId);
    this.#loader.clear(plotId);
  }
}
