import { demo } from '@vegshare/demo';
import type { UserDb } from './db.ts';

const profiles = [
  { ...demo.users.customer, locale: 'fr-FR', timeZone: 'Europe/Paris', phone: '+33612345678' },
  { ...demo.users.farmer, locale: 'fr-FR', timeZone: 'Europe/Paris', phone: '+33698765432' },
  { ...demo.users.farmer2, locale: 'pt-PT', timeZone: 'Europe/Lisbon', phone: null },
  { ...demo.users.admin, locale: 'en-GB', timeZone: 'Europe/London', phone: null },
  { ...demo.users.partner, locale: 'fr-FR', timeZone: 'Europe/Paris', phone: null },
].map(({ id, displayName, locale, timeZone, phone }) => ({ id, displayName, locale, timeZone, phone }));

const customerAddress = {
  id: '40000000-0000-4000-8000-000000000001',
  userId: demo.users.customer.id,
  label: 'Home',
  recipientName: demo.users.customer.displayName,
  line1: '12 rue des Lilas',
  line2: '3e étage',
  postalCode: '75011',
  city: 'Paris',
  region: 'Île-de-France',
  countryCode: 'FR',
  phone: '+33612345678',
  instructions: 'Code porte 4821B. Leave the box with the concierge if nobody answers.',
  isDefault: true,
};

const notifications = [
  {
    eventId: 'seed:welcome:customer',
    userId: demo.users.customer.id,
    kind: 'account',
    title: 'Welcome to VegShare',
    body: 'Find a plot near you and start your first season.',
    link: '/plots',
    createdAt: new Date('2026-03-01T09:00:00Z'),
    readAt: new Date('2026-03-01T09:05:00Z'),
  },
  {
    eventId: 'seed:task:customer:watering',
    userId: demo.users.customer.id,
    kind: 'task',
    title: 'Your tomatoes were watered',
    body: 'Jules watered plot A-1 at Green Acres this morning.',
    link: `/plots/${demo.plots.greenA1}`,
    createdAt: new Date('2026-05-14T07:30:00Z'),
    readAt: null,
  },
  {
    eventId: 'seed:rental:farmer:request',
    userId: demo.users.farmer.id,
    kind: 'rental',
    title: 'New rental request',
    body: 'Chloé Martin asked to rent plot A-1 for the summer season.',
    link: `/plots/${demo.plots.greenA1}`,
    createdAt: new Date('2026-03-02T10:00:00Z'),
    readAt: null,
  },
];

/** Idempotent demo data: a profile for every demo user, the demo customer's address and a few notifications. */
export async function seedUser(db: UserDb): Promise<void> {
  for (const profile of profiles)
    await db.profile.upsert({ where: { id: profile.id }, create: profile, update: profile });
  const { id, ...address } = customerAddress;
  await db.deliveryAddress.upsert({ where: { id }, create: customerAddress, update: address });
  await db.notification.createMany({ data: notifications, skipDuplicates: true });
}
