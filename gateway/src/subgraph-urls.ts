import type federation from '@apollo/federation-internals';

/** Subgraph names and routing URLs declared in a supergraph (`@join__graph`), with overrides applied. */
export function subgraphUrls(
  supergraph: federation.Supergraph,
  overrides: Readonly<Record<string, string>>,
): Map<string, string> {
  const urls = supergraph.subgraphsMetadata().map(({ name, url }) => [name, overrides[name] ?? url] as const);
  return new Map(urls.filter(([, url]) => url !== ''));
}
