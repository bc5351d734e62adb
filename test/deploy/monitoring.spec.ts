import { collectDefaultMetrics, Registry } from 'prom-client';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { ROOT, runTool, tool } from './deploy-tools.util';
import { parseYamlDocuments, readYaml } from './manifests.util';
import {
  aggregationsIn,
  dashboardExpressions,
  dashboardFiles,
  EXPORTER_METRICS,
  metricNamesIn,
  MONITORING_DIR,
  monitoredMetrics,
  ruleFiles,
  ruleGroups,
  selectorsIn,
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

  describe('per namespace: staging and production are never added together', () => {
    interface Target {
      expr?: string;
      exemplar?: boolean;
    }
    interface DashboardPanel {
      type: string;
      title: string;
      targets?: Target[];
      panels?: DashboardPanel[];
    }
    interface Dashboard {
      panels: DashboardPanel[];
      templating: { list: Array<{ name: string; multi?: boolean; includeAll?: boolean; query: { query: string } | string }> };
    }
    const dashboards = () => dashboardFiles().map((f) => [relative(ROOT, f), JSON.parse(readFileSync(f, 'utf8')) as Dashboard] as const);
    const panelsOf = (panels: DashboardPanel[]): DashboardPanel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
    const NAMESPACE = 'namespace="$namespace"';

    it('parses selectors and aggregations out of PromQL', () => {
      expect(
        selectorsIn('histogram_quantile(0.95, sum by (job, le) (rate(a_bucket{x="{y}",job=~"$job"}[5m]))) / on(job) b offset 5m'),
      ).toEqual([
        { name: 'a_bucket', matchers: 'x="{y}",job=~"$job"' },
        { name: 'b', matchers: '' },
      ]);
      expect(aggregationsIn('sum by (namespace, job) (x) / max(y) by (namespace) + count without (pod) (z) + topk(3, w)')).toEqual([
        { op: 'sum', by: ['namespace', 'job'] },
        { op: 'max', by: ['namespace'] },
        { op: 'count', without: ['pod'] },
        { op: 'topk' },
      ]);
    });

    it.each(dashboards())(
      '%s: one namespace at a time, selected by every selector of every panel query and of every other variable',
      (_file, dashboard) => {
        const variable = dashboard.templating.list.find((v) => v.name === 'namespace');
        expect(variable).toMatchObject({ multi: false, includeAll: false });
        const queries = [
          ...panelsOf(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr ?? ''] as const)),
          ...dashboard.templating.list
            .filter((v) => v.name !== 'namespace')
            .map((v) => [`variable ${v.name}`, typeof v.query === 'string' ? v.query : v.query.query] as const),
        ];
        expect(queries.length).toBeGreaterThan(40);
        for (const [where, expr] of queries) {
          const selectors = selectorsIn(expr.replace(/^label_values\((.*),\s*\w+\)$/, '$1'));
          expect([where, selectors.length > 0]).toEqual([where, true]);
          for (const s of selectors) expect([where, s.name, s.matchers.split(',').includes(NAMESPACE)]).toEqual([where, s.name, true]);
        }
      },
    );

    it('every aggregation of the recording and alert rules keeps the namespace label', () => {
      const rules = ruleGroups().flatMap((g) => g.rules);
      let aggregations = 0;
      for (const rule of rules) {
        for (const a of aggregationsIn(rule.expr)) {
          aggregations++;
          const keeps = a.by ? a.by.includes('namespace') : a.without ? !a.without.includes('namespace') : false;
          expect([rule.alert ?? rule.record, a.op, keeps]).toEqual([rule.alert ?? rule.record, a.op, true]);
        }
      }
      expect(aggregations).toBeGreaterThan(20);
      // Recorded series say so in their name (level:metric:operations).
      for (const r of rules.filter((x) => x.record)) expect(r.record).toMatch(/^namespace(_[a-z_]+)?:/);
    });

    it("every scrape job gives its series a namespace: the Compose one a fixed label, the Kubernetes one the pod's namespace", () => {
      const compose = readYaml(join(MONITORING_DIR, 'prometheus.yml'))[0] as {
        scrape_configs: Array<{
          job_name: string;
          relabel_configs?: Array<{ target_label?: string; replacement?: string; source_labels?: string[] }>;
        }>;
      };
      for (const job of compose.scrape_configs) {
        const rule = (job.relabel_configs ?? []).find((r) => r.target_label === 'namespace');
        expect([job.job_name, rule?.replacement]).toEqual([job.job_name, expect.stringMatching(/^[a-z0-9-]+$/)]);
        expect([job.job_name, rule?.source_labels]).toEqual([job.job_name, undefined]);
      }
      const k8s = readYaml(join(MONITORING_DIR, 'prometheus-kubernetes.yml'))[0] as {
        scrape_configs: Array<{ job_name: string; relabel_configs?: Array<{ target_label?: string; source_labels?: string[] }> }>;
      };
      const pods = k8s.scrape_configs.find((j) => j.job_name === 'weft-pods')!;
      expect(pods.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' });
    });
  });

  describe('the panels issue 20 adds, and exemplars', () => {
    const dashboard = JSON.parse(
      readFileSync(
        dashboardFiles().find((f) => f.endsWith('weft-overview.json'))!,
        'utf8',
      ),
    ) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string; exemplar?: boolean }> }>;
    };
    const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ ...t, title: p.title })));
    const reading = (metric: string) => targets.filter((t) => selectorsIn(t.expr).some((s) => s.name === metric));

    it('shows tokens and latency per model, node duration by type, the backlog of every work queue and the runs in flight', () => {
      expect(reading('dify_llm_tokens_total').some((t) => /by \(provider, model, type\)/.test(t.expr))).toBe(true);
      expect(reading('dify_llm_request_duration_seconds_bucket').some((t) => /by \(provider, model, le\)/.test(t.expr))).toBe(true);
      expect(reading('weft_node_duration_seconds_bucket').some((t) => /by \(node_type, le\)/.test(t.expr))).toBe(true);
      // One series per stream and consumer: every work queue, whichever service consumes it.
      expect(reading('weft_jetstream_backlog_messages').map((t) => t.expr)).toContainEqual(
        expect.stringMatching(/^max by \(stream, consumer\) \(weft_jetstream_backlog_messages\{[^}]*\}\)$/),
      );
      expect(reading('weft_runs_in_flight').length).toBeGreaterThan(0);
    });

    it('asks for exemplars on every panel of a histogram that keeps them, and links them to a provisioned trace data source', () => {
      // The histograms made with makeExemplarHistogramProvider, by their METRIC key.
      const names = readFileSync(join(ROOT, 'libs', 'metrics', 'src', 'metric-names.ts'), 'utf8');
      const sources = ['libs/metrics/src/metrics.module.ts', ...readdirSync(join(ROOT, 'apps')).map((a) => `apps/${a}`)];
      const code = sources
        .flatMap((s) => {
          const path = join(ROOT, s);
          if (!statSync(path).isDirectory()) return [readFileSync(path, 'utf8')];
          const files: string[] = [];
          const walk = (dir: string) =>
            readdirSync(dir).forEach((e) =>
              statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : e.endsWith('.ts') && files.push(join(dir, e)),
            );
          walk(path);
          return files.map((f) => readFileSync(f, 'utf8'));
        })
        .join('\n');
      const keys = [...code.matchAll(/makeExemplarHistogramProvider\(\{\s*name: METRIC\.(\w+)/g)].map((m) => m[1]!);
      const withExemplars = keys.map((k) => new RegExp(`${k}: '([a-z_]+)'`).exec(names)![1]!);
      expect(withExemplars).toEqual(expect.arrayContaining(['dify_request_duration_seconds', 'weft_nats_handler_duration_seconds']));
      for (const metric of withExemplars) {
        const panels = reading(`${metric}_bucket`);
        expect([metric, panels.length > 0]).toEqual([metric, true]);
        for (const t of panels) expect([t.title, t.exemplar]).toEqual([t.title, true]);
      }
      const { datasources } = parseYamlDocuments(
        readFileSync(join(MONITORING_DIR, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
        'datasources',
      )[0] as {
        datasources: Array<{
          uid: string;
          type: string;
          jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }> };
        }>;
      };
      const prometheus = datasources.find((d) => d.type === 'prometheus')!;
      const links = prometheus.jsonData?.exemplarTraceIdDestinations ?? [];
      // The exemplar label the code writes (libs/metrics/src/exemplars.ts).
      expect(readFileSync(join(ROOT, 'libs', 'metrics', 'src', 'exemplars.ts'), 'utf8')).toContain('trace_id: span.traceId');
      expect(links.map((l) => l.name)).toEqual(['trace_id']);
      const target = datasources.find((d) => d.uid === links[0]!.datasourceUid);
      expect(['tempo', 'jaeger']).toContain(target?.type);
    });
  });

  it('docs/observability.md describes every Weft metric the dashboard and the rules read, and the links into it resolve', () => {
    const text = readFileSync(join(ROOT, 'docs', 'observability.md'), 'utf8');
    const { weft } = monitoredMetrics();
    const families = [...new Set(weft.map((name) => name.replace(/_(bucket|sum|count)$/, '')))];
    const defaults = /^(process|nodejs)_/;
    expect(families.filter((name) => !defaults.test(name) && name !== 'up' && !text.includes(`\`${name}\``))).toEqual([]);
    const anchors = new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1]!)));
    const links = ['operations.md', 'architecture.md', '../README.md']
      .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
      .concat(text)
      .flatMap((t) =>
        [...t.matchAll(/\]\((?:observability\.md)?#([a-z0-9-]+)\)/g)]
          .filter((m) => t === text || m[0].includes('observability.md'))
          .map((m) => m[1]!),
      );
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });
});
