import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './deploy-tools.util';
import { parseYamlDocuments } from './manifests.util';

export const MONITORING_DIR = join(ROOT, 'deploy', 'monitoring');
export const RULES_DIR = join(MONITORING_DIR, 'rules');
export const DASHBOARDS_DIR = join(MONITORING_DIR, 'grafana', 'dashboards');

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export function ruleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(RULES_DIR, f));
}

export function ruleGroups(): RuleGroup[] {
  return ruleFiles().flatMap((file) => (parseYamlDocuments(readFileSync(file, 'utf8'), file)[0] as { groups: RuleGroup[] }).groups);
}

export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(DASHBOARDS_DIR, f));
}

interface Panel {
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every PromQL expression of a Grafana dashboard: panel targets (rows included) and query variables. */
export function dashboardExpressions(dashboard: {
  panels?: Panel[];
  templating?: { list?: Array<{ query?: unknown; definition?: string }> };
}): string[] {
  const fromPanels = (panels: Panel[] = []): string[] =>
    panels.flatMap((p) => [...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])), ...fromPanels(p.panels)]);
  const fromVariables = (dashboard.templating?.list ?? []).flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : ((v.query as { query?: string } | undefined)?.query ?? v.definition ?? '');
    const m = /^label_values\(\s*([^,)]+)\s*,/.exec(query);
    return m ? [m[1]!] : query && !query.startsWith('label_values(') ? [query] : [];
  });
  return [...fromPanels(dashboard.panels), ...fromVariables];
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names a PromQL expression reads. Strings, label matchers, ranges, grouping clauses and
 * function names are removed first; what remains that looks like a name is a metric (or a recorded
 * series, which contains a colon).
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/#.*$/gm, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const rest = stripped.slice(m.index! + name.length);
    if (/^\s*\(/.test(rest)) continue;
    if (PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    // Exponents and durations such as 1e9 or 5m never start a name; digits before a name mean a number.
    if (m.index! > 0 && /[0-9.]/.test(stripped[m.index! - 1]!)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/**
 * Where each metric family the dashboard and the rules read comes from, when it is not Weft's own.
 * These exporters are deployed beside the infrastructure (deploy/compose, deploy/k8s/infra); their
 * metric names are taken from each exporter's documentation and cannot be scraped in npm test.
 */
export const EXPORTER_METRICS: Record<string, { exporter: string; job: string }> = {
  // CloudNativePG's instance manager exports it on 9187 of every instance (production; job postgres by the pods' label).
  cnpg_collector_up: { exporter: 'CloudNativePG instance manager', job: 'postgres' },
  gnatsd_varz_connections: { exporter: 'prometheus-nats-exporter (-varz)', job: 'nats' },
  jetstream_consumer_num_ack_pending: { exporter: 'prometheus-nats-exporter (-jsz=all)', job: 'nats' },
  jetstream_consumer_num_pending: { exporter: 'prometheus-nats-exporter (-jsz=all)', job: 'nats' },
  kubelet_volume_stats_available_bytes: { exporter: 'kubelet (Kubernetes only)', job: 'kubelet' },
  kubelet_volume_stats_capacity_bytes: { exporter: 'kubelet (Kubernetes only)', job: 'kubelet' },
  node_filesystem_avail_bytes: { exporter: 'node_exporter (Compose)', job: 'node' },
  node_filesystem_size_bytes: { exporter: 'node_exporter (Compose)', job: 'node' },
  pg_up: { exporter: 'postgres_exporter', job: 'postgres' },
  redis_up: { exporter: 'redis_exporter', job: 'redis' },
  up: { exporter: 'Prometheus itself (one per scrape target)', job: '*' },
};

/** Every metric read by the alert rules and the dashboards, recorded series resolved to what they read. */
export function monitoredMetrics(): { weft: string[]; exporters: string[]; recorded: string[] } {
  const groups = ruleGroups();
  const recorded = groups.flatMap((g) => g.rules.filter((r) => r.record).map((r) => r.record!));
  const expressions = [
    ...groups.flatMap((g) => g.rules.map((r) => r.expr)),
    ...dashboardFiles().flatMap((f) => dashboardExpressions(JSON.parse(readFileSync(f, 'utf8')))),
  ];
  const names = new Set(expressions.flatMap(metricNamesIn));
  const metrics = [...names].filter((n) => !recorded.includes(n));
  return {
    exporters: metrics.filter((n) => n in EXPORTER_METRICS).sort(),
    recorded: recorded.filter((n) => names.has(n)).sort(),
    weft: metrics.filter((n) => !(n in EXPORTER_METRICS)).sort(),
  };
}

/** Families of a Prometheus text exposition: name -> type, from its `# TYPE` lines. */
export function exposedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1]!, m[2]!);
  return families;
}

/** Whether a metric name a query uses is exposed: a family itself, or a histogram's or summary's series. */
export function isExposed(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  const m = /^(.+)_(bucket|sum|count)$/.exec(name);
  if (!m) return false;
  const type = families.get(m[1]!);
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket');
}
