/**
 * The operations every gateway serves in the benchmark. Field names follow the composed supergraph; `floor` names
 * the subgraph that can answer the operation alone (the floor row sends it straight there).
 */
export interface Operation {
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  /**
   * Whose token to send, if any: a demo account's, or `callers`: each request the next of the bench's distinct signed-in
   * callers (BENCH_CALLERS registered customers, in turn), so that no two requests in flight share a caller and
   * response sharing, which is per caller, cannot help.
   */
  readonly as?: 'customer' | 'farmer' | 'callers';
  readonly floor?: 'farm' | 'user';
}

const oneSubgraph = `query BenchFarms { farms(first: 10) { edges { node { id name locality location { latitude longitude } } } } }`;
const nested = `query BenchNested { farms(first: 10) { edges { node { id name owner { id displayName } plots { id code cameras { id name health } } } } } }`;

export const operations: readonly Operation[] = [
  {
    name: 'one-subgraph',
    description: 'first 10 farms with their location (farm only), anonymous',
    query: oneSubgraph,
    floor: 'farm',
  },
  {
    name: 'one-subgraph-callers',
    description:
      'one-subgraph, each request signed in as the next of the distinct callers (no response sharing possible)',
    query: oneSubgraph,
    as: 'callers',
    floor: 'farm',
  },
  {
    name: 'nested',
    description:
      'first 10 farms → owner (user) → plots → cameras (streaming): 3 subgraphs, entity references, anonymous',
    query: nested,
  },
  {
    name: 'nested-callers',
    description: 'nested, each request signed in as the next of the distinct callers',
    query: nested,
    as: 'callers',
  },
  {
    name: 'large-list',
    description: '100 farms × 6 plots with all their scalar fields (farm only, ~100 kB)',
    query: `query BenchLarge { farms(first: 100) { edges { node { id name description locality location { latitude longitude } openingSeason { startMonth endMonth } plots { id code areaM2 soil sunExposure status pricePerSeasonCents currency } } } } }`,
    floor: 'farm',
  },
  {
    name: 'mutation',
    description: 'updateProfile (same locale each time) as the demo customer (user only)',
    query: `mutation BenchUpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName locale timeZone } }`,
    variables: { input: { locale: 'en-GB' } },
    as: 'customer',
    floor: 'user',
  },
];

export const requestBody = (op: Operation): string =>
  JSON.stringify({ query: op.query, ...(op.variables ? { variables: op.variables } : {}) });

/** The name of a named query or mutation (the relay routes by it), undefined for an anonymous one. */
export const operationNameOf = (query: string): string | undefined => /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1];

/** The pass-through relay's routes (serve-proxy.ts): `OperationName=subgraph` for each operation one subgraph answers. */
export const proxyRoutes = (ops: readonly Operation[]): string =>
  [
    ...new Set(
      ops.flatMap((op) => {
        const name = operationNameOf(op.query);
        return op.floor && name ? [`${name}=${op.floor}`] : [];
      }),
    ),
  ].join(',');
