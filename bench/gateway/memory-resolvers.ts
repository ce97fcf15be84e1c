import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { MemoryCamera, MemoryData, MemoryFarm, MemoryPlot, MemoryUser } from './memory-data.ts';

type Resolvers = GraphQLResolverMap<unknown>;
type Ref = { readonly id: string };

/**
 * Resolvers answering the bench operations from memory, per subgraph, with the real subgraphs' SDL: farm (farms,
 * Farm and Plot entities), user (User entity, updateProfile of the demo customer), streaming (Plot.cameras). Other
 * subgraphs get no resolvers (their fields answer null): no bench operation reaches them.
 */
export function memoryResolvers(name: string, data: MemoryData): Resolvers {
  const farmsById = new Map(data.farms.map((f) => [f.id, f]));
  const plotsOf = (farm: MemoryFarm) => farm.plotIds.map((id) => data.plots.get(id)).filter((p) => p !== undefined);
  switch (name) {
    case 'farm':
      return {
        Query: {
          farms: (_: unknown, { first }: { first?: number }) => {
            const page = data.farms.slice(0, Math.min(first ?? 20, 100));
            return {
              edges: page.map((node) => ({ cursor: node.id, node })),
              pageInfo: {
                hasNextPage: page.length < data.farms.length,
                hasPreviousPage: false,
                startCursor: page[0]?.id ?? null,
                endCursor: page.at(-1)?.id ?? null,
              },
            };
          },
        },
        Farm: {
          __resolveReference: (ref: Ref) => farmsById.get(ref.id) ?? null,
          owner: (farm: MemoryFarm) => ({ id: farm.ownerId }),
          plots: plotsOf,
        },
        Plot: {
          __resolveReference: (ref: Ref) => data.plots.get(ref.id) ?? null,
          farm: (plot: MemoryPlot) => farmsById.get(plot.farmId),
        },
      };
    case 'user': {
      const fallback = (id: string): MemoryUser => ({
        id,
        displayName: 'VegShare member',
        locale: 'en',
        timeZone: 'UTC',
      });
      const customer = [...data.users.values()].find((u) => u.displayName === 'Demo customer');
      return {
        User: { __resolveReference: (ref: Ref) => data.users.get(ref.id) ?? fallback(ref.id) },
        Mutation: {
          updateProfile: (_: unknown, { input }: { input: Partial<Omit<MemoryUser, 'id'>> }) => {
            if (!customer) throw new Error('no demo customer in memory');
            if (input.displayName) customer.displayName = input.displayName;
            if (input.locale) customer.locale = input.locale;
            if (input.timeZone) customer.timeZone = input.timeZone;
            return customer;
          },
        },
      };
    }
    case 'streaming':
      return {
        Plot: {
          __resolveReference: (ref: Ref) => ({ id: ref.id }),
          cameras: (plot: Ref): readonly MemoryCamera[] => data.camerasByPlot.get(plot.id) ?? [],
        },
      };
    default:
      return {};
  }
}
