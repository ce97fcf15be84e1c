/**
 * The operations every gateway serves in the benchmark. Field names follow the composed supergraph; `floor` names
 * the subgraph that can answer the operation alone (the floor row sends it straight there).
 */
export interface Operation {
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Which demo account's token to send, if any. */
  readonly as?: 'customer' | 'farmer';
  readonly floor?: 'farm' | 'user';
}

export const operations: readonly Operation[] = [
  {
    name: 'one-subgraph',
    description: 'first 10 farms with their location (farm only)',
    query: `query BenchFarms { farms(first: 10) { edges { node { id name locality location { latitude longitude } } } } }`,
    floor: 'farm',
  },
  {
    name: 'nested',
    description: 'first 10 farms → owner (user) → plots → cameras (streaming): 3 subgraphs, entity references',
    query: `query BenchNested { farms(first: 10) { edges { node { id name owner { id displayName } plots { id code cameras { id name health } } } } } }`,
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
