import federation from '@apollo/federation-internals';

/**
 * Subgraph names and routing URLs declared in a supergraph (`@join__graph`, read by Federation's own `Supergraph`),
 * with overrides applied. The gateway has validated the supergraph before it calls this, so it is not validated again.
 */
export function subgraphUrls(supergraphSdl: string, overrides: Readonly<Record<string, string>>): Map<string, string> {
  const supergraph = federation.Supergraph.build(supergraphSdl, { validateSupergraph: false });
  const urls = supergraph.subgraphsMetadata().map(({ name, url }) => [name, overrides[name] ?? url] as const);
  return new Map(urls.filter(([, url]) => url !== ''));
}
