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
import { ROOT, runTool, tool } from './deploy-tools.util';
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

describe('Kubernetes manifests', () => {
  describe.each(['base', 'infra/nats', 'infra/postgres', 'infra/redis'])('%s', (dir) => {
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

    it("keeps the Postgres connection budget: each service's most pods (autoscaler maximum plus rollout surge) × its pool, the migrations and the reserved slots fit in max_connections", () => {
      const configMaps = new Map(byKind(objects, 'ConfigMap').map((c) => [c.metadata.name, (c.data ?? {}) as Record<string, string>]));
      const envOf = (container: IContainer): Record<string, string> => {
        // Later envFrom sources win over earlier ones, and env over all of them (Kubernetes' rule).
        const merged: Record<string, string> = {};
        for (const source of container.envFrom ?? []) Object.assign(merged, configMaps.get(source.configMapRef?.name ?? '') ?? {});
        for (const variable of container.env ?? []) if (variable.value !== undefined) merged[variable.name] = variable.value;
        return merged;
      };
      const usesDatabase = (container: IContainer) => (container.env ?? []).some((v) => v.name === 'DATABASE_URL');
      const hpas = byKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
      const budget: Array<[string, number]> = [];
      for (const deployment of byKind<IDeployment>(objects, 'Deployment')) {
        const container = deployment.spec!.template.spec!.containers[0]!;
        if (!usesDatabase(container)) continue;
        const name = deployment.metadata!.name!;
        const hpa = hpas.find((h) => h.spec!.scaleTargetRef.name === name);
        const most =
          (hpa?.spec!.maxReplicas ?? deployment.spec!.replicas ?? 1) + Number(deployment.spec!.strategy?.rollingUpdate?.maxSurge ?? 1);
        const pool = Number(envOf(container)['DATABASE_POOL_MAX'] ?? SERVICE_CONFIG_SPECS.gateway.database.poolMax.default);
        budget.push([name, most * pool]);
      }
      expect(budget.map(([name]) => name).sort()).toEqual(['compliance', 'gateway', 'orchestrator', 'rag']);
      // The migrations Job runs its init containers one at a time, one connection each; Postgres keeps 3 for superusers.
      const reserved = 1 + 3;
      const postgres = find(objects, 'StatefulSet', 'postgres') as unknown as IStatefulSet;
      const args = postgres.spec!.template.spec!.containers[0]!.args!;
      const maxConnections = Number(args.find((a) => a.startsWith('max_connections='))!.split('=')[1]);
      expect(maxConnections).toBeGreaterThan(0);
      const total = budget.reduce((sum, [, n]) => sum + n, 0) + reserved;
      // Fails with the breakdown per service when the sum is over.
      expect([Math.min(total, maxConnections), Object.fromEntries(budget)]).toEqual([total, Object.fromEntries(budget)]);
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
      expect(workloads.length).toBeGreaterThanOrEqual(WEFT_SERVICES.length + 4);
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
      for (const service of ['gateway', 'orchestrator', 'node-runner', 'rag']) {
        const hpa = find(objects, 'HorizontalPodAutoscaler', service) as unknown as IHorizontalPodAutoscaler;
        expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service });
        expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(service === 'rag' && overlay === 'staging' ? 1 : 2);
        expect(hpa.spec!.maxReplicas).toBeGreaterThan(hpa.spec!.minReplicas!);
        // The autoscaler owns the count: a count in the Deployment would reset it on every apply.
        expect([service, (find(objects, 'Deployment', service) as unknown as IDeployment).spec!.replicas]).toEqual([service, undefined]);
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
      // Only the gateway takes traffic from outside the namespace other than Prometheus' scrapes.
      const ingressFromOtherNamespaces = policies.flatMap((p) =>
        (p.spec!.ingress ?? [])
          .filter((rule) =>
            (rule.from ?? []).some(
              (peer) => peer.namespaceSelector && peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] !== 'monitoring',
            ),
          )
          .map(() => p.spec!.podSelector.matchLabels?.['app.kubernetes.io/name']),
      );
      expect(ingressFromOtherNamespaces).toEqual(['gateway']);
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
      const podTargets = new Set(podEgress.map((peer) => peer.podSelector!.matchLabels!['app.kubernetes.io/name']));
      expect(podTargets).toEqual(new Set(['nats', 'postgres', 'redis']));
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
      const postgres = find(objects, 'StatefulSet', 'postgres') as unknown as IStatefulSet;
      expect(postgres.spec!.template.spec!.containers[0]!.image).toMatch(/^pgvector\/pgvector:/);
      const redis = find(objects, 'StatefulSet', 'redis') as unknown as IStatefulSet;
      expect(redis.spec!.template.spec!.containers[0]!.args).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
      for (const sts of [nats, postgres, redis])
        expect(sts.spec!.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.['storage']).toBeDefined();
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
          .map((id) => id.replace(/^( {2}name: weft-[a-z-]+)-[a-z0-9]{10}$/, '$1-<hash>'))
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
