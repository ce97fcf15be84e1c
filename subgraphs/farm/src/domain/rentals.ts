import { z } from 'zod';
import {
  badInput,
  conflict,
  domainError,
  ErrorCode,
  forbidden,
  isExclusionViolation,
  requireRole,
  requireViewer,
  type RawExecutor,
} from '@vegshare/kit';
import type { Plot, Rental, RentalStatus } from '../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { farmOf, managesFarm, plotOrFail, rentalOrFail } from './access.ts';
import { daysBetween, toDbDate, todayIso } from './dates.ts';
import { isoDate, parseInput } from './validation.ts';
import { publishActivity, writeActivity } from './activity.ts';
import { publishRentalBooking } from './payments/bookings.ts';
import { rentalNotifications, type RentalStep } from './rental-notifications.ts';
import type { FarmEvents } from './notify.ts';

const NO_OVERLAP_CONSTRAINT = 'rental_no_overlap';
const PLOT_NOT_AVAILABLE = 'PLOT_NOT_AVAILABLE';

const period = z
  .object({ startsOn: isoDate, endsOn: isoDate })
  .refine((p) => p.endsOn > p.startsOn, { message: 'must be after startsOn', path: ['endsOn'] })
  .refine((p) => daysBetween(p.startsOn, p.endsOn) <= 366, {
    message: 'a rental lasts at most 366 days',
    path: ['endsOn'],
  });

const plotNotAvailable = () =>
  domainError(ErrorCode.CONFLICT, 'The plot is already rented for some of these dates', { reason: PLOT_NOT_AVAILABLE });

/** Customers ask for a plot; the exclusion constraint decides races (exactly one of overlapping requests wins). */
export async function requestRental(ctx: Context, plotId: string, startsOn: string, endsOn: string): Promise<Rental> {
  const viewer = requireRole(ctx.viewer, 'CUSTOMER');
  const dates = parseInput(period, { startsOn, endsOn });
  if (dates.endsOn <= todayIso()) throw badInput('endsOn: the rental would be over already', 'endsOn');
  const plot = await plotOrFail(ctx, plotId);
  if (plot.status === 'FALLOW')
    throw domainError(ErrorCode.CONFLICT, 'The plot is resting this season', { reason: PLOT_NOT_AVAILABLE });
  if (plot.status === 'RENTED')
    throw domainError(ErrorCode.CONFLICT, 'The farm does not offer this plot for rent', { reason: PLOT_NOT_AVAILABLE });
  // The transaction is given the rows it announces (the plot, above, and its farm), never the loaders: a read inside
  // it would need a second connection from the pool, which the concurrent requests for the same dates hold while they
  // wait for this transaction (the exclusion constraint) — a deadlock until the transaction timed out, wave after wave
  // (50 simultaneous requests for one plot ended with no winner on a slow machine).
  const farm = await farmOf(ctx, plot.farmId);
  let rental: Rental;
  try {
    // RentalChanged, BookingChanged and the notifications are written in the same transaction (outbox): they exist
    // iff the rental does.
    rental = await ctx.db.$transaction(async (tx) => {
      // Requests for one plot take turns (its row lock; inserts' foreign-key checks do not conflict with it). Racing,
      // each puts its row into the exclusion index before it checks, so requests waiting for the same uncommitted
      // change (a cancellation freeing the dates) find one another in progress when it commits and wait for one
      // another: deadlocks that Postgres breaks one per second. The exclusion constraint still decides who wins.
      await tx.$queryRaw`SELECT 1 FROM plot WHERE id = ${plotId}::uuid FOR NO KEY UPDATE`;
      const created = await tx.rental.create({
        data: {
          plotId,
          customerId: viewer.userId,
          startsOn: toDbDate(dates.startsOn),
          endsOn: toDbDate(dates.endsOn),
          priceCents: plot.pricePerSeasonCents,
          currency: plot.currency,
        },
      });
      await ctx.events.rentalChanged(created, plot.farmId, tx);
      await publishRentalBooking(ctx.events, { plot, farm }, created, tx);
      await notifyStep(ctx.events, tx, { rental: created, from: null, plot, farm, actorId: viewer.userId });
      return created;
    });
  } catch (error) {
    if (isExclusionViolation(error, NO_OVERLAP_CONSTRAINT)) throw plotNotAvailable();
    throw error;
  }
  // The plot's status and availability in the rest of this request include the new rental.
  ctx.loaders.liveRentals.clear(plotId);
  return rental;
}

/** Tells the other side of a rental about its step (in app, through the user service's notification pipeline). */
async function notifyStep(events: FarmEvents, tx: RawExecutor, step: RentalStep): Promise<void> {
  for (const request of rentalNotifications(step)) await events.notify(request, tx);
}

type Transition = 'activate' | 'end' | 'cancel';
const rules: Record<Transition, { from: readonly RentalStatus[]; to: RentalStatus; verb: string }> = {
  activate: { from: ['REQUESTED'], to: 'ACTIVE', verb: 'activated' },
  end: { from: ['ACTIVE'], to: 'ENDED', verb: 'ended' },
  cancel: { from: ['REQUESTED', 'ACTIVE'], to: 'CANCELLED', verb: 'cancelled' },
};

/**
 * Lifecycle REQUESTED → ACTIVE → ENDED, REQUESTED/ACTIVE → CANCELLED. The farm (or an admin) drives it; a renter
 * may cancel their own request while it is REQUESTED. The update is conditional on the current status, so two
 * concurrent transitions cannot both apply.
 */
export async function transitionRental(ctx: Context, id: string, transition: Transition): Promise<Rental> {
  const viewer = requireViewer(ctx.viewer);
  const rental = await rentalOrFail(ctx, id);
  const plot = await plotOrFail(ctx, rental.plotId);
  // The plot and its farm are passed into the transaction, never read inside it (see requestRental).
  const farm = await farmOf(ctx, plot.farmId);
  const manager = managesFarm(ctx.viewer, farm);
  const renterCancelling =
    transition === 'cancel' && rental.customerId === viewer.userId && rental.status === 'REQUESTED';
  if (!manager && !renterCancelling) {
    if (rental.customerId === viewer.userId) throw forbidden('Only the farm may change an accepted rental');
    throw forbidden('Only the farm’s farmer or an admin may do this');
  }
  const rule = rules[transition];
  if (!rule.from.includes(rental.status)) throw conflict(`A ${rental.status} rental cannot be ${rule.verb}`);
  const { updated, activity } = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.rental.updateMany({
      where: { id, status: { in: [...rule.from] } },
      data: { status: rule.to },
    });
    if (count === 0) return { updated: null, activity: null };
    const row = await tx.rental.findUniqueOrThrow({ where: { id } });
    const act = await writeActivity(tx, {
      kind: 'RENTAL_CHANGED',
      message: `Rental ${rule.verb}`,
      plotId: plot.id,
      rentalId: id,
      actorId: viewer.userId,
      subjectId: id,
    });
    await ctx.events.rentalChanged(row, plot.farmId, tx);
    await publishRentalBooking(ctx.events, { plot, farm }, row, tx);
    await notifyStep(ctx.events, tx, { rental: row, from: rental.status, plot, farm, actorId: viewer.userId });
    return { updated: row, activity: act };
  });
  if (!updated || !activity) throw conflict('The rental changed meanwhile; reload and try again');
  ctx.loaders.rental.clear(id).prime(id, updated);
  ctx.loaders.liveRentals.clear(plot.id);
  await publishActivity(ctx.bus, ctx.logger, activity);
  return updated;
}
