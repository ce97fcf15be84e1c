// A minimal kustomize renderer: exactly the features the manifests in k8s/ use, so CI can render every overlay without
// the kustomize binary (which cannot be installed here). Anything outside that subset is an error, never ignored, so an
// overlay cannot silently rely on a feature this renderer would get wrong.
//
// Supported in kustomization.yaml: resources (files and directories with a kustomization), namespace,
// labels (pairs, includeTemplates; not includeSelectors), configMapGenerator (files, literals, behavior create/merge/replace,
// options.disableNameSuffixHash: true and options.labels), patches (path: a strategic-merge patch naming its target by
// kind + metadata.name), images (name, newName, newTag, digest).
// Output matches `kustomize build --load-restrictor LoadRestrictionsNone` for these features (files outside the
// kustomization root are allowed, as with that flag: the gateway's supergraph ConfigMap reads schema/supergraph.graphql).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } & JsonObject;
  [key: string]: Json;
}

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'configMapGenerator', 'patches', 'images']);

/** Kinds that have no namespace; the namespace transformer leaves them alone. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'PriorityClass', 'IngressClass', 'ClusterSecretStore', 'ClusterTriggerAuthentication', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

/** Strategic-merge keys of the lists the patches touch (Kubernetes' patchMergeKey). Other lists are replaced. */
function mergeKeyOf(field: string, items: Json[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports': {
      // Container ports merge on containerPort, Service ports on port.
      const first = items.find(isObject);
      if (first && 'containerPort' in first) return 'containerPort';
      return 'port';
    }
    default:
      return undefined;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Strategic merge of `patch` into `base` (both plain JSON); returns a new value. `null` deletes a key. */
export function strategicMerge(base: Json, patch: Json, field = ''): Json {
  if (isObject(base) && isObject(patch)) {
    const out: JsonObject = clone(base);
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) throw new RenderError(`patch directive ${key} is not supported`);
      if (value === null) {
        delete out[key];
        continue;
      }
      const current = out[key];
      out[key] = current === undefined ? clone(value) : strategicMerge(current, value, key);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const key = mergeKeyOf(field, [...base, ...patch]);
    if (!key) return clone(patch);
    const out = base.map((item) => clone(item));
    for (const item of patch) {
      if (!isObject(item) || item[key] === undefined) throw new RenderError(`items of ${field} must have ${key} to merge`);
      const index = out.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
      if (index === -1) out.push(clone(item));
      else out[index] = strategicMerge(out[index] as Json, item, field);
    }
    return out;
  }
  return clone(patch);
}

function readYamlDocuments(file: string): Json[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Json[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new RenderError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as Json;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function asK8sObject(value: Json, source: string): K8sObject {
  if (!isObject(value)) throw new RenderError(`${source}: expected a Kubernetes object`);
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isObject(metadata) || typeof metadata['name'] !== 'string') {
    throw new RenderError(`${source}: every object needs apiVersion, kind and metadata.name`);
  }
  return value as K8sObject;
}

function findKustomization(dir: string): string {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new RenderError(`${dir}: no kustomization.yaml`);
}

const stringList = (value: Json | undefined, what: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new RenderError(`${what} must be a list of strings`);
  return value as string[];
};

export const objectId = (o: Pick<K8sObject, 'kind' | 'metadata'>): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function generateConfigMap(dir: string, spec: JsonObject): { object: K8sObject; behavior: string } {
  const allowed = new Set(['name', 'files', 'literals', 'behavior', 'options']);
  for (const key of Object.keys(spec)) if (!allowed.has(key)) throw new RenderError(`configMapGenerator.${key} is not supported`);
  const name = spec['name'];
  if (typeof name !== 'string') throw new RenderError('configMapGenerator needs a name');
  const options = spec['options'] ?? {};
  if (!isObject(options)) throw new RenderError(`configMapGenerator ${name}: options must be a map`);
  for (const key of Object.keys(options)) {
    if (key !== 'disableNameSuffixHash' && key !== 'labels' && key !== 'annotations') throw new RenderError(`configMapGenerator ${name}: options.${key} is not supported`);
  }
  if (options['disableNameSuffixHash'] !== true) {
    throw new RenderError(`configMapGenerator ${name}: set options.disableNameSuffixHash: true (this renderer does not implement hash suffixes)`);
  }
  const data: Record<string, string> = {};
  for (const entry of stringList(spec['files'], `configMapGenerator ${name}.files`)) {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? basename(entry) : entry.slice(0, eq);
    const path = resolve(dir, eq === -1 ? entry : entry.slice(eq + 1));
    if (!existsSync(path)) throw new RenderError(`configMapGenerator ${name}: file ${path} does not exist`);
    data[key] = readFileSync(path, 'utf8');
  }
  for (const entry of stringList(spec['literals'], `configMapGenerator ${name}.literals`)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new RenderError(`configMapGenerator ${name}: literal "${entry}" must be KEY=VALUE`);
    data[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const metadata: K8sObject['metadata'] = { name };
  if (isObject(options['labels'])) metadata.labels = options['labels'] as Record<string, string>;
  if (isObject(options['annotations'])) metadata.annotations = options['annotations'] as Record<string, string>;
  const behavior = typeof spec['behavior'] === 'string' ? spec['behavior'] : 'create';
  if (!['create', 'merge', 'replace'].includes(behavior)) throw new RenderError(`configMapGenerator ${name}: behavior ${behavior} is not supported`);
  return { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data }, behavior };
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

function podTemplatesOf(o: K8sObject): JsonObject[] {
  const spec = o['spec'];
  if (!isObject(spec)) return [];
  if (o.kind === 'CronJob') {
    const job = spec['jobTemplate'];
    const template = isObject(job) && isObject(job['spec']) ? job['spec']['template'] : undefined;
    return isObject(template) ? [template] : [];
  }
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(o.kind) && isObject(spec['template']) ? [spec['template']] : [];
}

export function containersOf(podSpec: JsonObject): JsonObject[] {
  const list = (key: string) => (Array.isArray(podSpec[key]) ? (podSpec[key] as Json[]).filter(isObject) : []);
  return [...list('initContainers'), ...list('containers')];
}

function addLabels(target: JsonObject, pairs: Record<string, string>): void {
  const metadata = isObject(target['metadata']) ? target['metadata'] : (target['metadata'] = {});
  metadata['labels'] = { ...(isObject(metadata['labels']) ? metadata['labels'] : {}), ...pairs };
}

function applyImages(objects: K8sObject[], images: Json): void {
  if (!Array.isArray(images)) throw new RenderError('images must be a list');
  for (const rule of images) {
    if (!isObject(rule) || typeof rule['name'] !== 'string') throw new RenderError('every images entry needs a name');
    for (const key of Object.keys(rule)) if (!['name', 'newName', 'newTag', 'digest'].includes(key)) throw new RenderError(`images.${key} is not supported`);
    for (const o of objects) {
      for (const podSpec of podSpecsOf(o)) {
        for (const container of containersOf(podSpec)) {
          const image = container['image'];
          if (typeof image !== 'string') continue;
          const at = image.indexOf('@');
          const withoutDigest = at === -1 ? image : image.slice(0, at);
          const colon = withoutDigest.lastIndexOf(':');
          const hasTag = colon > withoutDigest.lastIndexOf('/');
          const repo = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
          if (repo !== rule['name']) continue;
          const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
          const newRepo = typeof rule['newName'] === 'string' ? rule['newName'] : repo;
          if (typeof rule['digest'] === 'string') container['image'] = `${newRepo}@${rule['digest']}`;
          else if (typeof rule['newTag'] === 'string') container['image'] = `${newRepo}:${rule['newTag']}`;
          else container['image'] = tag ? `${newRepo}:${tag}` : newRepo;
        }
      }
    }
  }
}

/** Renders the kustomization in `dir` (a folder holding kustomization.yaml) to a list of objects. */
export function renderKustomization(dir: string, seen: readonly string[] = []): K8sObject[] {
  const root = resolve(dir);
  if (seen.includes(root)) throw new RenderError(`kustomization cycle through ${root}`);
  const file = findKustomization(root);
  const [doc, ...rest] = readYamlDocuments(file);
  if (rest.length > 0 || !isObject(doc)) throw new RenderError(`${file}: expected one map`);
  for (const key of Object.keys(doc)) if (!SUPPORTED_KEYS.has(key)) throw new RenderError(`${file}: ${key} is not supported by this renderer`);

  // 1. Resources, in order.
  let objects: K8sObject[] = [];
  for (const entry of stringList(doc['resources'], `${file} resources`)) {
    const path = resolve(root, entry);
    if (!existsSync(path)) throw new RenderError(`${file}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path, [...seen, root]));
    else objects.push(...readYamlDocuments(path).map((d) => asK8sObject(d, path)));
  }

  // 2. Generators.
  const generators = doc['configMapGenerator'] ?? [];
  if (!Array.isArray(generators)) throw new RenderError(`${file}: configMapGenerator must be a list`);
  for (const spec of generators) {
    if (!isObject(spec)) throw new RenderError(`${file}: configMapGenerator entries must be maps`);
    const { object, behavior } = generateConfigMap(root, spec);
    const index = objects.findIndex((o) => o.kind === 'ConfigMap' && o.metadata.name === object.metadata.name);
    if (behavior === 'create') {
      if (index !== -1) throw new RenderError(`${file}: ConfigMap ${object.metadata.name} already exists (use behavior: merge)`);
      objects.push(object);
    } else {
      if (index === -1) throw new RenderError(`${file}: ConfigMap ${object.metadata.name} to ${behavior} does not exist`);
      const existing = objects[index] as K8sObject;
      objects[index] = behavior === 'replace' ? object : (strategicMerge(existing as unknown as Json, object as unknown as Json) as unknown as K8sObject);
    }
  }

  // 3. Patches (strategic merge, target named in the patch).
  const patches = doc['patches'] ?? [];
  if (!Array.isArray(patches)) throw new RenderError(`${file}: patches must be a list`);
  for (const patchEntry of patches) {
    if (!isObject(patchEntry) || typeof patchEntry['path'] !== 'string' || Object.keys(patchEntry).length !== 1) {
      throw new RenderError(`${file}: only \`- path: <strategic-merge patch file>\` patches are supported`);
    }
    const patchFile = resolve(root, patchEntry['path']);
    for (const patchDoc of readYamlDocuments(patchFile)) {
      const patch = asK8sObject(patchDoc, patchFile);
      const matches = objects
        .map((o, i) => ({ o, i }))
        .filter(({ o }) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (matches.length !== 1) throw new RenderError(`${patchFile}: patch target ${patch.kind}/${patch.metadata.name} matched ${matches.length} objects`);
      const { o, i } = matches[0] as { o: K8sObject; i: number };
      if (o.apiVersion !== patch.apiVersion) throw new RenderError(`${patchFile}: apiVersion ${patch.apiVersion} differs from the target's ${o.apiVersion}`);
      objects[i] = strategicMerge(o as unknown as Json, patch as unknown as Json) as unknown as K8sObject;
    }
  }

  // 4. Transformers: namespace, labels, images.
  objects = objects.map((o) => structuredClone(o));
  if (doc['namespace'] !== undefined) {
    if (typeof doc['namespace'] !== 'string') throw new RenderError(`${file}: namespace must be a string`);
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = doc['namespace'];
  }
  const labels = doc['labels'] ?? [];
  if (!Array.isArray(labels)) throw new RenderError(`${file}: labels must be a list`);
  for (const entry of labels) {
    if (!isObject(entry) || !isObject(entry['pairs'])) throw new RenderError(`${file}: labels entries need pairs`);
    for (const key of Object.keys(entry)) if (!['pairs', 'includeTemplates', 'includeSelectors'].includes(key)) throw new RenderError(`${file}: labels.${key} is not supported`);
    if (entry['includeSelectors'] === true) throw new RenderError(`${file}: labels.includeSelectors is not supported (selectors stay as written)`);
    const pairs = entry['pairs'] as Record<string, string>;
    for (const o of objects) {
      addLabels(o as unknown as JsonObject, pairs);
      if (entry['includeTemplates'] === true) for (const template of podTemplatesOf(o)) addLabels(template, pairs);
    }
  }
  if (doc['images'] !== undefined) applyImages(objects, doc['images']);

  const ids = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (ids.has(id)) throw new RenderError(`${file}: ${id} is defined twice`);
    ids.add(id);
  }
  return objects;
}
