import { collectDefaultMetrics, Registry } from 'prom-client';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { ROOT, runTool, tool } from './deploy-tools.util';
import { parseYamlDocuments, readYaml } from './manifests.util';
import {
  dashboardExpressions,
  dashboardFiles,
  EXPORTER_METRICS,
  metricNamesIn,
  MONITORING_DIR,
  monitoredMetrics,
  ruleFiles,
  ruleGroups,
} from './metrics.util';

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function operationsAnchors(): Set<string> {
  const text = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

/** Metric names registered in Weft's code: makeCounterProvider({ name: ... }) and the METRIC table. */
function metricsDeclaredInCode(): Set<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(path)) files.push(path);
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/Provider\(\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) names.add(m[1]!);
    if (file.endsWith(join('metrics', 'src', 'metric-names.ts'))) for (const m of text.matchAll(/:\s*'([a-z_]+)'/g)) names.add(m[1]!);
  }
  return names;
}

describe('monitoring configuration', () => {
  it.each(ruleFiles().map((f) => [relative(ROOT, f)]))('%s passes promtool check rules', (file) => {
    const result = runTool(tool('promtool'), ['check', 'rules', file]);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it('the Compose scrape configuration passes promtool check config (rule files included)', () => {
    const result = runTool(tool('promtool'), ['check', 'config', join(MONITORING_DIR, 'prometheus.yml')]);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining('is valid prometheus config file')]);
    expect(result.output).toMatch(/SUCCESS: \d+ rule files found/);
  });

  it('the Kubernetes scrape configuration passes promtool check config, its kubernetes_sd_configs checked apart', () => {
    // Debian builds Prometheus without Kubernetes service discovery, so its promtool rejects the key
    // itself: each kubernetes_sd_configs block is checked here and replaced by a static target, and
    // promtool checks everything else (relabelling, alerting, rule files).
    let config = readYaml(join(MONITORING_DIR, 'prometheus-kubernetes.yml'))[0] as Record<string, unknown>;
    const replace = (holder: Record<string, unknown>) => {
      const sd = holder['kubernetes_sd_configs'] as Array<Record<string, unknown>> | undefined;
      if (!sd) return 0;
      for (const entry of sd) {
        expect(['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress']).toContain(entry['role']);
        for (const key of Object.keys(entry))
          expect(['role', 'namespaces', 'selectors', 'attach_metadata', 'api_server', 'kubeconfig_file']).toContain(key);
        if (entry['namespaces']) expect(Array.isArray((entry['namespaces'] as { names?: unknown }).names)).toBe(true);
      }
      delete holder['kubernetes_sd_configs'];
      holder['static_configs'] = [{ targets: ['kubernetes-sd.invalid:9090'] }];
      return sd.length;
    };
    let replaced = 0;
    for (const scrape of config['scrape_configs'] as Array<Record<string, unknown>>) replaced += replace(scrape);
    for (const am of (config['alerting'] as { alertmanagers?: Array<Record<string, unknown>> }).alertmanagers ?? [])
      replaced += replace(am);
    expect(replaced).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(tmpdir(), 'weft-prometheus-'));
    try {
      // promtool also opens the service-account files a pod would have; give it stand-ins.
      const serviceAccount = '/var/run/secrets/kubernetes.io/serviceaccount/';
      for (const name of ['ca.crt', 'token']) writeFileSync(join(dir, name), 'stand-in\n');
      const text = stringify(config).split(serviceAccount).join(`${dir}/`);
      expect(text).not.toBe(stringify(config));
      config = parseYamlDocuments(text, 'prometheus-kubernetes.yml (stand-ins)')[0] as Record<string, unknown>;
      cpSync(join(MONITORING_DIR, 'rules'), join(dir, 'rules'), { recursive: true });
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
      const result = runTool(tool('promtool'), ['check', 'config', join(dir, 'prometheus.yml')]);
      expect([result.status, result.output]).toEqual([0, expect.stringContaining('is valid prometheus config file')]);
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
  });

  it('the Alertmanager configuration passes amtool check-config, and its routes and inhibitions name what exists', () => {
    const file = join(MONITORING_DIR, 'alertmanager.yml');
    const result = runTool(tool('amtool'), ['check-config', file]);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining('SUCCESS')]);
    const config = readYaml(file)[0] as {
      route: { receiver: string; routes?: Array<{ receiver: string }> };
      receivers: Array<{ name: string }>;
      inhibit_rules?: Array<{ source_matchers: string[] }>;
    };
    const receivers = config.receivers.map((r) => r.name);
    for (const r of [config.route.receiver, ...(config.route.routes ?? []).map((x) => x.receiver)]) expect(receivers).toContain(r);
    const alerts = ruleGroups().flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert!));
    for (const rule of config.inhibit_rules ?? []) {
      for (const matcher of rule.source_matchers) {
        const m = /^alertname="(.+)"$/.exec(matcher);
        if (m) expect(alerts).toContain(m[1]);
      }
    }
  });

  describe('alert rules', () => {
    const alerts = ruleGroups().flatMap((g) => g.rules.filter((r) => r.alert));

    it('cover what the issue asks: error rate, p95 latency, failed and stuck runs, JetStream lag, audit lag, dependencies, disk and memory', () => {
      expect(alerts.map((a) => a.alert)).toEqual(
        expect.arrayContaining([
          'WeftServiceDown',
          'WeftHighErrorRate',
          'WeftHighLatencyP95',
          'WeftWorkflowRunsFailing',
          'WeftRunsStuck',
          'WeftJetStreamConsumerLag',
          'WeftAuditLag',
          'WeftPostgresDown',
          'WeftRedisDown',
          'WeftNatsServerDown',
          'WeftDiskSpaceLow',
          'WeftMemoryHigh',
        ]),
      );
    });

    it('each has a severity, a summary, a description and a runbook link to its own section of docs/operations.md', () => {
      const anchors = operationsAnchors();
      for (const alert of alerts) {
        expect([alert.alert, alert.labels?.['severity']]).toEqual([alert.alert, expect.stringMatching(/^(critical|warning)$/)]);
        expect([alert.alert, typeof alert.annotations?.['summary'], typeof alert.annotations?.['description']]).toEqual([
          alert.alert,
          'string',
          'string',
        ]);
        const url = alert.annotations?.['runbook_url'] ?? '';
        expect([alert.alert, url]).toEqual([alert.alert, `docs/operations.md#${alert.alert!.toLowerCase()}`]);
        expect([alert.alert, anchors.has(url.split('#')[1]!)]).toEqual([alert.alert, true]);
      }
    });
  });

  describe('metrics the dashboard and the rules read', () => {
    it('parses metric names out of PromQL', () => {
      expect(
        metricNamesIn(
          'sum by (job) (rate(dify_requests_total{status=~"5..",job="x"}[5m])) / on(job) group_left(instance) up > 0.5 and 1e9 < bool x:y:z offset 5m',
        ),
      ).toEqual(['dify_requests_total', 'up', 'x:y:z']);
      expect(metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(dify_request_duration_seconds_bucket[5m])))')).toEqual([
        'dify_request_duration_seconds_bucket',
      ]);
    });

    it("are Weft's own (declared in its code or prom-client's default metrics) or come from an exporter that is deployed and scraped", async () => {
      const { weft, exporters } = monitoredMetrics();
      expect(weft.length).toBeGreaterThan(5);
      const declared = metricsDeclaredInCode();
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      const defaults = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
      const undeclared = weft.filter(
        (name) => !declared.has(name) && !defaults.has(name) && !declared.has(name.replace(/_(bucket|sum|count)$/, '')),
      );
      expect(undeclared).toEqual([]);
      const composeJobs = (
        readYaml(join(MONITORING_DIR, 'prometheus.yml'))[0] as { scrape_configs: Array<{ job_name: string }> }
      ).scrape_configs.map((s) => s.job_name);
      const k8sJobs = (
        readYaml(join(MONITORING_DIR, 'prometheus-kubernetes.yml'))[0] as { scrape_configs: Array<{ job_name: string }> }
      ).scrape_configs.map((s) => s.job_name);
      const infraText = ['nats', 'postgres', 'redis']
        .map((d) => readFileSync(join(ROOT, 'deploy', 'k8s', 'infra', d, `${d}.yaml`), 'utf8'))
        .join('\n');
      for (const metric of exporters) {
        const { job } = EXPORTER_METRICS[metric]!;
        if (job === '*') continue;
        if (job === 'kubelet') expect(k8sJobs).toContain('kubelet');
        else if (job === 'node') expect(composeJobs).toContain('node');
        else {
          expect(composeJobs).toContain(job);
          // In Kubernetes the exporter runs beside the server, on a port Prometheus is told to scrape.
          expect(infraText).toMatch(new RegExp(`name: ${job}[\\s\\S]*prometheus\\.io/scrape: "true"[\\s\\S]*name: exporter`));
        }
      }
    });

    it('the dashboards name no metric outside that set, and use the provisioned data source', () => {
      const provisioned = (
        parseYamlDocuments(
          readFileSync(join(MONITORING_DIR, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
          'datasources',
        )[0] as { datasources: Array<{ uid: string }> }
      ).datasources.map((d) => d.uid);
      const uids = new Set<string>();
      for (const file of dashboardFiles()) {
        const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
          uid: string;
          panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
        };
        expect(uids.has(dashboard.uid)).toBe(false);
        uids.add(dashboard.uid);
        for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
          expect([panel.title, provisioned.includes(panel.datasource?.uid ?? '')]).toEqual([panel.title, true]);
          expect([panel.title, (panel.targets ?? []).length > 0]).toEqual([panel.title, true]);
        }
        const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
        for (const topic of ['requests', 'latency', 'runs', 'node', 'spend', 'retrieval', 'audit', 'memory'])
          expect(titles).toContain(topic);
        expect(dashboardExpressions(dashboard).length).toBeGreaterThan(20);
      }
    });
  });
});
