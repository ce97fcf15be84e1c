// CI check of k8s/: renders every overlay with the real kustomize (`kubectl kustomize`, default load restrictor: what
// `kubectl apply -k`, Argo CD and Flux run), validates every object against the Kubernetes, KEDA and Prometheus Operator schemas plus a strict unknown-field pass,
// and checks cross-references (selectors, probes, ports, env contracts of each service's env.ts, routing URLs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kustomize, type JsonObject, type K8sObject } from './k8s/render.ts';
import { schemaErrors } from './k8s/schemas.ts';
import {
  crossReferenceErrors,
  envContracts,
  readRoutingUrls,
  readSecretExamples,
  requiredEnvKeys,
  selectorMatches,
  type RefCheckOptions,
} from './k8s/refs.ts';
import { SUPERGRAPH_FILE } from '../src/supergraph.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';

const OVERLAYS = ['dev', 'prod', 'self-hosted'] as const;
type Overlay = (typeof OVERLAYS)[number];
const rendered = new Map<Overlay, K8sObject[]>();
const secrets = readSecretExamples();
const contracts = envContracts();
const roverProd = readRoutingUrls(join(repoRoot, 'k8s/rover.prod.yaml'));

function optionsFor(overlay: Overlay): RefCheckOptions {
  return {
    overlay,
    secrets,
    contracts,
    ...(overlay === 'prod' ? { routingUrls: roverProd.urls } : {}),
    ...(overlay === 'dev' ? {} : { requireEnv: ['OTEL_EXPORTER_OTLP_ENDPOINT'] }),
  };
}

beforeAll(() => {
  for (const overlay of OVERLAYS) rendered.set(overlay, kustomize(join(repoRoot, 'k8s/overlays', overlay)));
});

const get = (overlay: Overlay) => rendered.get(overlay) as K8sObject[];
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject;
const container = (deployment: K8sObject, name: string): JsonObject =>
  (
    ((deployment['spec'] as JsonObject)['template'] as JsonObject)['spec'] as { containers: JsonObject[] }
  ).containers.find((c) => c['name'] === name) as JsonObject;

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  it('renders the whole stack into the vegshare namespace', () => {
    const objects = get(overlay);
    for (const name of [
      'gateway',
      'auth',
      'user',
      'farm',
      'streaming',
      'transcoding',
      'transcoding-worker',
      'payment',
    ]) {
      expect(find(objects, 'Deployment', name), name).toBeDefined();
    }
    for (const kind of [
      'Service',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'ScaledObject',
      'Job',
      'Ingress',
      'NetworkPolicy',
      'ConfigMap',
    ]) {
      expect(
        objects.some((o) => o.kind === kind),
        kind,
      ).toBe(true);
    }
    expect(objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'vegshare')).toBe(true);
    const supergraph = find(objects, 'ConfigMap', 'vegshare-supergraph')['data'] as Record<string, string>;
    expect(supergraph['supergraph.graphql']).toContain('join__Graph');
    expect(supergraph['supergraph.graphql']).toBe(readFileSync(join(repoRoot, SUPERGRAPH_FILE), 'utf8'));
  });

  it('renders every subgraph of rover.yaml from the shared component, on the port of its routing URL', () => {
    const objects = get(overlay);
    for (const subgraph of readRoverConfig().subgraphs) {
      const port = Number(new URL(subgraph.routingUrl).port);
      const deployment = find(objects, 'Deployment', subgraph.name);
      const main = container(deployment, subgraph.name);
      expect((main['ports'] as JsonObject[]).find((p) => p['name'] === 'http')?.['containerPort'], subgraph.name).toBe(
        port,
      );
      expect(JSON.stringify(deployment), subgraph.name).not.toContain('SUBGRAPH');
      const init = ((deployment['spec'] as JsonObject)['template'] as { spec: { initContainers: JsonObject[] } }).spec
        .initContainers;
      expect(
        init.map((c) => (c['command'] as string[]).slice(-2)),
        subgraph.name,
      ).toEqual([['--wait', subgraph.name]]);
    }
    // The components' parameter objects (local-config) are never applied.
    expect(objects.filter((o) => o.metadata.name.startsWith('subgraph-'))).toEqual([]);
  });

  it('validates every object against the Kubernetes, KEDA and Prometheus Operator schemas, strictly', async () => {
    const errors: string[] = [];
    for (const object of get(overlay)) errors.push(...(await schemaErrors(object)));
    expect(errors).toEqual([]);
  });

  it('has consistent cross-references: selectors, probes, ports, env contracts, routing URLs, grace periods', async () => {
    expect(await crossReferenceErrors(get(overlay), optionsFor(overlay))).toEqual([]);
  });
});

describe('overlay differences', () => {
  it('prod routes the gateway to in-cluster service names, exactly the URLs of k8s/rover.prod.yaml', () => {
    expect(roverProd.errors).toEqual([]);
    const data = find(get('prod'), 'ConfigMap', 'vegshare-gateway')['data'] as Record<string, string>;
    const urls = Object.fromEntries((data['SUBGRAPH_URLS'] ?? '').split(',').map((p) => p.split('=')));
    expect(urls).toEqual(roverProd.urls);
    expect(
      Object.values(urls).every((u) =>
        /^http:\/\/[a-z]+\.vegshare\.svc\.cluster\.local:400\d\/graphql$/.test(String(u)),
      ),
    ).toBe(true);
  });

  it('dev runs one replica of each service and no monitoring CRDs; prod and self-hosted ship monitoring and tracing', () => {
    expect((find(get('dev'), 'Deployment', 'farm')['spec'] as JsonObject)['replicas']).toBe(1);
    expect(get('dev').some((o) => o.apiVersion.startsWith('monitoring.coreos.com'))).toBe(false);
    for (const overlay of ['prod', 'self-hosted'] as const) {
      expect(find(get(overlay), 'PrometheusRule', 'vegshare')).toBeDefined();
      expect(
        (find(get(overlay), 'ConfigMap', 'vegshare-config')['data'] as JsonObject)['OTEL_EXPORTER_OTLP_ENDPOINT'],
      ).toMatch(/^http/);
    }
    expect(container(find(get('prod'), 'Deployment', 'gateway'), 'gateway')['image']).toBe(
      'registry.example.com/vegshare/gateway:1.0.0',
    );
  });

  it('self-hosted adds Postgres, Redis and MinIO as StatefulSets and points S3 at MinIO', () => {
    const objects = get('self-hosted');
    for (const name of ['postgres', 'redis', 'minio']) expect(find(objects, 'StatefulSet', name), name).toBeDefined();
    expect((find(objects, 'ConfigMap', 'vegshare-config')['data'] as JsonObject)['S3_ENDPOINT']).toBe(
      'http://minio:9000',
    );
  });

  it('the alert rules cover error rate, p99 latency, subscriptions, queue depth, failed jobs, stream failures and refused password checks', () => {
    const rule = find(get('prod'), 'PrometheusRule', 'vegshare');
    const exprs = JSON.stringify(rule['spec']);
    for (const metric of [
      'graphql_errors_total',
      'http_request_duration_seconds_bucket',
      'gateway_subscriptions_active',
      'transcoding_queue_jobs',
      'transcode_jobs_total',
      'streaming_stream_failures_total',
      'password_hashes_refused_total',
    ]) {
      expect(exprs, metric).toContain(metric);
    }
    const dashboard = JSON.parse(
      (find(get('prod'), 'ConfigMap', 'vegshare-grafana-dashboards')['data'] as Record<string, string>)[
        'supergraph.json'
      ] ?? '{}',
    ) as { panels: unknown[]; uid: string };
    expect(dashboard.uid).toBe('vegshare-supergraph');
    expect(dashboard.panels.length).toBeGreaterThan(8);
  });
});

describe('network policies', () => {
  /** Peers that may open connections to a subgraph's pods: the gateway, Prometheus, and three documented exceptions. */
  const allowedPeer = (target: string, peer: JsonObject): boolean => {
    const text = JSON.stringify(peer);
    if (text === JSON.stringify({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } })) return true;
    if (
      text === JSON.stringify({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } })
    )
      return true;
    // Playback (/hls/) and the providers' webhooks (/webhooks/) come through the ingress.
    if (
      (target === 'streaming' || target === 'payment') &&
      text ===
        JSON.stringify({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } })
    )
      return true;
    return target === 'auth' && text.includes('"values":["subgraph","worker"]');
  };

  it.each(OVERLAYS)(
    '%s: only the gateway reaches the subgraphs (plus Prometheus, JWKS for auth, playback for streaming, webhooks for payment)',
    (overlay) => {
      const objects = get(overlay);
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      expect(
        policies.some(
          (p) =>
            JSON.stringify((p['spec'] as JsonObject)['podSelector']) === '{}' &&
            JSON.stringify((p['spec'] as JsonObject)['policyTypes']) === '["Ingress","Egress"]',
        ),
      ).toBe(true);
      const violations: string[] = [];
      for (const name of ['auth', 'user', 'farm', 'streaming', 'transcoding', 'payment']) {
        const labels = (
          (find(objects, 'Deployment', name)['spec'] as JsonObject)['template'] as { metadata: { labels: JsonObject } }
        ).metadata.labels;
        for (const policy of policies) {
          const spec = policy['spec'] as JsonObject;
          const selector = spec['podSelector'] as JsonObject;
          if (Object.keys(selector).length > 0 && !selectorMatches(selector, labels)) continue;
          for (const rule of (spec['ingress'] as JsonObject[] | undefined) ?? []) {
            const from = (rule['from'] as JsonObject[] | undefined) ?? [];
            if (from.length === 0) violations.push(`${policy.metadata.name} lets anyone reach ${name}`);
            for (const peer of from)
              if (!allowedPeer(name, peer))
                violations.push(`${policy.metadata.name} lets ${JSON.stringify(peer)} reach ${name}`);
          }
        }
      }
      expect(violations).toEqual([]);
    },
  );
});

describe('metrics', () => {
  it.each(OVERLAYS)(
    '%s: the gateway and every subgraph expose /metrics on their own port 9464, scraped there and reachable only from monitoring',
    (overlay) => {
      const objects = get(overlay);
      for (const name of ['gateway', 'auth', 'user', 'farm', 'streaming', 'transcoding', 'payment']) {
        const template = (find(objects, 'Deployment', name)['spec'] as JsonObject)['template'] as {
          metadata: { annotations: JsonObject };
        };
        expect(template.metadata.annotations['prometheus.io/port'], name).toBe('9464');
        const ports = container(find(objects, 'Deployment', name), name)['ports'] as JsonObject[];
        expect(ports.find((p) => p['name'] === 'metrics')?.['containerPort'], name).toBe(9464);
        const servicePorts = (find(objects, 'Service', name)['spec'] as { ports: JsonObject[] }).ports;
        expect(servicePorts.find((p) => p['name'] === 'metrics')?.['targetPort'], name).toBe('metrics');
      }
    },
  );
});

describe('the checks catch broken manifests', () => {
  const broken = (mutate: (objects: K8sObject[]) => void): K8sObject[] => {
    const objects = structuredClone(get('prod'));
    mutate(objects);
    return objects;
  };
  const check = (objects: K8sObject[]) => crossReferenceErrors(objects, optionsFor('prod'));

  it('a Service that selects no pods', async () => {
    const errors = await check(
      broken((o) => {
        ((find(o, 'Service', 'farm')['spec'] as JsonObject)['selector'] as JsonObject)['app.kubernetes.io/name'] =
          'farms';
      }),
    );
    expect(errors).toContain("[prod] Service farm selects no workload's pods");
  });

  it('a probe on a path the service does not serve, or on another port', async () => {
    const errors = await check(
      broken((o) => {
        const c = container(find(o, 'Deployment', 'user'), 'user');
        ((c['readinessProbe'] as JsonObject)['httpGet'] as JsonObject)['path'] = '/healthz';
        ((c['livenessProbe'] as JsonObject)['httpGet'] as JsonObject)['port'] = 4999;
      }),
    );
    expect(errors).toContain('[prod] Deployment user: readinessProbe path /healthz is not /ready');
    expect(errors).toContain('[prod] Deployment user container user livenessProbe: port 4999 is not a containerPort');
  });

  it("a required env var that is not provided, and a value the service's config rejects", async () => {
    const errors = await check(
      broken((o) => {
        const c = container(find(o, 'Deployment', 'farm'), 'farm');
        c['env'] = (c['env'] as JsonObject[]).filter((e) => e['name'] !== 'DATABASE_URL');
        (find(o, 'ConfigMap', 'vegshare-config')['data'] as JsonObject)['LOG_LEVEL'] = 'verbose';
      }),
    );
    expect(errors).toContain('[prod] Deployment farm: DATABASE_URL is required by loadFarmConfig but not provided');
    expect(
      errors.some(
        (e) =>
          e.startsWith('[prod] Deployment gateway: its environment fails loadGatewayConfig') && e.includes('LOG_LEVEL'),
      ),
    ).toBe(true);
  });

  it('a Secret key that is not documented, and a PORT that is not the container port', async () => {
    const errors = await check(
      broken((o) => {
        const c = container(find(o, 'Deployment', 'streaming'), 'streaming');
        for (const e of c['env'] as JsonObject[]) {
          if (e['name'] === 'DATABASE_URL')
            ((e['valueFrom'] as JsonObject)['secretKeyRef'] as JsonObject)['key'] = 'DB_URL';
          if (e['name'] === 'PORT') e['value'] = '4010';
        }
      }),
    );
    expect(errors).toContain(
      '[prod] Deployment streaming: DATABASE_URL reads Secret vegshare-streaming key DB_URL, which k8s/secrets.example.yaml does not document',
    );
    expect(errors).toContain('[prod] Deployment streaming: PORT 4010 is not a containerPort (4004, 9464)');
  });

  it('routing URLs that miss a Service or differ from rover.prod.yaml, and a KEDA list that is not the queue', async () => {
    const errors = await check(
      broken((o) => {
        const data = find(o, 'ConfigMap', 'vegshare-gateway')['data'] as JsonObject;
        data['SUBGRAPH_URLS'] = String(data['SUBGRAPH_URLS']).replace(
          'farm.vegshare.svc.cluster.local:4003',
          'farm.vegshare.svc.cluster.local:4030',
        );
        const triggers = (find(o, 'ScaledObject', 'transcoding-worker')['spec'] as JsonObject)[
          'triggers'
        ] as JsonObject[];
        ((triggers[0] as JsonObject)['metadata'] as JsonObject)['listName'] = 'bull:transcode:wait';
      }),
    );
    expect(errors).toContain('[prod] gateway SUBGRAPH_URLS farm: Service farm has no port 4030');
    expect(errors.some((e) => e.includes('SUBGRAPH_URLS farm=') && e.includes('differs from the routing URL'))).toBe(
      true,
    );
    expect(errors).toContain(
      '[prod] ScaledObject transcoding-worker: listName bull:transcode:wait is not the BullMQ list of queue vegshare:bull:transcode (wait or active)',
    );
  });

  it('a worker grace period shorter than its drain, and a misspelt field', async () => {
    const objects = broken((o) => {
      const spec = ((find(o, 'Deployment', 'transcoding-worker')['spec'] as JsonObject)['template'] as JsonObject)[
        'spec'
      ] as JsonObject;
      spec['terminationGracePeriodSeconds'] = 30;
      (container(find(o, 'Deployment', 'gateway'), 'gateway') as JsonObject)['readinesProbe'] = {};
    });
    expect(await check(objects)).toContain(
      '[prod] Deployment transcoding-worker: terminationGracePeriodSeconds 30 does not cover DRAIN_TIMEOUT_MS + CANCEL_GRACE_MS (105000 ms)',
    );
    expect(await schemaErrors(find(objects, 'Deployment', 'gateway'))).toEqual([
      'Deployment/gateway: unknown field spec.template.spec.containers[0].readinesProbe',
    ]);
  });
});

describe("env contracts come from each service's env.ts", () => {
  it('reads required keys from the zod schemas (fields without default or optional)', async () => {
    const farm = contracts.find((c) => c.deployment === 'farm');
    expect(farm).toBeDefined();
    expect(await requiredEnvKeys(farm!)).toContain('DATABASE_URL');
    const user = contracts.find((c) => c.deployment === 'user');
    expect(await requiredEnvKeys(user!)).toEqual(expect.arrayContaining(['DATABASE_URL', 'S3_ENDPOINT', 'S3_BUCKET']));
  });
});
