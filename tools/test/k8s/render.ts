// Renders a kustomization with the real kustomize (`kubectl kustomize`, kustomize v5.5 built into kubectl) under its
// default load restrictor, exactly as `kubectl apply -k`, Argo CD and Flux do, and parses the output.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } & JsonObject;
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `kubectl kustomize <dir>` parsed into objects; throws with kustomize's message when it refuses the kustomization. */
export function kustomize(dir: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr?.trim() || String(error)}`);
  }
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(output)) {
    if (doc.errors.length > 0)
      throw new Error(`kubectl kustomize ${dir}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Json;
    if (isObject(value)) objects.push(value as unknown as K8sObject);
  }
  return objects;
}

/** Pod specs inside a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob). */
export function podSpecsOf(o: K8sObject): JsonObject[] {
  const spec = o['spec'];
  if (!isObject(spec)) return [];
  if (o.kind === 'CronJob') {
    const job = spec['jobTemplate'];
    const template = isObject(job) && isObject(job['spec']) ? job['spec']['template'] : undefined;
    return isObject(template) && isObject(template['spec']) ? [template['spec']] : [];
  }
  const template = spec['template'];
  return isObject(template) && isObject(template['spec']) ? [template['spec']] : [];
}

export function containersOf(podSpec: JsonObject): JsonObject[] {
  const list = (key: string) => (Array.isArray(podSpec[key]) ? (podSpec[key] as Json[]).filter(isObject) : []);
  return [...list('initContainers'), ...list('containers')];
}
