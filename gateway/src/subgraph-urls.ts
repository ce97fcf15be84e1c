/** Subgraph names and routing URLs declared in a supergraph (`@join__graph`), with overrides applied. */
export function subgraphUrls(supergraphSdl: string, overrides: Readonly<Record<string, string>>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) {
    const [, name, url] = match;
    if (name && url) urls.set(name, overrides[name] ?? url);
  }
  return urls;
}
