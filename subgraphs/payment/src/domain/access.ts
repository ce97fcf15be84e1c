import { forbidden, hasRole, requireViewer, type Viewer } from '@vegshare/kit';
import type { Payment } from '../generated/prisma/client.ts';

/**
 * Authorization of the payment subgraph, in one place: a payment is seen by its customer, the farm's farmer and
 * admins; how to pay (`confirmation`) only by its customer; balances and statements by the farmer themself and
 * admins; payouts are recorded and marked paid by admins. Partner API keys see none of it.
 */
export const canSeePayment = (viewer: Viewer | null, payment: Pick<Payment, 'customerId' | 'farmerId'>): boolean =>
  viewer !== null &&
  !hasRole(viewer, 'PARTNER') &&
  (hasRole(viewer, 'ADMIN') ||
    payment.customerId === viewer.userId ||
    (hasRole(viewer, 'FARMER') && payment.farmerId === viewer.userId));

/** The farmer whose money is asked about: the viewer (a farmer) or, for admins, `farmerId`. */
export function farmerScope(viewer: Viewer | null, farmerId: string | null | undefined): string {
  const v = requireViewer(viewer);
  if (hasRole(v, 'ADMIN')) return farmerId ?? v.userId;
  if (!hasRole(v, 'FARMER')) throw forbidden('Only farmers and admins see balances and payouts');
  if (farmerId && farmerId !== v.userId) throw forbidden('Farmers see their own money only');
  return v.userId;
}

export function requireAdmin(viewer: Viewer | null): Viewer {
  const v = requireViewer(viewer);
  if (!hasRole(v, 'ADMIN')) throw forbidden('Only admins may do this');
  return v;
}

/** Own payments: anyone signed in except partner keys. */
export function requireOwnDataViewer(viewer: Viewer | null): Viewer {
  const v = requireViewer(viewer);
  if (hasRole(v, 'PARTNER') && !hasRole(v, 'CUSTOMER', 'FARMER', 'ADMIN'))
    throw forbidden('Partners read the public catalogue only');
  return v;
}
