import Ajv from 'ajv';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMPOSE_DIR,
  composeValues,
  ENV_EXAMPLE,
  environmentOf,
  interpolatedCompose,
  interpolatedNames,
  parseEnvFile,
  rawCompose,
  weftServices,
} from './compose.util';
import { runTool, tool } from './deploy-tools.util';
import { checkTracesPipeline, COLLECTOR_CONFIG, collectorConfig } from './otel-collector.util';

/** .env.example with every empty (secret) value filled in, as an operator would. */
function exampleEnv(): Record<string, string> {
  const values = parseEnvFile(readFileSync(ENV_EXAMPLE, 'utf8'));
  for (const [key, value] of Object.entries(values))
    if (value === '' && /PASSWORD|SECRET_KEY|TOKEN|WEFT_TAG/.test(key)) values[key] = `example-${key.toLowerCase()}`;
  return values;
}

describe('Compose deployment', () => {
  it('validates against the Compose specification schema (the schema dclint ships)', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('dclint/package.json').replace(/package\.json$/, 'schemas/compose.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    // The schema names its meta-schema without the trailing '#' Ajv registers draft-07 under.
    delete schema['$schema'];
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const compose = interpolatedCompose(exampleEnv());
    const valid = validate(compose);
    expect(valid ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
  });

  it('rejects what the schema forbids (the validation is live)', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('dclint/package.json').replace(/package\.json$/, 'schemas/compose.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    delete schema['$schema'];
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ services: { gateway: { image: 'weft', restart: 'unless-stopped', bogus_key: 1 } } })).toBe(false);
  });

  it('documents every variable it interpolates in .env.example, and stops without the secrets', () => {
    const documented = Object.keys(parseEnvFile(readFileSync(ENV_EXAMPLE, 'utf8')));
    const used = interpolatedNames(composeValues().join('\n'));
    expect(used.filter((name) => !documented.includes(name))).toEqual([]);
    for (const secret of [
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'SECRET_KEY',
      'SYSTEM_STATUS_TOKEN',
      'GRAFANA_ADMIN_PASSWORD',
      'WEFT_TAG',
    ]) {
      const env = exampleEnv();
      delete env[secret];
      expect(() => interpolatedCompose(env)).toThrow(new RegExp(`^${secret} is required`));
    }
  });

  it('writes no secret value into the file: secrets are interpolated from .env or read from files', () => {
    const compose = rawCompose();
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        if (!/PASSWORD|SECRET|TOKEN|_KEY$|DSN|DATABASE_URL|REDIS_URL|DATA_SOURCE_NAME/.test(key) || /S3_BUCKET|KEY_PREFIX/.test(key))
          continue;
        expect([name, key, value]).toEqual([name, key, expect.stringMatching(/\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}/)]);
      }
    }
    const env = parseEnvFile(readFileSync(ENV_EXAMPLE, 'utf8'));
    for (const key of [
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'SECRET_KEY',
      'SYSTEM_STATUS_TOKEN',
      'GRAFANA_ADMIN_PASSWORD',
      'S3_SECRET_KEY',
    ])
      expect([key, env[key]]).toEqual([key, '']);
  });

  it('gives every service that uses the file store the same one: one volume at STORAGE_LOCAL_PATH (exports written by compliance are served by the gateway)', () => {
    const compose = interpolatedCompose(exampleEnv());
    const users = weftServices(compose).filter(([, service]) => environmentOf(service)['STORAGE_TYPE'] !== undefined);
    expect(users.map(([name]) => name).sort()).toEqual(['compliance', 'gateway', 'node-runner', 'rag']);
    const mounts = users.map(([name, service]) => {
      const path = environmentOf(service)['STORAGE_LOCAL_PATH'];
      return [name, (service.volumes ?? []).find((v) => v.split(':')[1] === path)?.split(':')[0]];
    });
    expect(mounts).toEqual(users.map(([name]) => [name, 'uploads']));
  });

  it('runs the gateway in several replicas behind nginx, every Weft service from the one image', () => {
    const compose = interpolatedCompose(exampleEnv());
    expect(Number(compose.services['gateway']!.deploy!.replicas)).toBeGreaterThanOrEqual(2);
    expect(
      weftServices(compose)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['compliance', 'gateway', 'migrate', 'node-runner', 'orchestrator', 'rag']);
    for (const [, service] of weftServices(compose)) expect(service.image).toBe('ghcr.io/weft/weft:example-weft_tag');
    for (const [name, service] of weftServices(compose).filter(([n]) => n !== 'migrate')) {
      expect([name, environmentOf(service)['SERVICE']]).toEqual([name, name]);
      expect([name, (service['depends_on'] as Record<string, { condition: string }>)['migrate']]).toEqual([
        name,
        { condition: 'service_completed_successfully' },
      ]);
    }
  });

  it('runs PostgreSQL with pgvector, Redis with AOF and a three-node NATS JetStream cluster, on named volumes', () => {
    const compose = interpolatedCompose(exampleEnv());
    expect(compose.services['postgres']!.image).toMatch(/^pgvector\/pgvector:[0-9]/);
    expect(compose.services['redis']!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    const nats = ['nats-1', 'nats-2', 'nats-3'].map((n) => compose.services[n]!);
    for (const [i, server] of nats.entries()) {
      const command = server.command as string[];
      expect(command).toEqual(expect.arrayContaining(['--jetstream', '--cluster_name', 'weft', '--name', `nats-${i + 1}`]));
      expect(command[command.indexOf('--routes') + 1]!.split(',')).toHaveLength(3);
    }
    const natsUrl = environmentOf(compose.services['gateway']!)['NATS_URL']!;
    expect(natsUrl.split(',')).toEqual(['nats://nats-1:4222', 'nats://nats-2:4222', 'nats://nats-3:4222']);
    // Every stream keeps a copy on each of the three servers, so it survives the loss of one.
    expect(environmentOf(compose.services['gateway']!)['NATS_STREAM_REPLICAS']).toBe('3');
    // Every volume a service mounts by name is declared, and every stateful service uses one.
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect([name, declared.includes(source)]).toEqual([name, true]);
      }
    }
    for (const stateful of ['postgres', 'redis', 'nats-1', 'nats-2', 'nats-3', 'prometheus', 'grafana', 'alertmanager']) {
      expect(compose.services[stateful]!.volumes!.some((v) => declared.includes(v.split(':')[0]!))).toBe(true);
    }
    // Third-party images are pinned to a release, never `latest`.
    const weft = new Set(weftServices(compose).map(([name]) => name));
    for (const [name, service] of Object.entries(compose.services).filter(([n]) => !weft.has(n)))
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:v?[0-9][^:]*$/)]);
  });

  it('publishes ports only from nginx and Grafana, and keeps the backend network internal', () => {
    const compose = interpolatedCompose(exampleEnv());
    const publishing = Object.entries(compose.services)
      .filter(([, s]) => s['ports'])
      .map(([name]) => name)
      .sort();
    expect(publishing).toEqual(['grafana', 'nginx']);
    expect(compose.networks!['backend']).toEqual({ internal: true });
  });

  it('carries an OpenTelemetry Collector that every Weft service sends its traces to, sampled at 10%, each under its own name', () => {
    const compose = interpolatedCompose(exampleEnv());
    const collector = compose.services['otel-collector']!;
    expect(collector.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    expect(collector['ports']).toBeUndefined();
    expect(collector.networks).toEqual(['backend', 'egress']);
    expect([collector['read_only'], collector['cap_drop']]).toEqual([true, ['ALL']]);
    // The one configuration file Kubernetes uses too, where the image reads it.
    const mount = collector.volumes!.find((v) => v.split(':')[1] === '/etc/otelcol-contrib/config.yaml')!;
    expect(join(COMPOSE_DIR, mount.split(':')[0]!)).toBe(COLLECTOR_CONFIG);
    expect(mount.endsWith(':ro')).toBe(true);
    // With .env.example's settings it logs only; each exporter an operator can choose is complete.
    const env = environmentOf(collector);
    expect(checkTracesPipeline(collectorConfig(env)).exporter).toBe('debug');
    expect(
      checkTracesPipeline(
        collectorConfig({ ...env, OTEL_COLLECTOR_EXPORTER: 'otlphttp/backend', TRACES_OTLP_ENDPOINT: 'http://jaeger:4318' }),
      ).settings,
    ).toEqual({ endpoint: 'http://jaeger:4318' });
    expect(
      checkTracesPipeline(
        collectorConfig({ ...env, OTEL_COLLECTOR_EXPORTER: 'otlphttp/langfuse', LANGFUSE_AUTHORIZATION: 'Basic cGs6c2s=' }),
      ).settings,
    ).toEqual({
      endpoint: 'https://cloud.langfuse.com/api/public/otel',
      headers: { Authorization: 'Basic cGs6c2s=', 'x-langfuse-ingestion-version': '4' },
    });
    expect(() => checkTracesPipeline(collectorConfig({ ...env, OTEL_COLLECTOR_EXPORTER: 'zipkin' }))).toThrow(/undefined exporter/);
    // Every service (the migrations one-shot aside) points at it, names itself, and samples one trace in ten.
    const services = weftServices(compose).filter(([name]) => name !== 'migrate');
    expect(services).toHaveLength(5);
    for (const [name, service] of services) {
      const vars = environmentOf(service);
      expect([name, vars['OTEL_EXPORTER_OTLP_ENDPOINT'], vars['OTEL_SERVICE_NAME']]).toEqual([
        name,
        'http://otel-collector:4318',
        `weft-${name}`,
      ]);
      expect([name, vars['OTEL_TRACES_SAMPLER'], vars['OTEL_TRACES_SAMPLER_ARG']]).toEqual([name, 'parentbased_traceidratio', '0.1']);
      expect([name, service.networks]).toEqual([name, expect.arrayContaining(['backend'])]);
    }
    // Prometheus keeps the exemplars that link latency to traces, and Grafana knows where the traces are.
    expect(compose.services['prometheus']!.command).toContain('--enable-feature=exemplar-storage');
    expect(environmentOf(compose.services['grafana']!)['GRAFANA_TRACES_URL']).toMatch(/^https?:\/\//);
  });

  it('provisions Prometheus, Alertmanager and Grafana from deploy/monitoring', () => {
    const compose = rawCompose();
    expect(compose.services['prometheus']!.volumes).toEqual(
      expect.arrayContaining([
        '../monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        '../monitoring/rules:/etc/prometheus/rules:ro',
      ]),
    );
    expect(compose.services['alertmanager']!.volumes).toContain('../monitoring/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
    expect(compose.services['grafana']!.volumes).toEqual(
      expect.arrayContaining([
        '../monitoring/grafana/provisioning:/etc/grafana/provisioning:ro',
        '../monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });

  describe('nginx', () => {
    const conf = readFileSync(join(COMPOSE_DIR, 'nginx', 'nginx.conf'), 'utf8');

    it('passes nginx -t (Debian nginx, a throw-away certificate from openssl)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-nginx-'));
      try {
        mkdirSync(join(dir, 'certs'));
        copyFileSync(join(COMPOSE_DIR, 'nginx', 'nginx.conf'), join(dir, 'nginx.conf'));
        const cert = runTool(tool('openssl'), [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=weft.test',
          '-keyout',
          join(dir, 'certs', 'tls.key'),
          '-out',
          join(dir, 'certs', 'tls.crt'),
        ]);
        expect(cert.status).toBe(0);
        const result = runTool(tool('nginx'), ['-t', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf')]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining('test is successful')]);
      } finally {
        rmSync(dir, { force: true, recursive: true });
      }
    });

    it('is SSE-friendly: no buffering, HTTP/1.1 upstream, read timeout above the 10 s ping', () => {
      expect(conf).toMatch(/^\s*proxy_buffering off;/m);
      expect(conf).toMatch(/^\s*proxy_http_version 1\.1;/m);
      const timeout = /^\s*proxy_read_timeout (\d+)s;/m.exec(conf);
      expect(Number(timeout?.[1])).toBeGreaterThan(10);
      expect(conf).toMatch(/listen 443 ssl/);
      expect(conf).toMatch(/return 308 https:\/\//);
    });

    it('reaches the gateway replicas by their Compose name', () => {
      expect(conf).toMatch(/set \$gateway_upstream http:\/\/gateway:5001;/);
      expect(conf).toMatch(/proxy_pass \$gateway_upstream;/);
      expect(conf).toMatch(/resolver 127\.0\.0\.11 valid=\d+s/);
    });
  });
});
