/**
 * Fixed identities of the demo data, shared by every subgraph's seed so that entity references line up
 * across services (a farm's owner in `farm` is an account in `auth` and a profile in `user`).
 */
export const demo = {
  users: {
    customer: {
      id: '00000000-0000-4000-8000-000000000001',
      email: 'customer@demo.vegshare.local',
      displayName: 'Chloé Martin',
      roles: ['CUSTOMER'],
    },
    farmer: {
      id: '00000000-0000-4000-8000-000000000002',
      email: 'farmer@demo.vegshare.local',
      displayName: 'Jules Fermier',
      roles: ['FARMER'],
    },
    farmer2: {
      id: '00000000-0000-4000-8000-000000000003',
      email: 'orchard@demo.vegshare.local',
      displayName: 'Ana Pereira',
      roles: ['FARMER'],
    },
    admin: {
      id: '00000000-0000-4000-8000-000000000004',
      email: 'admin@demo.vegshare.local',
      displayName: 'VegShare Admin',
      roles: ['ADMIN'],
    },
    partner: {
      id: '00000000-0000-4000-8000-000000000005',
      email: 'partner@demo.vegshare.local',
      displayName: 'Le Bon Bistro',
      roles: ['PARTNER'],
    },
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

/** Who owns each demo farm (projections in streaming and transcoding are seeded from this). */
export const demoFarmOwners: readonly { readonly farmId: string; readonly ownerId: string; readonly name: string }[] = [
  { farmId: demo.farms.greenAcres, ownerId: demo.users.farmer.id, name: 'Green Acres' },
  { farmId: demo.farms.riverMeadow, ownerId: demo.users.farmer.id, name: 'River Meadow' },
  { farmId: demo.farms.orchardHill, ownerId: demo.users.farmer2.id, name: 'Orchard Hill' },
];

/** The demo cameras: where they are and what they show. `path` names the stream on the demo camera server. */
export const demoCameras: readonly {
  readonly id: string;
  readonly farmId: string;
  readonly plotId: string | null;
  readonly name: string;
  readonly path: string;
  readonly isPublic: boolean;
}[] = [
  {
    id: demo.cameras.greenA1,
    farmId: demo.farms.greenAcres,
    plotId: demo.plots.greenA1,
    name: 'Plot A-1',
    path: 'green-acres-a1',
    isPublic: false,
  },
  {
    id: demo.cameras.greenOverview,
    farmId: demo.farms.greenAcres,
    plotId: null,
    name: 'Green Acres overview',
    path: 'green-acres-overview',
    isPublic: true,
  },
  {
    id: demo.cameras.orchard1,
    farmId: demo.farms.orchardHill,
    plotId: demo.plots.orchard1,
    name: 'Terrace T-1',
    path: 'orchard-hill-t1',
    isPublic: false,
  },
];
