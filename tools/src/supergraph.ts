import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import composition from '@apollo/composition';
import federation from '@apollo/federation-internals';
import { diff, CriticalityLevel, type Change } from '@graphql-inspector/core';
import { parse, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import { readRoverConfig, type RoverConfig } from './workspace.ts';

export const SUPERGRAPH_FILE = 'schema/supergraph.graphql';
export const ACCEPTED_CHANGES_FILE = 'schema/accepted-changes.json';
/**
 * The copy the Kubernetes base mounts into the gateway (its configMapGenerator may only read files inside k8s/base:
 * kustomize's default load restrictor, as in `kubectl apply -k`, Argo CD and Flux). Written with the supergraph and
 * checked identical to it.
 */
export const K8S_SUPERGRAPH_FILE = 'k8s/base/supergraph.graphql';

/** Writes the composed supergraph and its Kubernetes copy under `root`. */
export function writeSupergraph(root: string, sdl: string): void {
  for (const file of [SUPERGRAPH_FILE, K8S_SUPERGRAPH_FILE]) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), sdl);
  }
}

export type Composition = { ok: true; sdl: string; warnings: string[] } | { ok: false; errors: string[] };

/** Composes the subgraphs listed in rover.yaml with @apollo/composition, the library rover's composition is built on. */
export function composeSupergraph(config: RoverConfig): Composition {
  const services = config.subgraphs.map((s) => ({
    name: s.name,
    url: s.routingUrl,
    typeDefs: parse(readFileSync(s.schemaFile, 'utf8')),
  }));
  const result = composition.composeServices(services);
  if (result.errors)
    return { ok: false, errors: result.errors.map((e) => `${e.extensions['code'] ?? 'ERROR'}: ${e.message}`) };
  const warnings = result.hints
    .filter((h) => h.definition.level.name === 'WARN')
    .map((h) => `${h.definition.code}: ${h.message}`);
  return { ok: true, sdl: `${result.supergraphSdl}\n`, warnings };
}

/** The client-facing (API) schema of a supergraph: what breaking-change detection compares. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return federation.Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

const acceptedSchema = z.array(
  z.object({
    /** Schema coordinate of the change, e.g. `Query.farms`. */
    path: z.string().min(1),
    /** graphql-inspector change type, e.g. `FIELD_REMOVED`, `FIELD_TYPE_CHANGED`. */
    type: z.string().min(1),
    /** Why the break is intended (reviewed). */
    reason: z.string().min(10),
  }),
);
export type AcceptedChange = z.infer<typeof acceptedSchema>[number];

export function readAcceptedChanges(root: string): AcceptedChange[] {
  const file = join(root, ACCEPTED_CHANGES_FILE);
  if (!existsSync(file)) return [];
  return acceptedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * The previous supergraph: the newest committed version of the file that differs from the current one
 * (so a just-committed change is still compared with what came before it). Null when there is none.
 */
export function previousSupergraph(root: string, current: string): string | null {
  let commits: string[];
  try {
    commits = execFileSync('git', ['log', '--format=%H', '--', SUPERGRAPH_FILE], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean);
  } catch {
    return null;
  }
  for (const commit of commits) {
    let content: string;
    try {
      content = execFileSync('git', ['show', `${commit}:${SUPERGRAPH_FILE}`], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      continue;
    }
    if (content !== current) return content;
  }
  return null;
}

export async function breakingChanges(previousSdl: string, nextSdl: string): Promise<Change[]> {
  const changes = await diff(apiSchemaOf(previousSdl), apiSchemaOf(nextSdl));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
}

export interface CheckReport {
  readonly failures: string[];
  readonly breaking: Change[];
  readonly acceptedBreaking: Change[];
}

/**
 * What CI enforces: composition succeeds without warnings, the checked-in supergraph is what composition produces
 * (and its Kubernetes copy is the same file), and nothing breaks clients compared with the previous supergraph unless listed in schema/accepted-changes.json.
 */
export async function checkSupergraph(root: string): Promise<CheckReport> {
  const failures: string[] = [];
  const composition = composeSupergraph(readRoverConfig(root));
  if (!composition.ok)
    return { failures: composition.errors.map((e) => `composition failed: ${e}`), breaking: [], acceptedBreaking: [] };
  failures.push(...composition.warnings.map((w) => `composition warning: ${w}`));
  const file = join(root, SUPERGRAPH_FILE);
  const checkedIn = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (checkedIn !== composition.sdl)
    failures.push(`${SUPERGRAPH_FILE} is stale: run \`npm run supergraph:compose\` and commit it`);
  const copy = join(root, K8S_SUPERGRAPH_FILE);
  if (!existsSync(copy) || readFileSync(copy, 'utf8') !== checkedIn) {
    failures.push(
      `${K8S_SUPERGRAPH_FILE} differs from ${SUPERGRAPH_FILE}: run \`npm run supergraph:compose\` and commit it`,
    );
  }
  const previous = previousSupergraph(root, composition.sdl);
  const breaking = previous ? await breakingChanges(previous, composition.sdl) : [];
  const accepted = readAcceptedChanges(root);
  const isAccepted = (c: Change) => accepted.some((a) => a.type === c.type && a.path === c.path);
  for (const change of breaking.filter((c) => !isAccepted(c))) {
    failures.push(
      `breaking change ${change.type} at ${change.path ?? '(schema)'}: ${change.message} — if intended, list it in ${ACCEPTED_CHANGES_FILE}`,
    );
  }
  return { failures, breaking, acceptedBreaking: breaking.filter(isAccepted) };
}
