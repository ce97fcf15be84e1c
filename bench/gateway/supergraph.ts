import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSupergraph } from '@vegshare/tools/supergraph';
import { readRoverConfig, repoRoot } from '@vegshare/tools/workspace';

/**
 * The supergraph the gateways serve: BENCH_SUPERGRAPH when given, else rover.yaml composed now (so the bench follows
 * the subgraphs as they are), else the committed schema/supergraph.graphql when composition fails.
 */
export function benchSupergraph(env: NodeJS.ProcessEnv): { sdl: string; source: string } {
  const given = env['BENCH_SUPERGRAPH'];
  if (given) return { sdl: readFileSync(given, 'utf8'), source: given };
  const composed = composeSupergraph(readRoverConfig());
  if (composed.ok) return { sdl: composed.sdl, source: 'rover.yaml composed at start' };
  const file = join(repoRoot, 'schema/supergraph.graphql');
  process.stderr.write(`bench: rover.yaml does not compose (${composed.errors.join('; ')}); using ${file}\n`);
  return { sdl: readFileSync(file, 'utf8'), source: 'schema/supergraph.graphql (composition failed)' };
}

/** Rewrites every `@join__graph(name: "x", url: "…")` to the running subgraph's URL. */
export function withRoutingUrls(sdl: string, urls: ReadonlyMap<string, string>): string {
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) => {
    const url = urls.get(name);
    return url ? `@join__graph(name: "${name}", url: "${url}")` : whole;
  });
}
