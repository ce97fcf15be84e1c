// Cross-reference checks over one rendered overlay: what schemas cannot see. Every Service selects a workload's pods
// and names a port they open; every probe hits a path the service serves on the port it listens on; every env var a
// service's env.ts requires is provided, and the whole environment (with the documented Secret placeholders) passes the
// service's own config loader; autoscalers, budgets, volumes, ConfigMaps and Ingress backends point at real objects;
// the gateway's SUBGRAPH_URLS reach every subgraph's Service; grace periods cover each process's drain time.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { containersOf, isObject, podSpecsOf, type Json, type JsonObject, type K8sObject } from './render.ts';
import { readRoverConfig, repoRoot } from '../../src/workspace.ts';

/** Paths every service serves (packages/kit/src/http/service-server.ts). */
const SERVICE_PATHS = { liveness: '/health', readiness: '/ready', metrics: '/metrics', graphql: '/graphql' } as const;
/** Seconds a service drains on SIGTERM (kit's runAsProcess) plus the preStop pause; the grace period must cover both. */
const SERVICE_DRAIN_SECONDS = 15;

/** Which config loader checks which Deployment's environment. */
export interface EnvContract {
  readonly deployment: string;
  readonly container: string;
  readonly envFile: string;
  readonly loader: string;
  /** Serves HTTP (probes, Service) on PORT. */
  readonly http: boolean;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The gateway, every subgraph in rover.yaml, and the transcoding worker process. */
export function envContracts(root = repoRoot): EnvContract[] {
  const contracts: EnvContract[] = [
    {
      deployment: 'gateway',
      container: 'gateway',
      envFile: join(root, 'gateway/src/env.ts'),
      loader: 'loadGatewayConfig',
      http: true,
    },
  ];
  for (const subgraph of readRoverConfig(root).subgraphs) {
    contracts.push({
      deployment: subgraph.name,
      container: subgraph.name,
      envFile: join(subgraph.dir, 'src/env.ts'),
      loader: `load${capitalize(subgraph.name)}Config`,
      http: true,
    });
  }
  contracts.push({
    deployment: 'transcoding-worker',
    container: 'worker',
    envFile: join(root, 'subgraphs/transcoding/src/env.ts'),
    loader: 'loadWorkerConfig',
    http: false,
  });
  return contracts;
}

type Loader = (env: Record<string, string | undefined>) => unknown;

async function loadLoader(contract: EnvContract): Promise<Loader | string> {
  if (!existsSync(contract.envFile)) return `${contract.envFile} does not exist`;
  const module = (await import(pathToFileURL(contract.envFile).href)) as Record<string, unknown>;
  const loader = module[contract.loader];
  return typeof loader === 'function' ? (loader as Loader) : `${contract.envFile} exports no ${contract.loader}`;
}

/** Keys the loader reports as `required` when the environment is empty: zod fields without default or optional. */
export async function requiredEnvKeys(contract: EnvContract): Promise<string[]> {
  const loader = await loadLoader(contract);
  if (typeof loader === 'string') throw new Error(loader);
  try {
    loader({});
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [...message.matchAll(/([A-Z][A-Z0-9_]*): required/g)].map((m) => m[1] as string);
  }
}

/** Documented Secrets (k8s/secrets.example.yaml): name → key → placeholder value of the right shape. */
export function readSecretExamples(
  file = join(repoRoot, 'k8s/secrets.example.yaml'),
): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const value = doc.toJS() as Json;
    if (
      !isObject(value) ||
      value['kind'] !== 'Secret' ||
      !isObject(value['metadata']) ||
      !isObject(value['stringData'])
    )
      continue;
    const data = new Map<string, string>();
    for (const [k, v] of Object.entries(value['stringData'])) data.set(k, String(v));
    out.set(String(value['metadata']['name']), data);
  }
  return out;
}

const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);
const str = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

function labelsMatch(selector: Json | undefined, labels: Json | undefined): boolean {
  if (!isObject(selector) || !isObject(labels)) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export function selectorMatches(selector: Json | undefined, labels: Json | undefined): boolean {
  if (!isObject(selector) || !isObject(labels)) return false;
  const matchLabels = isObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  const expressions = list(selector['matchExpressions']);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return expressions.every((e) => {
    const key = str(e['key']) ?? '';
    const values = Array.isArray(e['values']) ? e['values'] : [];
    switch (e['operator']) {
      case 'In':
        return values.includes(labels[key] ?? null);
      case 'NotIn':
        return !values.includes(labels[key] ?? null);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

interface Workload {
  readonly object: K8sObject;
  readonly labels: JsonObject;
  readonly podSpec: JsonObject;
}

function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((o) => {
      const spec = o['spec'] as JsonObject;
      const template = spec['template'] as JsonObject;
      const metadata = isObject(template['metadata']) ? template['metadata'] : {};
      return {
        object: o,
        labels: isObject(metadata['labels']) ? metadata['labels'] : {},
        podSpec: (podSpecsOf(o)[0] ?? {}) as JsonObject,
      };
    });
}

/** The value of a container port named or numbered `port`, or undefined when the container opens no such port. */
function containerPort(container: JsonObject, port: Json | undefined): number | undefined {
  for (const p of list(container['ports'])) {
    if (typeof port === 'number' && p['containerPort'] === port) return port;
    if (typeof port === 'string' && p['name'] === port) return p['containerPort'] as number;
  }
  return undefined;
}

/** Resolves a container's environment: literal values, fieldRefs, ConfigMap keys, and Secret keys from the examples. */
function resolveEnv(
  container: JsonObject,
  configMaps: Map<string, JsonObject>,
  secrets: Map<string, Map<string, string>>,
  where: string,
  errors: string[],
): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of list(container['envFrom'])) {
    const ref = isObject(source['configMapRef']) ? source['configMapRef'] : undefined;
    if (ref) {
      const data = configMaps.get(str(ref['name']) ?? '');
      if (!data) {
        if (ref['optional'] !== true) errors.push(`${where}: envFrom ConfigMap ${String(ref['name'])} does not exist`);
        continue;
      }
      for (const [k, v] of Object.entries(data)) env.set(k, String(v));
    } else {
      errors.push(
        `${where}: envFrom other than configMapRef is not checked; reference Secret keys one by one with secretKeyRef`,
      );
    }
  }
  for (const entry of list(container['env'])) {
    const name = str(entry['name']) ?? '';
    if (typeof entry['value'] === 'string') {
      env.set(name, entry['value']);
      continue;
    }
    const from = isObject(entry['valueFrom']) ? entry['valueFrom'] : {};
    if (isObject(from['fieldRef'])) {
      env.set(name, `field:${String(from['fieldRef']['fieldPath'])}`);
    } else if (isObject(from['configMapKeyRef'])) {
      const ref = from['configMapKeyRef'];
      const value = configMaps.get(str(ref['name']) ?? '')?.[str(ref['key']) ?? ''];
      if (typeof value === 'string') env.set(name, value);
      else if (ref['optional'] !== true)
        errors.push(
          `${where}: ${name} reads ConfigMap ${String(ref['name'])} key ${String(ref['key'])}, which does not exist`,
        );
    } else if (isObject(from['secretKeyRef'])) {
      const ref = from['secretKeyRef'];
      const value = secrets.get(str(ref['name']) ?? '')?.get(str(ref['key']) ?? '');
      if (typeof value === 'string') env.set(name, value);
      else if (ref['optional'] !== true)
        errors.push(
          `${where}: ${name} reads Secret ${String(ref['name'])} key ${String(ref['key'])}, which k8s/secrets.example.yaml does not document`,
        );
    } else {
      errors.push(`${where}: ${name} has neither a value nor a supported valueFrom`);
    }
  }
  return env;
}

export interface RefCheckOptions {
  readonly overlay: string;
  readonly secrets: Map<string, Map<string, string>>;
  readonly contracts: readonly EnvContract[];
  /** Routing URLs that SUBGRAPH_URLS must equal (k8s/rover.prod.yaml for the prod overlay). */
  readonly routingUrls?: Readonly<Record<string, string>>;
  /** Env vars every contract container must receive (e.g. OTEL_EXPORTER_OTLP_ENDPOINT where tracing is on). */
  readonly requireEnv?: readonly string[];
}

export async function crossReferenceErrors(objects: K8sObject[], options: RefCheckOptions): Promise<string[]> {
  const errors: string[] = [];
  const all = workloads(objects);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const configMaps = new Map(
    byKind('ConfigMap').map((o) => [o.metadata.name, (isObject(o['data']) ? o['data'] : {}) as JsonObject]),
  );
  const services = byKind('Service');

  // Services select pods and name ports those pods open.
  for (const service of services) {
    const spec = service['spec'] as JsonObject;
    const selected = all.filter((w) => labelsMatch(spec['selector'], w.labels));
    if (selected.length === 0) {
      errors.push(`Service ${service.metadata.name} selects no workload's pods`);
      continue;
    }
    for (const port of list(spec['ports'])) {
      const target = port['targetPort'] ?? port['port'];
      for (const w of selected) {
        if (!containersOf(w.podSpec).some((c) => containerPort(c, target) !== undefined)) {
          errors.push(
            `Service ${service.metadata.name} port ${String(port['port'])} targets ${String(target)}, which ${w.object.kind} ${w.object.metadata.name} does not open`,
          );
        }
      }
    }
  }

  // Probes hit ports the container opens (and, for our services, the paths they serve).
  for (const w of all) {
    for (const container of containersOf(w.podSpec)) {
      for (const probeName of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const probe = container[probeName];
        if (!isObject(probe)) continue;
        const where = `${w.object.kind} ${w.object.metadata.name} container ${String(container['name'])} ${probeName}`;
        const action = isObject(probe['httpGet'])
          ? probe['httpGet']
          : isObject(probe['tcpSocket'])
            ? probe['tcpSocket']
            : undefined;
        if (action && containerPort(container, action['port']) === undefined)
          errors.push(`${where}: port ${String(action['port'])} is not a containerPort`);
      }
    }
  }

  // Our services: probes, ports, PORT, env contract, drain time, autoscaling and budgets.
  for (const contract of options.contracts) {
    const deployment = find('Deployment', contract.deployment);
    const where = `Deployment ${contract.deployment}`;
    if (!deployment) {
      errors.push(`${where} is missing`);
      continue;
    }
    const w = all.find((x) => x.object === deployment) as Workload;
    const container = list(w.podSpec['containers']).find((c) => c['name'] === contract.container);
    if (!container) {
      errors.push(`${where} has no container ${contract.container}`);
      continue;
    }
    const env = resolveEnv(container, configMaps, options.secrets, where, errors);
    for (const initContainer of list(w.podSpec['initContainers']))
      resolveEnv(
        initContainer,
        configMaps,
        options.secrets,
        `${where} initContainer ${String(initContainer['name'])}`,
        errors,
      );

    const loader = await loadLoader(contract);
    if (typeof loader === 'string') {
      errors.push(`${where}: ${loader}`);
    } else {
      for (const key of await requiredEnvKeys(contract))
        if (!env.has(key)) errors.push(`${where}: ${key} is required by ${contract.loader} but not provided`);
      try {
        loader(Object.fromEntries(env));
      } catch (error) {
        errors.push(
          `${where}: its environment fails ${contract.loader}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const key of options.requireEnv ?? []) if (!env.get(key)) errors.push(`${where}: ${key} is not set`);

    const resources = isObject(container['resources']) ? container['resources'] : {};
    if (!isObject(resources['requests']) || !isObject(resources['limits']))
      errors.push(`${where}: resource requests and limits must both be set`);
    const grace =
      typeof w.podSpec['terminationGracePeriodSeconds'] === 'number' ? w.podSpec['terminationGracePeriodSeconds'] : 30;
    const podsBudgeted = byKind('PodDisruptionBudget').some((pdb) =>
      selectorMatches((pdb['spec'] as JsonObject)['selector'], w.labels),
    );
    if (!podsBudgeted) errors.push(`${where}: no PodDisruptionBudget selects its pods`);

    if (contract.http) {
      const port = Number(env.get('PORT'));
      const opened = list(container['ports']).map((p) => p['containerPort']);
      if (!opened.includes(port))
        errors.push(`${where}: PORT ${String(env.get('PORT'))} is not a containerPort (${opened.join(', ')})`);
      const expectPath = {
        livenessProbe: SERVICE_PATHS.liveness,
        readinessProbe: SERVICE_PATHS.readiness,
        startupProbe: SERVICE_PATHS.liveness,
      } as const;
      for (const [probeName, path] of Object.entries(expectPath)) {
        const probe = container[probeName];
        if (!isObject(probe)) {
          if (probeName !== 'startupProbe') errors.push(`${where}: no ${probeName}`);
          continue;
        }
        const get = isObject(probe['httpGet']) ? probe['httpGet'] : undefined;
        if (!get) errors.push(`${where}: ${probeName} must be an httpGet on ${path}`);
        else {
          if (get['path'] !== path) errors.push(`${where}: ${probeName} path ${String(get['path'])} is not ${path}`);
          if (containerPort(container, get['port']) !== port)
            errors.push(`${where}: ${probeName} port ${String(get['port'])} is not the service's PORT ${port}`);
        }
      }
      const preStop =
        isObject(container['lifecycle']) && isObject(container['lifecycle']['preStop'])
          ? container['lifecycle']['preStop']
          : undefined;
      const pause =
        preStop && isObject(preStop['exec']) && Array.isArray(preStop['exec']['command'])
          ? Number(preStop['exec']['command'][1] ?? 0)
          : 0;
      if (grace < SERVICE_DRAIN_SECONDS + pause + 5)
        errors.push(
          `${where}: terminationGracePeriodSeconds ${grace} does not cover ${SERVICE_DRAIN_SECONDS} s of drain plus ${pause} s preStop`,
        );
      const service = services.find((s) => labelsMatch((s['spec'] as JsonObject)['selector'], w.labels));
      if (!service) errors.push(`${where}: no Service selects its pods`);
      const hpa = byKind('HorizontalPodAutoscaler').find((h) => {
        const ref = (h['spec'] as JsonObject)['scaleTargetRef'];
        return isObject(ref) && ref['kind'] === 'Deployment' && ref['name'] === contract.deployment;
      });
      if (!hpa) errors.push(`${where}: no HorizontalPodAutoscaler`);
    } else {
      const drainMs = Number(env.get('DRAIN_TIMEOUT_MS') ?? 15_000) + Number(env.get('CANCEL_GRACE_MS') ?? 3_000);
      if (grace * 1000 < drainMs + 5_000)
        errors.push(
          `${where}: terminationGracePeriodSeconds ${grace} does not cover DRAIN_TIMEOUT_MS + CANCEL_GRACE_MS (${drainMs} ms)`,
        );
    }
  }

  // Volumes and ConfigMaps referenced by pods exist.
  for (const o of objects) {
    for (const podSpec of podSpecsOf(o)) {
      const volumes = list(podSpec['volumes']);
      const names = new Set(volumes.map((v) => v['name']));
      const claimNames =
        o.kind === 'StatefulSet'
          ? list((o['spec'] as JsonObject)['volumeClaimTemplates']).map((c) => (c['metadata'] as JsonObject)['name'])
          : [];
      for (const claim of claimNames) names.add(claim ?? null);
      for (const volume of volumes) {
        if (isObject(volume['configMap']) && !configMaps.has(str(volume['configMap']['name']) ?? ''))
          errors.push(
            `${o.kind} ${o.metadata.name}: volume ${String(volume['name'])} uses missing ConfigMap ${String(volume['configMap']['name'])}`,
          );
      }
      for (const container of containersOf(podSpec)) {
        for (const mount of list(container['volumeMounts'])) {
          if (!names.has(mount['name'] ?? null))
            errors.push(
              `${o.kind} ${o.metadata.name} container ${String(container['name'])}: volumeMount ${String(mount['name'])} has no volume`,
            );
        }
      }
    }
  }

  // Autoscalers and budgets point at real workloads; KEDA owns its target's HPA.
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const ref = (hpa['spec'] as JsonObject)['scaleTargetRef'] as JsonObject;
    if (!find(str(ref['kind']) ?? '', str(ref['name']) ?? ''))
      errors.push(
        `HorizontalPodAutoscaler ${hpa.metadata.name} targets missing ${String(ref['kind'])} ${String(ref['name'])}`,
      );
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!all.some((w) => selectorMatches((pdb['spec'] as JsonObject)['selector'], w.labels)))
      errors.push(`PodDisruptionBudget ${pdb.metadata.name} selects no pods`);
  }
  for (const scaled of byKind('ScaledObject')) {
    const spec = scaled['spec'] as JsonObject;
    const ref = spec['scaleTargetRef'] as JsonObject;
    const target = find(str(ref['kind']) ?? 'Deployment', str(ref['name']) ?? '');
    const where = `ScaledObject ${scaled.metadata.name}`;
    if (!target) {
      errors.push(`${where} targets missing ${String(ref['name'])}`);
      continue;
    }
    if (
      byKind('HorizontalPodAutoscaler').some(
        (h) => ((h['spec'] as JsonObject)['scaleTargetRef'] as JsonObject)['name'] === target.metadata.name,
      )
    ) {
      errors.push(`${where}: ${target.metadata.name} also has an HPA of its own (KEDA creates it)`);
    }
    const container =
      containersOf(podSpecsOf(target)[0] ?? {}).find(
        (c) => !list(podSpecsOf(target)[0]?.['initContainers']).includes(c),
      ) ?? {};
    const env = resolveEnv(container, configMaps, options.secrets, where, []);
    const names = new Set(list(container['env']).map((e) => e['name']));
    const queue = `${env.get('QUEUE_PREFIX') ?? 'vegshare:bull'}:${env.get('QUEUE_NAME') ?? 'transcode'}`;
    for (const trigger of list(spec['triggers'])) {
      const metadata = isObject(trigger['metadata']) ? trigger['metadata'] : {};
      for (const key of ['addressFromEnv', 'passwordFromEnv', 'hostFromEnv', 'portFromEnv']) {
        const name = str(metadata[key]);
        if (name && !env.has(name) && !names.has(name))
          errors.push(`${where}: ${key} ${name} is not in ${target.metadata.name}'s environment`);
      }
      const listName = str(metadata['listName']);
      if (trigger['type'] === 'redis' && listName && ![`${queue}:wait`, `${queue}:active`].includes(listName)) {
        errors.push(`${where}: listName ${listName} is not the BullMQ list of queue ${queue} (wait or active)`);
      }
    }
  }

  // Ingress backends.
  for (const ingress of byKind('Ingress')) {
    for (const rule of list((ingress['spec'] as JsonObject)['rules'])) {
      const http = isObject(rule['http']) ? rule['http'] : {};
      for (const path of list(http['paths'])) {
        const backend = ((path['backend'] as JsonObject)['service'] ?? {}) as JsonObject;
        const service = find('Service', str(backend['name']) ?? '');
        const port = isObject(backend['port']) ? (backend['port']['name'] ?? backend['port']['number']) : undefined;
        if (!service)
          errors.push(`Ingress ${ingress.metadata.name}: backend Service ${String(backend['name'])} is missing`);
        else if (!list((service['spec'] as JsonObject)['ports']).some((p) => p['name'] === port || p['port'] === port))
          errors.push(`Ingress ${ingress.metadata.name}: Service ${service.metadata.name} has no port ${String(port)}`);
      }
    }
  }

  // The gateway's routing URLs reach every subgraph's Service (and match rover.prod.yaml where given).
  const gateway = find('Deployment', 'gateway');
  if (gateway) {
    const container = list((podSpecsOf(gateway)[0] ?? {})['containers']).find((c) => c['name'] === 'gateway') ?? {};
    const env = resolveEnv(container, configMaps, options.secrets, 'gateway', []);
    const urls = Object.fromEntries(
      (env.get('SUBGRAPH_URLS') ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    for (const subgraph of readRoverConfig().subgraphs) {
      const url = urls[subgraph.name];
      if (!url) {
        errors.push(`gateway SUBGRAPH_URLS has no URL for ${subgraph.name}`);
        continue;
      }
      const parsed = new URL(url);
      const [host, namespace] = parsed.hostname.split('.');
      const service = find('Service', host ?? '');
      if (!service) errors.push(`gateway SUBGRAPH_URLS ${subgraph.name}: no Service ${String(host)}`);
      else {
        if (namespace && namespace !== service.metadata.namespace)
          errors.push(
            `gateway SUBGRAPH_URLS ${subgraph.name}: namespace ${namespace} is not ${String(service.metadata.namespace)}`,
          );
        if (!list((service['spec'] as JsonObject)['ports']).some((p) => p['port'] === Number(parsed.port)))
          errors.push(`gateway SUBGRAPH_URLS ${subgraph.name}: Service ${host} has no port ${parsed.port}`);
        if (!labelsMatch((service['spec'] as JsonObject)['selector'], { 'app.kubernetes.io/name': subgraph.name }))
          errors.push(
            `gateway SUBGRAPH_URLS ${subgraph.name}: Service ${host} does not select the ${subgraph.name} pods`,
          );
      }
      if (parsed.pathname !== SERVICE_PATHS.graphql)
        errors.push(`gateway SUBGRAPH_URLS ${subgraph.name}: path ${parsed.pathname} is not ${SERVICE_PATHS.graphql}`);
      const expected = options.routingUrls?.[subgraph.name];
      if (options.routingUrls && expected !== url)
        errors.push(`gateway SUBGRAPH_URLS ${subgraph.name}=${url} differs from the routing URL ${String(expected)}`);
    }
  }
  return errors.map((e) => `[${options.overlay}] ${e}`);
}

/** routing_url of each subgraph in a rover-format config (k8s/rover.prod.yaml), checked against rover.yaml's subgraphs. */
export function readRoutingUrls(file: string): { urls: Record<string, string>; errors: string[] } {
  const doc = parseYaml(readFileSync(file, 'utf8')) as Json;
  const errors: string[] = [];
  const urls: Record<string, string> = {};
  const subgraphs = isObject(doc) && isObject(doc['subgraphs']) ? doc['subgraphs'] : {};
  const rover = readRoverConfig();
  for (const subgraph of rover.subgraphs) {
    const entry = subgraphs[subgraph.name];
    if (!isObject(entry) || typeof entry['routing_url'] !== 'string') {
      errors.push(`${file}: subgraph ${subgraph.name} is missing`);
      continue;
    }
    urls[subgraph.name] = entry['routing_url'];
    const schema = isObject(entry['schema']) ? str(entry['schema']['file']) : undefined;
    if (!schema || resolve(dirname(file), schema) !== subgraph.schemaFile)
      errors.push(`${file}: subgraph ${subgraph.name} schema file ${String(schema)} is not ${subgraph.schemaFile}`);
  }
  for (const name of Object.keys(subgraphs))
    if (!rover.subgraphs.some((s) => s.name === name)) errors.push(`${file}: ${name} is not in rover.yaml`);
  if (isObject(doc) && String(doc['federation_version']).replace(/^=/, '') !== rover.federationVersion)
    errors.push(`${file}: federation_version differs from rover.yaml`);
  return { urls, errors };
}
