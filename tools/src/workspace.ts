import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Repository root (tools/src/ → ../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const roverConfigSchema = z.object({
  federation_version: z.string().regex(/^=?2\.\d+(\.\d+)?$/, 'expected a Federation 2 version such as =2.14.4'),
  subgraphs: z.record(
    z.string().regex(/^[a-z][a-z0-9_-]*$/),
    z.object({
      routing_url: z.string().url(),
      schema: z.object({ file: z.string() }),
    }),
  ),
});

export interface SubgraphEntry {
  readonly name: string;
  readonly routingUrl: string;
  readonly schemaFile: string;
  /** The subgraph's workspace folder (where schema.graphql sits). */
  readonly dir: string;
}

export interface RoverConfig {
  readonly federationVersion: string;
  readonly subgraphs: readonly SubgraphEntry[];
}

/** Reads and validates rover.yaml (rover's supergraph config format) relative to `root`. */
export function readRoverConfig(root = repoRoot, file = 'rover.yaml'): RoverConfig {
  const parsed = roverConfigSchema.safeParse(parseYaml(readFileSync(join(root, file), 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    federationVersion: parsed.data.federation_version.replace(/^=/, ''),
    subgraphs: Object.entries(parsed.data.subgraphs).map(([name, s]) => {
      const schemaFile = resolve(root, s.schema.file);
      return { name, routingUrl: s.routing_url, schemaFile, dir: dirname(schemaFile) };
    }),
  };
}
