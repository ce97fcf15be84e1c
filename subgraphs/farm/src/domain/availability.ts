import { z } from 'zod';
import type { Plot, PlotStatus, Rental } from '../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { addDays, toDbDate, todayIso } from './dates.ts';
import { isoDate, parseInput } from './validation.ts';

/** A half-open date range [from, to) of ISO dates. */
export interface Period {
  readonly from: string;
  readonly to: string;
}

const periodInput = z
  .object({ from: isoDate.nullish(), to: isoDate.nullish() })
  .refine((p) => !p.from === !p.to, { message: 'give both from and to, or neither', path: ['to'] })
  .refine((p) => !p.from || !p.to || p.to > p.from, { message: 'must be after from', path: ['to'] });

/** The period asked for, or today ([today, tomorrow)) when none is: "now". `prefix` names the argument in errors. */
export function periodOrToday(
  from: string | null | undefined,
  to: string | null | undefined,
  prefix?: string,
  now?: Date,
): Period {
  // No period asked (every Plot.status of a list, hundreds per request): nothing to validate, and today's period is
  // built once a day rather than once per plot.
  if (from == null && to == null) return todaysPeriod(now ? now.getTime() : Date.now());
  const p = parseInput(periodInput, { from, to }, prefix);
  if (p.from && p.to) return { from: p.from, to: p.to };
  return todaysPeriod(now ? now.getTime() : Date.now());
}

const DAY_MS = 86_400_000;
let lastToday: Period = { from: '', to: '' };
let lastTodayStart = 0;
/** [today, tomorrow), the same frozen object for every call on the same (UTC) day. */
function todaysPeriod(nowMs: number): Period {
  if (nowMs >= lastTodayStart && nowMs < lastTodayStart + DAY_MS) return lastToday;
  const today = todayIso(new Date(nowMs));
  lastToday = Object.freeze({ from: today, to: addDays(today, 1) });
  lastTodayStart = nowMs - (nowMs % DAY_MS);
  return lastToday;
}

/** Whether a live rental holds part of the period (both ranges are [start, end)). */
const overlaps = (rental: Pick<Rental, 'startsOn' | 'endsOn'>, period: Period): boolean =>
  rental.startsOn < toDbDate(period.to) && rental.endsOn > toDbDate(period.from);

/**
 * A plot's status for a period: FALLOW or RENTED when the farm set it so (resting, or let outside VegShare), RENTED
 * when a REQUESTED or ACTIVE rental holds part of the period, else AVAILABLE. One batched query for all plots of a
 * request (their live rentals), whatever the periods asked.
 */
export function plotStatus(
  ctx: Context,
  plot: Pick<Plot, 'id' | 'status'>,
  period: Period,
): PlotStatus | Promise<PlotStatus> {
  if (plot.status !== 'AVAILABLE') return plot.status;
  const live = ctx.loaders.liveRentals.of(plot.id);
  // Known (the plots of a farm list): answered at once, without a promise per plot.
  return live instanceof Promise ? live.then((l) => statusIn(l, period)) : statusIn(live, period);
}

const statusIn = (live: readonly Pick<Rental, 'startsOn' | 'endsOn'>[], period: Period): PlotStatus =>
  live.some((r) => overlaps(r, period)) ? 'RENTED' : 'AVAILABLE';
