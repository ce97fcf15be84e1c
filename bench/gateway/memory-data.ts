/**
 * The data the in-memory subgraphs answer from: shaped like the real bench data (a few demo-like farms with owners,
 * plots and cameras first, then `bulkFarms` farms × 6 plots named "Zone …"), generated deterministically so every
 * gateway and the floor see the same answers.
 */
export interface MemoryFarm {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly locality: string;
  readonly location: { readonly latitude: number; readonly longitude: number };
  readonly openingSeason: { readonly startMonth: number; readonly endMonth: number };
  readonly ownerId: string;
  readonly photos: readonly string[];
  readonly plotIds: readonly string[];
}

export interface MemoryPlot {
  readonly id: string;
  readonly farmId: string;
  readonly code: string;
  readonly areaM2: number;
  readonly soil: string;
  readonly sunExposure: 'FULL_SUN' | 'PARTIAL_SHADE' | 'SHADE';
  readonly status: 'AVAILABLE' | 'RENTED' | 'FALLOW';
  readonly pricePerSeasonCents: number;
  readonly currency: string;
}

export interface MemoryCamera {
  readonly id: string;
  readonly name: string;
  readonly plotId: string;
  readonly health: 'ONLINE' | 'OFFLINE' | 'UNKNOWN';
}

export interface MemoryUser {
  readonly id: string;
  displayName: string;
  locale: string;
  timeZone: string;
}

export interface MemoryData {
  /** Farms in the order `farms` lists them (by name). */
  readonly farms: readonly MemoryFarm[];
  readonly plots: ReadonlyMap<string, MemoryPlot>;
  /** Cameras by the plot they watch. */
  readonly camerasByPlot: ReadonlyMap<string, readonly MemoryCamera[]>;
  readonly users: ReadonlyMap<string, MemoryUser>;
}

const uuid = (kind: number, n: number) =>
  `00000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-${n.toString(16).padStart(12, '0')}`;
const sun = ['FULL_SUN', 'PARTIAL_SHADE', 'SHADE'] as const;
const demoNames = ['Green Acres', 'Hillside Gardens', 'Meadowbrook', 'Old Orchard', 'Riverside Plots'];

/** 5 demo-like farms (3 plots each, one camera per plot, 3 owners), then `bulkFarms` farms of 6 plots, no cameras. */
export function memoryData(bulkFarms = 100): MemoryData {
  const farms: MemoryFarm[] = [];
  const plots = new Map<string, MemoryPlot>();
  const camerasByPlot = new Map<string, MemoryCamera[]>();
  const users = new Map<string, MemoryUser>();
  for (let u = 0; u < 3; u += 1) {
    const id = uuid(1, u + 1);
    users.set(id, { id, displayName: `Farmer ${u + 1}`, locale: 'en', timeZone: 'Europe/Paris' });
  }
  const customer = uuid(1, 100);
  users.set(customer, { id: customer, displayName: 'Demo customer', locale: 'en-GB', timeZone: 'UTC' });
  const farmIds: string[] = [...users.keys()].slice(0, 3);
  const addFarm = (n: number, name: string, plotCount: number, cameras: boolean) => {
    const id = uuid(2, n);
    const plotIds: string[] = [];
    for (let p = 0; p < plotCount; p += 1) {
      const plotId = uuid(3, n * 10 + p);
      plotIds.push(plotId);
      plots.set(plotId, {
        id: plotId,
        farmId: id,
        code: `${String.fromCharCode(65 + (p % 26))}-${p + 1}`,
        areaM2: 20 + p * 5,
        soil: 'loam',
        sunExposure: sun[p % 3] ?? 'FULL_SUN',
        status: p % 4 === 3 ? 'FALLOW' : 'AVAILABLE',
        pricePerSeasonCents: 15000 + p * 1000,
        currency: 'EUR',
      });
      if (cameras)
        camerasByPlot.set(plotId, [
          { id: uuid(4, n * 10 + p), name: `${name} ${p + 1}`, plotId, health: p % 2 ? 'ONLINE' : 'UNKNOWN' },
        ]);
    }
    farms.push({
      id,
      name,
      description: `${name}: raised beds, drip irrigation and a polytunnel for early salads (farm ${n}).`,
      locality: 'Benchville, France',
      location: { latitude: 45 + n / 100, longitude: 2 + n / 100 },
      openingSeason: { startMonth: 3, endMonth: 10 },
      ownerId: farmIds[n % farmIds.length] ?? customer,
      photos: [],
      plotIds,
    });
  };
  demoNames.forEach((name, i) => addFarm(i + 1, name, 3, true));
  for (let i = 0; i < bulkFarms; i += 1)
    addFarm(100 + i, `Zone ${String(i + 1).padStart(3, '0')} bench farm`, 6, false);
  return { farms, plots, camerasByPlot, users };
}
