import { conflict, forbidden, isUuid, notFound, type Viewer } from '@vegshare/kit';
import { lockProfile, type UserDb, type UserTx } from '../db.ts';
import type { DeliveryAddress, Prisma } from '../generated/prisma/client.ts';
import { ensureProfile } from './profiles.ts';
import type { AddressInput, AddressPatch } from './validation.ts';

export const MAX_ADDRESSES_PER_USER = 20;

/**
 * Every change to a user's addresses runs in one transaction holding the profile row lock, so concurrent changes
 * by the same user serialise and the "at most one default" rule (also a partial unique index) always holds.
 */
async function withAddressLock<T>(db: UserDb, userId: string, work: (tx: UserTx) => Promise<T>): Promise<T> {
  await ensureProfile(db, userId);
  return db.$transaction(async (tx) => {
    await lockProfile(tx, userId);
    return work(tx);
  });
}

/** An address the viewer owns, for changing it; someone else's is FORBIDDEN, a missing one NOT_FOUND. */
async function ownedAddress(tx: UserTx, viewer: Viewer, id: string): Promise<DeliveryAddress> {
  const address = isUuid(id) ? await tx.deliveryAddress.findUnique({ where: { id } }) : null;
  if (!address) throw notFound('DeliveryAddress', id);
  if (address.userId !== viewer.userId) throw forbidden('Only the owner can change a delivery address');
  return address;
}

export async function createAddress(db: UserDb, userId: string, input: AddressInput): Promise<DeliveryAddress> {
  return withAddressLock(db, userId, async (tx) => {
    const count = await tx.deliveryAddress.count({ where: { userId } });
    if (count >= MAX_ADDRESSES_PER_USER)
      throw conflict(`A user can keep at most ${MAX_ADDRESSES_PER_USER} delivery addresses`);
    const isDefault = input.isDefault || count === 0;
    if (isDefault)
      await tx.deliveryAddress.updateMany({ where: { userId, isDefault: true }, data: { isDefault: false } });
    return tx.deliveryAddress.create({ data: { ...input, userId, isDefault } });
  });
}

export async function updateAddress(
  db: UserDb,
  viewer: Viewer,
  id: string,
  patch: AddressPatch,
): Promise<DeliveryAddress> {
  return withAddressLock(db, viewer.userId, async (tx) => {
    await ownedAddress(tx, viewer, id);
    const data: Prisma.DeliveryAddressUpdateInput = {};
    for (const key of [
      'label',
      'recipientName',
      'line1',
      'line2',
      'postalCode',
      'city',
      'region',
      'countryCode',
      'instructions',
    ] as const) {
      const value = patch[key];
      if (value !== undefined && value !== null) data[key] = value;
    }
    if (patch.phone !== undefined) data.phone = patch.phone;
    return tx.deliveryAddress.update({ where: { id }, data });
  });
}

/** Deletes an address; when it was the default, the oldest remaining one becomes the default. */
export async function deleteAddress(db: UserDb, viewer: Viewer, id: string): Promise<string> {
  return withAddressLock(db, viewer.userId, async (tx) => {
    const address = await ownedAddress(tx, viewer, id);
    await tx.deliveryAddress.delete({ where: { id } });
    if (address.isDefault) {
      const next = await tx.deliveryAddress.findFirst({
        where: { userId: viewer.userId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      if (next) await tx.deliveryAddress.update({ where: { id: next.id }, data: { isDefault: true } });
    }
    return id;
  });
}

export async function setDefaultAddress(db: UserDb, viewer: Viewer, id: string): Promise<DeliveryAddress> {
  return withAddressLock(db, viewer.userId, async (tx) => {
    const address = await ownedAddress(tx, viewer, id);
    if (address.isDefault) return address;
    await tx.deliveryAddress.updateMany({
      where: { userId: viewer.userId, isDefault: true },
      data: { isDefault: false },
    });
    return tx.deliveryAddress.update({ where: { id }, data: { isDefault: true } });
  });
}
