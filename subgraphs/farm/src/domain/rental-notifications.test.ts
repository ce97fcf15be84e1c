import { describe, expect, it } from 'vitest';
import { rentalNotifications, type RentalStep } from './rental-notifications.ts';

const step = (status: RentalStep['rental']['status'], from: RentalStep['from'], actorId: string): RentalStep => ({
  rental: {
    id: 'r1',
    customerId: 'customer',
    status,
    startsOn: new Date('2027-04-01T00:00:00Z'),
    endsOn: new Date('2027-10-01T00:00:00Z'),
  },
  from,
  plot: { id: 'p1', code: 'A-1' },
  farm: { name: 'Green Acres', ownerId: 'farmer' },
  actorId,
});

describe('rentalNotifications', () => {
  it('tells nobody of their own action', () => {
    // A farmer renting on their own farm, a farmer ending a rental of their own: nothing to tell.
    expect(rentalNotifications(step('REQUESTED', null, 'farmer'))).toEqual([]);
    expect(rentalNotifications(step('ENDED', 'ACTIVE', 'customer'))).toEqual([]);
  });

  it('tells the renter when an admin acts for the farm', () => {
    const [note] = rentalNotifications(step('ACTIVE', 'REQUESTED', 'admin'));
    expect(note).toMatchObject({
      userId: 'customer',
      kind: 'rental',
      title: 'Rental confirmed: plot A-1',
      link: '/rentals/r1',
      eventId: 'farm:rental:r1:active',
    });
    expect(note?.body).toBe(
      'Green Acres confirmed your rental of plot A-1 from 2027-04-01 until 2027-10-01. Time to plan your crops!',
    );
  });
});
