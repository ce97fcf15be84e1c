/** An entity owned by another subgraph, as this one knows it: its key (the User, Farm, Rental, Adoption mappers). */
export interface EntityRef {
  readonly __typename?: string;
  readonly id: string;
}
