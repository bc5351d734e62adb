import { listConfigVars, SERVICE_CONFIG_SPECS } from '@weft/config';
import { SERVICE_NAMES, ServiceName } from '@weft/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDeployment } from 'kubernetes-models/apps/v1';
import { IJob } from 'kubernetes-models/batch/v1';
import { IContainer } from 'kubernetes-models/v1';
import { environmentOf, rawCompose, weftServices } from './compose.util';
import { ROOT } from './deploy-tools.util';
import { byKind, find, K8sObject, OVERLAYS, renderOverlay } from './manifests.util';

/**
 * Variables the deployment sets that are not Weft configuration: SERVICE picks the service in the
 * image's entrypoint (docker/entrypoint.sh); NODE_ENV is Node's own; the OpenTelemetry SDK reads its
 * standard variables itself (the endpoint, the service name, the sampler: docs/observability.md).
 */
const NOT_CONFIG = new Set([
  'SERVICE',
  'NODE_ENV',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
]);

/** Every variable a service's config schema knows (read from libs/config, so it follows new settings). */
function knownTo(service: ServiceName): Set<string> {
  return new Set(listConfigVars(SERVICE_CONFIG_SPECS[service]).map(({ variable }) => variable.env));
}

function unknownFor(service: ServiceName, names: string[]): string[] {
  const known = knownTo(service);
  return names.filter((name) => !known.has(name) && !NOT_CONFIG.has(name));
}

/** The variable names a container gets: its own env and the keys of the ConfigMaps it loads whole. */
function containerVariables(container: IContainer, objects: K8sObject[]): string[] {
  const fromConfigMaps = (container.envFrom ?? []).flatMap((source) => {
    expect(source.secretRef).toBeUndefined();
    return Object.keys(find(objects, 'ConfigMap', source.configMapRef!.name!).data ?? {});
  });
  return [...(container.env ?? []).map((e) => e.name), ...fromConfigMaps];
}

/** Settings with a development default that production must never run with. */
const MUST_SET_BY_HAND: Record<ServiceName, string[]> = {
  gateway: ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'SYSTEM_STATUS_TOKEN', 'HTTP_HOST'],
  orchestrator: ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'HTTP_HOST'],
  'node-runner': ['REDIS_URL', 'NATS_URL', 'HTTP_HOST'],
  rag: ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'HTTP_HOST'],
  compliance: ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'HTTP_HOST'],
};

/**
 * What production must set for a service: the list above, SECRET_KEY for every service whose schema reads
 * it (they must share it: one seals what another opens), and the file store for every one that uses it (one
 * writes what another serves). Read from the schemas, so a service that starts using either is covered.
 */
function mustSet(service: ServiceName): string[] {
  const known = knownTo(service);
  return [
    ...MUST_SET_BY_HAND[service],
    ...(known.has('SECRET_KEY') ? ['SECRET_KEY'] : []),
    ...(known.has('STORAGE_TYPE') ? ['STORAGE_TYPE'] : []),
  ];
}

describe('environment variables the deployment sets', () => {
  describe.each(OVERLAYS)('Kubernetes overlay %s', (overlay) => {
    it('sets on each service only variables its config schema knows, and the ones production needs', () => {
      const objects = renderOverlay(overlay);
      for (const service of SERVICE_NAMES) {
        const deployment = find(objects, 'Deployment', service) as unknown as IDeployment;
        const names = deployment.spec!.template.spec!.containers.flatMap((c) => containerVariables(c, objects));
        expect([service, unknownFor(service, names)]).toEqual([service, []]);
        expect([service, mustSet(service).filter((name) => !names.includes(name))]).toEqual([service, []]);
      }
    });

    it("sets on each migration step only variables the migrated service's schema knows", () => {
      const job = byKind(renderOverlay(overlay), 'Job')[0] as unknown as IJob;
      const spec = job.spec!.template.spec!;
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        const service = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(container.command!.join(' '))![1] as ServiceName;
        expect(SERVICE_NAMES).toContain(service);
        expect([service, unknownFor(service, containerVariables(container, renderOverlay(overlay)))]).toEqual([service, []]);
      }
    });
  });

  it("sets on each Compose service only variables its config schema knows (the migrations one: every migrated service's)", () => {
    const compose = rawCompose();
    for (const [name, service] of weftServices(compose)) {
      const names = Object.keys(environmentOf(service));
      const targets: ServiceName[] = name === 'migrate' ? ['gateway', 'orchestrator', 'rag', 'compliance'] : [name as ServiceName];
      for (const target of targets) expect([name, target, unknownFor(target, names)]).toEqual([name, target, []]);
      if (name !== 'migrate') expect([name, mustSet(name as ServiceName).filter((v) => !names.includes(v))]).toEqual([name, []]);
    }
  });

  it("sets in the image only variables some service's config schema knows", () => {
    const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const names = [...runtime.matchAll(/^ENV\s+((?:.*\\\n)*.*)$/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((v) => v[1]!),
    );
    expect(names.length).toBeGreaterThan(0);
    const known = new Set(SERVICE_NAMES.flatMap((s) => [...knownTo(s)]));
    expect(names.filter((n) => !known.has(n) && !NOT_CONFIG.has(n))).toEqual([]);
  });

  it('would catch a variable no schema knows (the check is live)', () => {
    expect(unknownFor('gateway', ['DATABASE_URL', 'WORKER_CONCURRENCY', 'DATABSE_URL'])).toEqual(['WORKER_CONCURRENCY', 'DATABSE_URL']);
  });
});
