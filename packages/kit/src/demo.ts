/**
 * Fixed identities of the demo data, shared by every subgraph's seed so that entity references line up
 * across services (a farm's owner in `farm` is an account in `auth` and a profile in `user`).
 */
export const demo = {
  users: {
    customer: { id: '00000000-0000-4000-8000-000000000001', email: 'customer@demo.vegshare.local', displayName: 'Chloé Martin', roles: ['CUSTOMER'] },
    farmer: { id: '00000000-0000-4000-8000-000000000002', email: 'farmer@demo.vegshare.local', displayName: 'Jules Fermier', roles: ['FARMER'] },
    farmer2: { id: '00000000-0000-4000-8000-000000000003', email: 'orchard@demo.vegshare.local', displayName: 'Ana Pereira', roles: ['FARMER'] },
    admin: { id: '00000000-0000-4000-8000-000000000004', email: 'admin@demo.vegshare.local', displayName: 'VegShare Admin', roles: ['ADMIN'] },
    partner: { id: '00000000-0000-4000-8000-000000000005', email: 'partner@demo.vegshare.local', displayName: 'Le Bon Bistro', roles: ['PARTNER'] },
  },
  /** Password of every demo account (local demo only; the seed refuses to run with NODE_ENV=production). */
  password: 'vegshare-demo-2026',
  farms: {
    greenAcres: '10000000-0000-4000-8000-000000000001',
    orchardHill: '10000000-0000-4000-8000-000000000002',
    riverMeadow: '10000000-0000-4000-8000-000000000003',
  },
  plots: {
    greenA1: '20000000-0000-4000-8000-000000000001',
    greenA2: '20000000-0000-4000-8000-000000000002',
    greenB1: '20000000-0000-4000-8000-000000000003',
    orchard1: '20000000-0000-4000-8000-000000000004',
    orchard2: '20000000-0000-4000-8000-000000000005',
    river1: '20000000-0000-4000-8000-000000000006',
  },
  cameras: {
    greenA1: '30000000-0000-4000-8000-000000000001',
    greenOverview: '30000000-0000-4000-8000-000000000002',
    orchard1: '30000000-0000-4000-8000-000000000003',
  },
} as const;
