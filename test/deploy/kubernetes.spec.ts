import { spawnSync } from 'node:child_process';
import { listConfigVars, SERVICE_CONFIG_SPECS } from '@weft/config';
import { SERVICE_NAMES } from '@weft/contracts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment, IDeployment, IStatefulSet, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { IJob, Job } from 'kubernetes-models/batch/v1';
import { IIngress, Ingress, INetworkPolicy, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { IPodDisruptionBudget, PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, IContainer, IPodSpec, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { Cluster, ICluster } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster';
import { IPooler, Pooler } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Pooler';
import { IScheduledBackup, ScheduledBackup } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup';
import { IScaledObject, ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { prefixedStreamName, STREAMS } from '@weft/contracts';
import { ROOT, runTool, tool } from './deploy-tools.util';
import { checkTracesPipeline, COLLECTOR_CONFIG, collectorConfig } from './otel-collector.util';
import {
  byKind,
  find,
  findGenerated,
  K8S_DIR,
  K8sObject,
  OVERLAYS,
  renderKustomization,
  renderOverlay,
  sourceObjects,
} from './manifests.util';

/** An `external-secrets.io/v1` ExternalSecret, checked against the published v1beta1 schema (same fields). */
class ExternalSecretV1 {
  constructor(private readonly data: Record<string, unknown>) {}

  validate(): void {
    new ExternalSecret({ ...this.data, apiVersion: 'external-secrets.io/v1beta1' } as never).validate();
  }
}

/** The kubernetes-models class that validates each apiVersion/kind the manifests use. */
const MODELS: Record<string, { validate(): void } & (new (data: never) => { validate(): void })> = {
  'apps/v1/Deployment': Deployment as never,
  'apps/v1/StatefulSet': StatefulSet as never,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as never,
  'batch/v1/Job': Job as never,
  'networking.k8s.io/v1/Ingress': Ingress as never,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'v1/ConfigMap': ConfigMap as never,
  'v1/Namespace': Namespace as never,
  'v1/Service': Service as never,
  'v1/ServiceAccount': ServiceAccount as never,
  // The External Secrets Operator's schema as published for v1beta1; the fields used (secretStoreRef, target, data
  // with secretKey and remoteRef.key, refreshInterval) are the same in v1, which the manifests use.
  'external-secrets.io/v1/ExternalSecret': ExternalSecretV1 as never,
  // The operators' own CRD schemas: CloudNativePG (production's PostgreSQL) and KEDA (production's autoscaling).
  'postgresql.cnpg.io/v1/Cluster': Cluster as never,
  'postgresql.cnpg.io/v1/Pooler': Pooler as never,
  'postgresql.cnpg.io/v1/ScheduledBackup': ScheduledBackup as never,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as never,
};

function validationErrors(object: K8sObject): string | null {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `${object.apiVersion} ${object.kind} has no schema here (add it to MODELS if it is meant to be used)`;
  try {
    new Model(object as never).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const WEFT_SERVICES = [...SERVICE_NAMES];

function podSpecOf(object: K8sObject): IPodSpec {
  return (object as unknown as IDeployment).spec!.template.spec!;
}

function allContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** The autoscalers of a Deployment: HorizontalPodAutoscalers and KEDA ScaledObjects (each makes its own HPA). */
function scalersOf(objects: K8sObject[], deployment: string): Array<{ kind: string; min: number; max: number }> {
  return [
    ...byKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler')
      .filter((h) => h.spec!.scaleTargetRef.name === deployment)
      .map((h) => ({ kind: 'HorizontalPodAutoscaler', min: h.spec!.minReplicas ?? 1, max: h.spec!.maxReplicas })),
    ...byKind<IScaledObject>(objects, 'ScaledObject')
      .filter((s) => s.spec.scaleTargetRef.name === deployment)
      .map((s) => ({ kind: 'ScaledObject', min: s.spec.minReplicaCount ?? 0, max: s.spec.maxReplicaCount ?? 100 })),
  ];
}

/** The most pods a Deployment runs outside a rollout: its autoscaler's maximum, or its fixed count. */
function mostReplicas(objects: K8sObject[], deployment: string): number {
  const [scaler] = scalersOf(objects, deployment);
  if (scaler) return scaler.max;
  return (find(objects, 'Deployment', deployment) as unknown as IDeployment).spec!.replicas ?? 1;
}

describe('Kubernetes manifests', () => {
  describe.each(['base', 'autoscaling/cpu', 'infra/nats', 'infra/postgres', 'infra/cloudnative-pg', 'infra/redis'])('%s', (dir) => {
    it('renders and every object validates against the Kubernetes schema', () => {
      const objects = renderKustomization(join(K8S_DIR, dir));
      expect(objects.length).toBeGreaterThan(0);
      const problems = objects.map((o) => [`${o.kind}/${o.metadata.name}`, validationErrors(o)]).filter(([, e]) => e !== null);
      expect(problems).toEqual([]);
    });
  });

  it('every file as written validates too (including ones no kustomization lists yet)', () => {
    const problems = sourceObjects()
      .map(({ file, object }) => {
        // Strategic-merge patches are partial objects by design; they are checked in the rendered overlays
        // (deploy/k8s/sandbox's optional ones in sandbox.spec.ts, applied to each overlay).
        if ((file.includes('/overlays/') && file.endsWith('patches.yaml')) || file.startsWith('deploy/k8s/sandbox/')) return null;
        const error = validationErrors(object);
        return error ? `${file} ${object.kind}/${object.metadata?.name}: ${error}` : null;
      })
      .filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderOverlay(overlay);
    });

    it('renders with kubectl kustomize and every object validates against the Kubernetes schema', () => {
      const problems = objects.map((o) => [`${o.kind}/${o.metadata.name}`, validationErrors(o)]).filter(([, e]) => e !== null);
      expect(problems).toEqual([]);
      const namespaces = byKind(objects, 'Namespace').map((n) => n.metadata.name);
      expect(namespaces).toHaveLength(1);
      for (const o of objects.filter((x) => x.kind !== 'Namespace'))
        expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, namespaces[0]]);
    });

    it('runs every Weft service from the one image, pinned to a tag, with probes on /health and /ready', () => {
      for (const service of WEFT_SERVICES) {
        const deployment = find(objects, 'Deployment', service) as unknown as IDeployment;
        const spec = deployment.spec!.template.spec!;
        const [container] = spec.containers;
        expect(container!.image).toMatch(/^[^:]+\/weft:[A-Za-z0-9_.-]+$/);
        expect(container!.image).not.toMatch(/:latest$/);
        expect(container!.env).toContainEqual({ name: 'SERVICE', value: service });
        const port = (SERVICE_CONFIG_SPECS[service].http.port.default ?? '') as string;
        expect(container!.ports).toContainEqual(expect.objectContaining({ containerPort: Number(port), name: 'http' }));
        expect(container!.livenessProbe?.httpGet).toMatchObject({ path: '/health', port: 'http' });
        expect(container!.readinessProbe?.httpGet).toMatchObject({ path: '/ready', port: 'http' });
        expect(container!.resources?.requests).toHaveProperty('cpu');
        expect(container!.resources?.requests).toHaveProperty('memory');
        expect(container!.resources?.limits).toHaveProperty('memory');
      }
    });

    it("keeps the Postgres connection budget: each service's most pods (autoscaler maximum plus rollout surge) × its pool, the migrations and the reserved slots fit in max_connections, through the pooler where there is one", () => {
      const configMaps = new Map(byKind(objects, 'ConfigMap').map((c) => [c.metadata.name, (c.data ?? {}) as Record<string, string>]));
      const envOf = (container: IContainer): Record<string, string> => {
        // Later envFrom sources win over earlier ones, and env over all of them (Kubernetes' rule).
        const merged: Record<string, string> = {};
        for (const source of container.envFrom ?? []) Object.assign(merged, configMaps.get(source.configMapRef?.name ?? '') ?? {});
        for (const variable of container.env ?? []) if (variable.value !== undefined) merged[variable.name] = variable.value;
        return merged;
      };
      const reads = (container: IContainer, name: string) => (container.env ?? []).some((v) => v.name === name);
      const writes: Array<[string, number]> = [];
      const replicaReads: Array<[string, number]> = [];
      for (const deployment of byKind<IDeployment>(objects, 'Deployment')) {
        const container = deployment.spec!.template.spec!.containers[0]!;
        if (!reads(container, 'DATABASE_URL')) continue;
        const name = deployment.metadata!.name!;
        const most = mostReplicas(objects, name) + Number(deployment.spec!.strategy?.rollingUpdate?.maxSurge ?? 1);
        const pool = Number(envOf(container)['DATABASE_POOL_MAX'] ?? SERVICE_CONFIG_SPECS.gateway.database.poolMax.default);
        writes.push([name, most * pool]);
        // TypeORM opens a pool of the same size per read URL: the replicas see that many more.
        if (reads(container, 'DATABASE_READ_URLS')) replicaReads.push([name, most * pool]);
      }
      expect(writes.map(([name]) => name).sort()).toEqual(['compliance', 'gateway', 'orchestrator', 'rag']);
      const sum = (entries: Array<[string, number]>) => entries.reduce((total, [, n]) => total + n, 0);
      // The migrations Job runs its init containers one at a time, one connection each.
      const migrations = 1;
      const clients = sum(writes) + migrations;
      const fits = (used: number, limit: number, breakdown: Array<[string, number]>) =>
        // Fails with the breakdown per service when the sum is over.
        expect([Math.min(used, limit), Object.fromEntries(breakdown)]).toEqual([used, Object.fromEntries(breakdown)]);

      if (overlay === 'staging') {
        // Straight to the single instance; Postgres keeps 3 for superusers.
        const postgres = find(objects, 'StatefulSet', 'postgres') as unknown as IStatefulSet;
        const args = postgres.spec!.template.spec!.containers[0]!.args!;
        const maxConnections = Number(args.find((a) => a.startsWith('max_connections='))!.split('=')[1]);
        expect(maxConnections).toBeGreaterThan(0);
        expect(replicaReads).toEqual([]);
        fits(clients + 3, maxConnections, writes);
        return;
      }
      // Production: every writer goes through the PgBouncer Pooler, in session mode (one server connection per
      // client for its life: the services' session advisory locks need it, see pooler.yaml).
      const cluster = find(objects, 'Cluster', 'weft-pg') as unknown as ICluster;
      const pooler = find(objects, 'Pooler', 'weft-pg-pooler') as unknown as IPooler;
      const parameters = pooler.spec.pgbouncer.parameters!;
      expect(pooler.spec.pgbouncer.poolMode).toBe('session');
      const poolSize = Number(parameters['default_pool_size']);
      const maxClientConn = Number(parameters['max_client_conn']);
      // kube-proxy does not spread connections evenly over the pooler's pods: each pod must take every client
      // Weft can open, within its client limit and within its pool (so that no client waits for a server).
      fits(clients, maxClientConn, writes);
      fits(clients, poolSize, writes);
      // On the primary: in session mode the pooler opens at most one server connection per client (and never
      // more than its pools), plus one per pooler pod for its auth_query; Postgres keeps its superuser slots,
      // and the operator's instance manager and exporter take a few (5 allowed).
      const clusterParameters = cluster.spec!.postgresql!.parameters!;
      const maxConnections = Number(clusterParameters['max_connections']);
      const superuserReserved = Number(clusterParameters['superuser_reserved_connections'] ?? 3);
      const operatorReserve = 5;
      const serverConnections = Math.min(clients, pooler.spec.instances! * poolSize) + pooler.spec.instances!;
      expect(maxConnections).toBeGreaterThan(0);
      fits(serverConnections + superuserReserved + operatorReserve, maxConnections, writes);
      // On a replica (weft-pg-ro spreads connections, but all of them may land on one): the read pools.
      expect(replicaReads.map(([name]) => name).sort()).toEqual(['compliance', 'gateway', 'orchestrator', 'rag']);
      fits(sum(replicaReads) + superuserReserved + operatorReserve, maxConnections, replicaReads);
    });

    it('gives graceful shutdown room: preStop pause + SHUTDOWN_TIMEOUT_MS fit in terminationGracePeriodSeconds', () => {
      const common = findGenerated(objects, 'ConfigMap', 'weft-common');
      const shutdownSeconds =
        Number(common.data!['SHUTDOWN_TIMEOUT_MS'] ?? SERVICE_CONFIG_SPECS.gateway.runtime.shutdownTimeoutMs.default) / 1000;
      for (const service of WEFT_SERVICES) {
        const spec = podSpecOf(find(objects, 'Deployment', service));
        const command = spec.containers[0]!.lifecycle?.preStop?.exec?.command ?? [];
        expect(command[0]).toBe('sleep');
        const pause = Number(command[1]);
        expect(pause).toBeGreaterThan(0);
        expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + shutdownSeconds + 5);
      }
    });

    it('runs every pod non-root, without privilege escalation, all capabilities dropped, read-only root where the container allows', () => {
      const workloads = [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet'), ...byKind(objects, 'Job')];
      // Production's PostgreSQL pods are CloudNativePG's (its operator runs them non-root, seccomp RuntimeDefault,
      // all capabilities dropped: within the namespace's Pod Security level `restricted`, which admission enforces).
      expect(workloads.length).toBeGreaterThanOrEqual(WEFT_SERVICES.length + (overlay === 'production' ? 3 : 4));
      for (const workload of workloads) {
        const spec = podSpecOf(workload);
        const where = `${workload.kind}/${workload.metadata.name}`;
        expect([where, spec.securityContext?.runAsNonRoot]).toEqual([where, true]);
        // The node runner's code sandbox needs its own profile: the runtime default plus namespace calls (sandbox.spec.ts).
        const seccomp = where === 'Deployment/node-runner' ? 'Localhost' : 'RuntimeDefault';
        expect([where, spec.securityContext?.seccompProfile?.type]).toEqual([where, seccomp]);
        expect([where, spec.automountServiceAccountToken]).toEqual([where, false]);
        for (const c of allContainers(spec)) {
          expect([where, c.name, c.securityContext?.allowPrivilegeEscalation]).toEqual([where, c.name, false]);
          expect([where, c.name, c.securityContext?.capabilities?.drop]).toEqual([where, c.name, ['ALL']]);
          expect([where, c.name, c.securityContext?.readOnlyRootFilesystem]).toEqual([where, c.name, true]);
          expect([where, c.name, c.image]).not.toEqual([where, c.name, expect.stringMatching(/:latest$|^[^:]+$/)]);
        }
      }
    });

    it('spreads replicas with pod anti-affinity', () => {
      for (const workload of [...WEFT_SERVICES.map((s) => find(objects, 'Deployment', s)), find(objects, 'StatefulSet', 'nats')]) {
        const affinity = podSpecOf(workload).affinity?.podAntiAffinity;
        const terms = [
          ...(affinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm),
        ];
        expect(terms).toContainEqual(
          expect.objectContaining({
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': workload.metadata.name } },
            topologyKey: 'kubernetes.io/hostname',
          }),
        );
      }
    });

    it('has a Service and a PodDisruptionBudget per service, and autoscalers for the scalable ones', () => {
      for (const service of WEFT_SERVICES) {
        expect(find(objects, 'Service', service).spec).toMatchObject({ selector: { 'app.kubernetes.io/name': service } });
        const pdb = find(objects, 'PodDisruptionBudget', service) as unknown as IPodDisruptionBudget;
        expect(pdb.spec!.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': service } });
      }
      // Exactly one autoscaler per scalable Deployment: a KEDA ScaledObject makes its own HorizontalPodAutoscaler,
      // and two autoscalers on one Deployment fight over its replica count. Compliance runs a fixed count.
      const kedaScaled = overlay === 'production' ? ['node-runner', 'orchestrator'] : [];
      for (const deployment of byKind<IDeployment>(objects, 'Deployment')) {
        const name = deployment.metadata!.name!;
        const scalers = scalersOf(objects, name);
        if (name === 'compliance') {
          expect([name, scalers]).toEqual([name, []]);
          continue;
        }
        expect([name, scalers.map((s) => s.kind)]).toEqual([
          name,
          [kedaScaled.includes(name) ? 'ScaledObject' : 'HorizontalPodAutoscaler'],
        ]);
        const [scaler] = scalers;
        expect(scaler!.min).toBeGreaterThanOrEqual(name === 'rag' && overlay === 'staging' ? 1 : 2);
        expect(scaler!.max).toBeGreaterThan(scaler!.min);
        // The autoscaler owns the count: a count in the Deployment would reset it on every apply.
        expect([name, deployment.spec!.replicas]).toEqual([name, undefined]);
      }
      for (const hpa of byKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler'))
        expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: hpa.metadata!.name });
      for (const scaled of byKind<IScaledObject>(objects, 'ScaledObject')) {
        expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: scaled.metadata!.name });
        // CPU stays as the fallback: the HPA follows whichever trigger asks for more pods.
        expect(scaled.spec.triggers.map((trigger) => trigger.type)).toContain('cpu');
        expect(scaled.spec.triggers.length).toBeGreaterThan(1);
      }
    });

    it('exposes only the gateway, through one Ingress, with SSE-friendly settings and no /metrics', () => {
      const ingresses = byKind<IIngress>(objects, 'Ingress');
      expect(ingresses).toHaveLength(1);
      const ingress = ingresses[0]!;
      const backends = ingress.spec!.rules!.flatMap((r) => r.http!.paths.map((p) => [p.path, p.backend.service!.name]));
      expect(new Set(backends.map(([, name]) => name))).toEqual(new Set(['gateway']));
      expect(backends.map(([path]) => path)).not.toContain('/');
      expect(backends.map(([path]) => path)).not.toContain('/metrics');
      expect(ingress.metadata!.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' });
      expect(Number(ingress.metadata!.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThan(10);
      expect(ingress.spec!.tls).toHaveLength(1);
      for (const service of byKind(objects, 'Service'))
        expect([service.metadata.name, (service.spec as { type?: string }).type ?? 'ClusterIP']).toEqual([
          service.metadata.name,
          'ClusterIP',
        ]);
    });

    it('denies by default and opens only the paths Weft uses', () => {
      const policies = byKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const deny = policies.find((p) => p.metadata!.name === 'default-deny')!;
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const target = (labels: Record<string, string> | undefined) =>
        labels?.['app.kubernetes.io/name'] ?? labels?.['cnpg.io/cluster'] ?? labels?.['cnpg.io/poolerName'];
      // From outside the namespace, other than Prometheus' scrapes: the ingress controller to the gateway, KEDA to
      // NATS' monitoring port (the node runner's backlog), and in production CloudNativePG's operator to the
      // instances' status port.
      const ingressFromOtherNamespaces = policies.flatMap((p) =>
        (p.spec!.ingress ?? []).flatMap((rule) =>
          (rule.from ?? [])
            .map((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'])
            .filter((namespace) => namespace !== undefined && namespace !== 'monitoring')
            .map((namespace) => [target(p.spec!.podSelector.matchLabels), namespace, rule.ports!.map((port) => port.port)]),
        ),
      );
      expect(ingressFromOtherNamespaces).toEqual([
        ['gateway', 'ingress-nginx', [5001]],
        ['nats', 'keda', [8222]],
        ...(overlay === 'production' ? [['weft-pg', 'cnpg-system', [8000, 5432]]] : []),
      ]);
      // The services reach NATS, Postgres and Redis inside the cluster and nothing else.
      const toInfra = policies.find((p) => p.metadata!.name === 'services-to-infrastructure')!;
      const reached = toInfra.spec!.egress!.map((rule) => [
        rule.to![0]!.podSelector!.matchLabels!['app.kubernetes.io/name'],
        rule.ports![0]!.port,
      ]);
      expect(reached).toEqual([
        ['nats', 4222],
        ['postgres', 5432],
        ['redis', 6379],
      ]);
      const podEgress = policies.flatMap((p) =>
        (p.spec!.egress ?? []).flatMap((rule) => (rule.to ?? []).filter((peer) => peer.podSelector && !peer.namespaceSelector)),
      );
      const podTargets = new Set(podEgress.map((peer) => target(peer.podSelector!.matchLabels)));
      // Production: the services also reach the PgBouncer pooler, which (like the instances) reaches the instances.
      // And the OpenTelemetry Collector, which takes their spans.
      // Production: the Redis Sentinels too (the services ask them for the primary; Redis and Sentinel pods talk among themselves).
      expect(podTargets).toEqual(
        new Set([
          'nats',
          'postgres',
          'redis',
          'otel-collector',
          ...(overlay === 'production' ? ['pgbouncer', 'weft-pg', 'redis-sentinel'] : []),
        ]),
      );
      if (overlay === 'production') {
        // Every Weft service may reach the Sentinels, on their port only; they admit only Weft's and Redis's pods.
        const toSentinel = policies.find((p) => p.metadata!.name === 'services-to-redis-sentinel')!.spec!;
        expect(toSentinel.podSelector.matchExpressions![0]!.values).toEqual(['service', 'migrations']);
        expect(toSentinel.egress!.map((rule) => rule.ports![0]!.port)).toEqual([26379]);
        const sentinelIngress = policies.find((p) => p.metadata!.name === 'redis-sentinel')!.spec!.ingress!;
        expect(sentinelIngress.flatMap((rule) => rule.from!.map((peer) => peer.podSelector!.matchLabels))).toEqual([
          { 'app.kubernetes.io/component': 'service' },
          { 'app.kubernetes.io/name': 'redis' },
          { 'app.kubernetes.io/name': 'redis-sentinel' },
        ]);
      }
      // Egress to any address is only CloudNativePG's instance manager reaching the Kubernetes API (and the
      // instances' backups reaching S3), on 443 and 6443.
      const anywhere = policies.flatMap((p) =>
        (p.spec!.egress ?? [])
          .filter((rule) => rule.to === undefined)
          .map((rule) => [p.metadata!.name, rule.ports!.map((port) => port.port)]),
      );
      expect(anywhere).toEqual(
        overlay === 'production'
          ? [
              ['weft-pg-pooler', [443, 6443]],
              ['weft-pg', [443, 6443]],
            ]
          : [],
      );
      // Every service that uses the object store (it loads the weft-storage ConfigMap) may reach it.
      const storageUsers = byKind<IDeployment>(objects, 'Deployment')
        .filter((d) =>
          d.spec!.template.spec!.containers.some((c) =>
            (c.envFrom ?? []).some((source) => /^weft-storage-[a-z0-9]{10}$/.test(source.configMapRef?.name ?? '')),
          ),
        )
        .map((d) => d.metadata!.name!)
        .sort();
      expect(storageUsers).toEqual(['compliance', 'gateway', 'node-runner', 'rag']);
      const publicEgress = policies.find((p) => p.metadata!.name === 'public-egress')!.spec!.podSelector.matchExpressions![0]!.values!;
      expect(publicEgress).toEqual(expect.arrayContaining(storageUsers));
      // Public egress never includes private ranges.
      for (const p of policies) {
        for (const rule of p.spec!.egress ?? []) {
          for (const peer of rule.to ?? []) {
            if (peer.ipBlock?.cidr === '0.0.0.0/0')
              expect(peer.ipBlock.except).toEqual(
                expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
              );
          }
        }
      }
    });

    it('runs an OpenTelemetry Collector that every Weft service sends its traces to, sampled at 10%, each service under its own name', () => {
      const deployment = find(objects, 'Deployment', 'otel-collector') as unknown as IDeployment;
      const spec = deployment.spec!.template.spec!;
      const [container] = spec.containers;
      expect(container!.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
      // Its configuration is the shared file, in a generated ConfigMap (a change rolls the pods).
      const volume = spec.volumes!.find((v) => v.name === 'config')!;
      const configMap = find(objects, 'ConfigMap', volume.configMap!.name!);
      expect(configMap.metadata.name).toMatch(/^weft-otel-collector-[a-z0-9]{10}$/);
      expect(configMap.data!['config.yaml']).toBe(readFileSync(COLLECTOR_CONFIG, 'utf8'));
      expect(container!.volumeMounts).toContainEqual(expect.objectContaining({ name: 'config', mountPath: '/etc/otelcol-contrib' }));
      // As deployed (exporter `debug` until an operator picks one), and with each exporter an operator can pick.
      const env = Object.fromEntries((container!.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      const text = configMap.data!['config.yaml']!;
      expect(checkTracesPipeline(collectorConfig(env, text)).exporter).toBe('debug');
      expect(checkTracesPipeline(collectorConfig({ ...env, OTEL_COLLECTOR_EXPORTER: 'otlphttp/backend' }, text)).settings).toEqual({
        endpoint: 'http://tempo.monitoring.svc.cluster.local:4318',
      });
      const langfuse = checkTracesPipeline(
        collectorConfig({ ...env, OTEL_COLLECTOR_EXPORTER: 'otlphttp/langfuse', LANGFUSE_AUTHORIZATION: 'Basic cGs6c2s=' }, text),
      );
      expect(langfuse.settings).toEqual({
        endpoint: 'https://cloud.langfuse.com/api/public/otel',
        headers: { Authorization: 'Basic cGs6c2s=', 'x-langfuse-ingestion-version': '4' },
      });
      // Langfuse's key pair is a secret: from weft-secrets, never a literal.
      expect(container!.env).toContainEqual({
        name: 'LANGFUSE_AUTHORIZATION',
        valueFrom: { secretKeyRef: { key: 'langfuse-otlp-authorization', name: 'weft-secrets', optional: true } },
      });
      expect(container!.readinessProbe?.httpGet).toMatchObject({ port: 'health' });
      expect(container!.ports).toContainEqual(expect.objectContaining({ containerPort: 13133, name: 'health' }));
      // The Service the services' endpoint names, on the receiver's port.
      const service = find(objects, 'Service', 'otel-collector') as unknown as {
        spec: { ports: Array<{ port: number; targetPort: string }> };
      };
      expect(service.spec.ports).toEqual([expect.objectContaining({ port: 4318, targetPort: 'otlp-http' })]);
      expect(container!.ports).toContainEqual(expect.objectContaining({ containerPort: 4318, name: 'otlp-http' }));
      const common = findGenerated(objects, 'ConfigMap', 'weft-common').data!;
      expect(common).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      });
      for (const name of WEFT_SERVICES) {
        const sources = podSpecOf(find(objects, 'Deployment', name)).containers[0]!.envFrom!.map((s) => s.configMapRef!.name!);
        // The last ConfigMap a pod lists wins: merge them in order, as Kubernetes does.
        const merged = Object.assign({}, ...sources.map((n) => find(objects, 'ConfigMap', n).data ?? {})) as Record<string, string>;
        expect([name, merged['OTEL_EXPORTER_OTLP_ENDPOINT'], merged['OTEL_SERVICE_NAME'], merged['OTEL_TRACES_SAMPLER_ARG']]).toEqual([
          name,
          'http://otel-collector:4318',
          `weft-${name}`,
          '0.1',
        ]);
      }
      // The network lets exactly the services reach it on 4318, and it reach a backend.
      const policies = byKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const from = policies.find((p) => p.metadata!.name === 'otel-collector-from-services')!.spec!;
      expect(from.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'otel-collector' });
      expect(from.ingress).toEqual([
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'service' } } }],
          ports: [{ port: 4318, protocol: 'TCP' }],
        },
      ]);
      const to = policies.find((p) => p.metadata!.name === 'services-to-otel-collector')!.spec!;
      expect(to.egress).toEqual([
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector' } } }],
          ports: [{ port: 4318, protocol: 'TCP' }],
        },
      ]);
      const out = policies.find((p) => p.metadata!.name === 'otel-collector-egress')!.spec!;
      expect(out.egress!.flatMap((rule) => rule.ports!.map((p) => Number(p.port))).sort((a, b) => a - b)).toEqual([443, 4317, 4318]);
    });

    it('takes secrets only from secretKeyRef, and holds no Secret object or secret value', () => {
      expect(byKind(objects, 'Secret')).toEqual([]);
      // Secrets by the config schemas' own marking, plus URLs that carry passwords and the infrastructure's passwords.
      const secretVariables = new Set(
        Object.values(SERVICE_CONFIG_SPECS).flatMap((spec) =>
          listConfigVars(spec)
            .filter(({ variable }) => variable.secret)
            .map(({ variable }) => variable.env),
        ),
      );
      for (const name of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'DATA_SOURCE_PASS', 'DATABASE_URL', 'DATABASE_READ_URLS', 'REDIS_URL'])
        secretVariables.add(name);
      for (const workload of [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet'), ...byKind(objects, 'Job')]) {
        for (const c of allContainers(podSpecOf(workload))) {
          for (const variable of c.env ?? []) {
            if (!secretVariables.has(variable.name)) continue;
            expect([workload.metadata.name, variable.name, variable.value]).toEqual([workload.metadata.name, variable.name, undefined]);
            expect([workload.metadata.name, variable.name, variable.valueFrom?.secretKeyRef?.name]).toEqual([
              workload.metadata.name,
              variable.name,
              'weft-secrets',
            ]);
          }
        }
      }
      for (const configMap of byKind(objects, 'ConfigMap')) {
        for (const key of Object.keys(configMap.data ?? {}))
          expect([configMap.metadata.name, key, secretVariables.has(key)]).toEqual([configMap.metadata.name, key, false]);
      }
    });

    it('runs every schema migration in a Job, with the command the image documents', () => {
      const job = find(objects, 'Job', 'weft-migrate') as unknown as IJob;
      const spec = job.spec!.template.spec!;
      expect(spec.restartPolicy).toBe('Never');
      const commands = allContainers(spec).map((c) => c.command);
      expect(commands).toEqual(
        ['gateway', 'orchestrator', 'rag', 'compliance'].map((s) => ['node', `dist/apps/${s}/src/main.js`, 'migrate']),
      );
      expect(job.metadata!.labels).toMatchObject({ 'app.kubernetes.io/component': 'migrations' });
      for (const c of allContainers(spec))
        expect(c.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { key: 'database-url', name: 'weft-secrets' } } });
    });

    it('provides NATS as a three-node JetStream cluster, PostgreSQL with pgvector and Redis with AOF', () => {
      const nats = find(objects, 'StatefulSet', 'nats') as unknown as IStatefulSet;
      expect(nats.spec!.replicas).toBe(3);
      const natsConf = find(objects, 'ConfigMap', 'nats-config').data!['nats.conf']!;
      expect(natsConf).toMatch(/jetstream\s*\{/);
      expect(natsConf.match(/nats:\/\/nats-\d\.nats-headless:6222/g)).toHaveLength(3);
      const natsUrl = findGenerated(objects, 'ConfigMap', 'weft-common').data!['NATS_URL']!;
      expect(natsUrl.split(',')).toHaveLength(3);
      // Every stream keeps a copy on each of the three servers, so it survives the loss of one.
      expect(findGenerated(objects, 'ConfigMap', 'weft-common').data!['NATS_STREAM_REPLICAS']).toBe('3');
      const redis = find(objects, 'StatefulSet', 'redis') as unknown as IStatefulSet;
      const statefulSets = [nats, redis];
      if (overlay === 'staging') {
        expect(redis.spec!.replicas).toBe(1);
        expect(redis.spec!.template.spec!.containers[0]!.args).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
      } else {
        // Production: a primary and two replicas, each with AOF, under three Sentinels that the services ask.
        expect(redis.spec!.replicas).toBe(3);
        const scripts = findGenerated(objects, 'ConfigMap', 'redis-ha-scripts').data!;
        expect(scripts['redis-start.sh']).toMatch(/--appendonly yes --appendfsync everysec/);
        expect(scripts['redis-start.sh']).toMatch(/--replicaof "\$primary" 6379/);
        expect(scripts['sentinel-start.sh']).toMatch(/sentinel monitor weft \$\{primary\} 6379 2\n/);
        const sentinel = find(objects, 'StatefulSet', 'redis-sentinel') as unknown as IStatefulSet;
        expect(sentinel.spec!.replicas).toBe(3);
        const common = findGenerated(objects, 'ConfigMap', 'weft-common').data!;
        const sentinels = common['REDIS_SENTINELS']!.split(',');
        expect(sentinels).toEqual([0, 1, 2].map((i) => `redis://redis-sentinel-${i}.${sentinel.spec!.serviceName}:26379`));
        expect(common['REDIS_SENTINEL_MASTER']).toBe('weft');
        find(objects, 'Service', sentinel.spec!.serviceName!);
        // No Service in front of all three: a write must never reach a replica.
        expect(byKind(objects, 'Service').map((o) => o.metadata.name)).not.toContain('redis');
        for (const name of ['redis', 'redis-sentinel']) {
          const affinity = (find(objects, 'StatefulSet', name) as unknown as IStatefulSet).spec!.template.spec!.affinity;
          expect(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey).toBe(
            'kubernetes.io/hostname',
          );
          find(objects, 'PodDisruptionBudget', name);
        }
      }
      if (overlay === 'staging') {
        const postgres = find(objects, 'StatefulSet', 'postgres') as unknown as IStatefulSet;
        expect(postgres.spec!.template.spec!.containers[0]!.image).toMatch(/^pgvector\/pgvector:/);
        statefulSets.push(postgres);
        expect(byKind(objects, 'Cluster')).toEqual([]);
      } else {
        // Production: CloudNativePG, not a StatefulSet of our own.
        expect(byKind(objects, 'StatefulSet').map((s) => s.metadata.name)).not.toContain('postgres');
        const cluster = find(objects, 'Cluster', 'weft-pg') as unknown as ICluster;
        expect(cluster.spec!.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:16\.\d+$/);
        expect(cluster.spec!.bootstrap!.initdb!.postInitApplicationSQL).toContain('CREATE EXTENSION IF NOT EXISTS vector');
        expect(cluster.spec!.storage!.size).toBeDefined();
      }
      for (const sts of statefulSets) expect(sts.spec!.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.['storage']).toBeDefined();
    });
  });

  describe('production PostgreSQL through CloudNativePG', () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderOverlay('production');
    });

    it('runs a primary and two replicas on separate nodes, archives WAL and takes nightly base backups to S3-compatible storage', () => {
      const cluster = find(objects, 'Cluster', 'weft-pg') as unknown as ICluster;
      expect(cluster.spec!.instances).toBe(3);
      // Synchronous to one replica: a failover loses no committed transaction.
      expect([cluster.spec!.minSyncReplicas, cluster.spec!.maxSyncReplicas]).toEqual([1, 1]);
      expect(cluster.spec!.affinity).toMatchObject({
        enablePodAntiAffinity: true,
        podAntiAffinityType: 'required',
        topologyKey: 'kubernetes.io/hostname',
      });
      const store = cluster.spec!.backup!.barmanObjectStore!;
      expect(store.destinationPath).toMatch(/^s3:\/\//);
      // Credentials from a Secret the cluster's external store provides, never inline.
      expect(store.s3Credentials).toEqual({
        accessKeyId: { key: 'ACCESS_KEY_ID', name: 'weft-pg-backup' },
        secretAccessKey: { key: 'ACCESS_SECRET_KEY', name: 'weft-pg-backup' },
      });
      expect(cluster.spec!.backup!.retentionPolicy).toMatch(/^\d+[dwm]$/);
      expect(Number(/^(\d+)min$/.exec(cluster.spec!.postgresql!.parameters!['archive_timeout']!)![1])).toBeLessThanOrEqual(5);
      const backups = byKind<IScheduledBackup>(objects, 'ScheduledBackup');
      expect(backups.map((b) => [b.spec!.cluster.name, b.spec!.method])).toEqual([['weft-pg', 'barmanObjectStore']]);
      // Six fields (seconds first), once a day.
      expect(backups[0]!.spec!.schedule.split(' ')).toEqual([
        '0',
        expect.stringMatching(/^\d+$/),
        expect.stringMatching(/^\d+$/),
        '*',
        '*',
        '*',
      ]);
      // The instances carry the labels the services' network policy and Prometheus' postgres job select.
      expect(cluster.spec!.inheritedMetadata!.labels).toMatchObject({ 'app.kubernetes.io/name': 'postgres' });
    });

    it('puts the services behind the pooler (writes) and the replicas (reads), with the statement timeout the pooler cannot pass on', () => {
      const pooler = find(objects, 'Pooler', 'weft-pg-pooler') as unknown as IPooler;
      expect([pooler.spec.cluster.name, pooler.spec.type]).toEqual(['weft-pg', 'rw']);
      expect(pooler.spec.instances).toBeGreaterThanOrEqual(2);
      // node-postgres sends statement_timeout at connection start; PgBouncer refuses unknown startup parameters
      // unless ignored, so the pooler ignores it and the role carries the services' value instead.
      expect(pooler.spec.pgbouncer.parameters!['ignore_startup_parameters']!.split(',')).toContain('statement_timeout');
      const timeouts = new Set(
        byKind(objects, 'ConfigMap')
          .map((c) => (c.data ?? {})['DATABASE_STATEMENT_TIMEOUT_MS'])
          .filter((v): v is string => v !== undefined),
      );
      expect(timeouts.size).toBe(1);
      const cluster = find(objects, 'Cluster', 'weft-pg') as unknown as ICluster;
      expect(cluster.spec!.bootstrap!.initdb!.postInitApplicationSQL).toContain(
        `ALTER ROLE weft SET statement_timeout = ${[...timeouts][0]}`,
      );
      expect(cluster.spec!.bootstrap!.initdb!.owner).toBe('weft');
      // Every service that uses Postgres reads from the replicas through a secret URL, as it writes.
      for (const service of ['gateway', 'orchestrator', 'rag', 'compliance']) {
        const env = podSpecOf(find(objects, 'Deployment', service)).containers[0]!.env!;
        expect(env).toContainEqual({
          name: 'DATABASE_READ_URLS',
          valueFrom: { secretKeyRef: { key: 'database-read-urls', name: 'weft-secrets' } },
        });
      }
      // The single-instance StatefulSet and its policy stay staging's.
      expect(byKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('postgres');
      expect(byKind(renderOverlay('staging'), 'StatefulSet').map((s) => s.metadata.name)).toContain('postgres');
    });

    it("scales the node runner on its work queue's backlog: the WF_NODES stream and the node runners' consumer, read from NATS' monitoring port", () => {
      const scaled = find(objects, 'ScaledObject', 'node-runner') as unknown as IScaledObject;
      const jetstream = scaled.spec.triggers.find((trigger) => trigger.type === 'nats-jetstream')!;
      const common = findGenerated(objects, 'ConfigMap', 'weft-common').data!;
      // Stream names carry the subject prefix when one is set; production sets none.
      expect(common['NATS_SUBJECT_PREFIX']).toBeUndefined();
      const stream = Object.entries(STREAMS).find(([, s]) => (s.subjects as readonly string[]).includes('wf.node.execute.v1'))![0];
      const handler = readFileSync(join(ROOT, 'apps', 'node-runner', 'src', 'nodes', 'node-jobs.handler.ts'), 'utf8');
      const consumer = /export const NODE_JOBS_CONSUMER = '([^']+)'/.exec(handler)![1];
      expect(jetstream.metadata).toMatchObject({ stream: prefixedStreamName(undefined, stream as never), consumer, account: '$G' });
      // One more pod per WORKER_CONCURRENCY jobs waiting.
      expect(jetstream.metadata['lagThreshold']).toBe(findGenerated(objects, 'ConfigMap', 'weft-node-runner').data!['WORKER_CONCURRENCY']);
      // The endpoint is the NATS servers' monitoring port, through the headless Service of this namespace.
      const [host, port] = jetstream.metadata['natsServerMonitoringEndpoint']!.split(':');
      expect(host).toBe('nats-headless.weft.svc.cluster.local');
      const headless = find(objects, 'Service', 'nats-headless') as unknown as { spec: { ports: Array<{ name: string; port: number }> } };
      expect(headless.spec.ports).toContainEqual(expect.objectContaining({ name: 'monitor', port: Number(port) }));
      expect(find(objects, 'ConfigMap', 'nats-config').data!['nats.conf']).toMatch(new RegExp(`http: 0\\.0\\.0\\.0:${port}`));
    });

    it('scales the orchestrator on the runs in flight of its own namespace (weft_runs_in_flight, read from Prometheus), CPU as the fallback', () => {
      // The orchestrator has no queue (runs are handed over by request and reply): its work is the runs it drives.
      const orchestrator = find(objects, 'ScaledObject', 'orchestrator') as unknown as IScaledObject;
      const namespace = orchestrator.metadata!.namespace!;
      expect(namespace).toBe('weft');
      expect(orchestrator.spec.triggers.map((t) => t.type).sort()).toEqual(['cpu', 'prometheus']);
      const prometheus = orchestrator.spec.triggers.find((trigger) => trigger.type === 'prometheus')!;
      const metricNames = readFileSync(join(ROOT, 'libs', 'metrics', 'src', 'metric-names.ts'), 'utf8');
      const runsInFlight = /runsInFlight: '([a-z_]+)'/.exec(metricNames)![1]!;
      expect(runsInFlight).toBe('weft_runs_in_flight');
      const query = prometheus.metadata['query']!;
      const m = /^sum\((\w+)\{([^}]*)\}\)$/.exec(query);
      expect([query, m?.[1]]).toEqual([query, runsInFlight]);
      const matchers = Object.fromEntries([...m![2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      // Only this namespace's orchestrators: staging's runs must not scale production.
      expect(matchers).toEqual({ job: 'weft-orchestrator', namespace });
      // The threshold is per replica (KEDA's default AverageValue), a positive number of runs.
      expect(prometheus.metricType ?? 'AverageValue').toBe('AverageValue');
      expect(Number(prometheus.metadata['threshold'])).toBeGreaterThan(0);
      // Prometheus gives the orchestrators' series that job and namespace.
      const scrape = readFileSync(join(ROOT, 'deploy', 'monitoring', 'prometheus-kubernetes.yml'), 'utf8');
      expect(scrape).toContain('replacement: weft-$1');
      expect(scrape).toMatch(/source_labels: \[__meta_kubernetes_namespace\]\s+target_label: namespace/);
      // The node runner keeps its JetStream trigger.
      const runner = find(objects, 'ScaledObject', 'node-runner') as unknown as IScaledObject;
      expect(runner.spec.triggers.map((t) => t.type).sort()).toEqual(['cpu', 'nats-jetstream']);
    });
  });

  it('generates its ConfigMaps with a content hash in their names, so a change of configuration rolls the pods and a rollback restores it', () => {
    const configRefs = (objects: K8sObject[]) =>
      Object.fromEntries(
        WEFT_SERVICES.map((service) => [
          service,
          podSpecOf(find(objects, 'Deployment', service))
            .containers[0]!.envFrom!.map((source) => source.configMapRef?.name)
            .filter((name): name is string => name !== undefined),
        ]),
      );
    const before = renderOverlay('production');
    // Every ConfigMap a service reads is generated (name-<hash>) and exists under that very name.
    for (const [service, names] of Object.entries(configRefs(before))) {
      expect([service, names.length > 0]).toEqual([service, true]);
      for (const name of names) {
        expect(name).toMatch(/^weft-[a-z-]+-[a-z0-9]{10}$/);
        expect(find(before, 'ConfigMap', name).metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'weft' });
      }
    }
    // One value changed in a copy of the manifests: the ConfigMap gets a new name, and every pod template that
    // reads it (and only those) points at the new one, which is what makes Kubernetes roll them.
    const copy = mkdtempSync(join(tmpdir(), 'weft-k8s-'));
    try {
      spawnSync('cp', ['-r', K8S_DIR, copy]);
      const kustomization = join(copy, 'k8s', 'base', 'kustomization.yaml');
      const text = readFileSync(kustomization, 'utf8');
      expect(text).toContain('- WORKER_CONCURRENCY=16');
      writeFileSync(kustomization, text.replace('- WORKER_CONCURRENCY=16', '- WORKER_CONCURRENCY=8'));
      const after = renderKustomization(join(copy, 'k8s', 'overlays', 'production'));
      const [was, now] = [configRefs(before), configRefs(after)];
      for (const service of WEFT_SERVICES) {
        if (service === 'node-runner') expect(now[service]).not.toEqual(was[service]);
        else expect(now[service]).toEqual(was[service]);
      }
      expect(findGenerated(after, 'ConfigMap', 'weft-node-runner').data!['WORKER_CONCURRENCY']).toBe('8');
    } finally {
      rmSync(copy, { force: true, recursive: true });
    }
  });

  it('can take every Secret the services read from an external store: one ExternalSecret per Secret, with every key read', () => {
    const externals = renderKustomization(join(K8S_DIR, 'external-secrets')) as unknown as Array<{
      apiVersion: string;
      kind: string;
      spec: {
        data: Array<{ remoteRef: { key: string }; secretKey: string }>;
        secretStoreRef: { kind: string; name: string };
        target: { name: string };
      };
    }>;
    const provided = new Map<string, Set<string>>();
    for (const external of externals) {
      expect([external.apiVersion, external.kind, external.spec.secretStoreRef]).toEqual([
        'external-secrets.io/v1',
        'ExternalSecret',
        { kind: 'ClusterSecretStore', name: 'weft-store' },
      ]);
      provided.set(external.spec.target.name, new Set(external.spec.data.map((d) => d.secretKey)));
    }
    for (const overlay of OVERLAYS) {
      const objects = renderOverlay(overlay);
      const read: Array<[string, string | null]> = [];
      for (const workload of [
        ...byKind<IDeployment>(objects, 'Deployment'),
        ...byKind<IStatefulSet>(objects, 'StatefulSet'),
        ...byKind<IJob>(objects, 'Job'),
      ]) {
        const spec = workload.spec!.template.spec!;
        for (const container of allContainers(spec))
          for (const variable of container.env ?? []) {
            const ref = variable.valueFrom?.secretKeyRef;
            if (ref) read.push([ref.name!, ref.key]);
          }
        for (const volume of spec.volumes ?? []) if (volume.secret) read.push([volume.secret.secretName!, null]);
      }
      // The Ingress' certificate is cert-manager's to make.
      const wanted = read.filter(([name]) => name !== 'weft-tls');
      expect(wanted.length).toBeGreaterThan(10);
      for (const [name, key] of wanted)
        expect([overlay, name, key, provided.get(name)?.has(key ?? [...provided.get(name)!][0]!) ?? false]).toEqual([
          overlay,
          name,
          key,
          true,
        ]);
    }
    // Images from a private registry: the services' account names the pull Secret.
    const account = find(renderOverlay('production'), 'ServiceAccount', 'weft') as unknown as {
      imagePullSecrets?: Array<{ name: string }>;
    };
    expect(account.imagePullSecrets).toEqual([{ name: 'weft-registry' }]);
  });

  it("renders the same objects with the machine's own kubectl (kustomize v5) when there is one", () => {
    const other = runTool('sh', ['-c', 'command -v kubectl']).output.trim();
    if (other === '' || other === tool('kubectl')) return;
    const version = runTool(other, ['version', '--client']);
    if (version.status !== 0 || !/Kustomize/i.test(version.output)) return;
    for (const overlay of OVERLAYS) {
      const result = runTool(other, ['kustomize', join(K8S_DIR, 'overlays', overlay)]);
      expect(result.status).toBe(0);
      // Generated ConfigMaps carry a content hash, which kustomize v2 and v5 compute differently.
      const ids = (objects: string) =>
        (objects.match(/^kind: .+$|^ {2}name: .+$/gm) ?? [])
          .map((id) => id.replace(/^( {2}name: (?:weft-[a-z-]+|redis-ha-scripts))-[a-z0-9]{10}$/, '$1-<hash>'))
          .sort();
      expect(ids(result.output)).toEqual(ids(runTool(tool('kubectl'), ['kustomize', join(K8S_DIR, 'overlays', overlay)]).output));
    }
  });

  it("NATS' configuration passes nats-server -t, with the authorization block `npm run nats:config` writes", () => {
    const objects = renderOverlay('production');
    const dir = mkdtempSync(join(tmpdir(), 'weft-nats-'));
    try {
      // The Secret weft-nats-auth is mounted at ./auth beside nats.conf.
      const generated = spawnSync(
        process.execPath,
        [join(__dirname, '..', '..', 'scripts', 'infra', 'nats-auth.mjs'), '--out', join(dir, 'auth')],
        {
          encoding: 'utf8',
        },
      );
      expect([generated.status, generated.stderr]).toEqual([0, '']);
      const file = join(dir, 'nats.conf');
      writeFileSync(file, find(objects, 'ConfigMap', 'nats-config').data!['nats.conf']!);
      const result = runTool(tool('natsServer'), ['-t', '-c', file], { env: { POD_NAME: 'nats-0' } });
      expect([result.status, result.output]).toEqual([0, expect.stringContaining('is valid')]);
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
  });

  it('deploy and rollback scripts parse (bash -n)', () => {
    expect(runTool('bash', ['-n', join(ROOT, 'deploy', 'scripts', 'k8s-deploy.sh')]).status).toBe(0);
    expect(runTool('bash', ['-n', join(ROOT, 'deploy', 'scripts', 'k8s-rollback.sh')]).status).toBe(0);
  });
});
