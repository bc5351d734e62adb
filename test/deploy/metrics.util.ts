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

/** The index just past the string literal that starts at `i`. */
function skipString(expr: string, i: number): number {
  const quote = expr[i]!;
  let j = i + 1;
  while (j < expr.length && expr[j] !== quote) j += expr[j] === '\\' && quote !== '`' ? 2 : 1;
  return j + 1;
}

/** The index just past the `{…}` or `[…]` that starts at `i`, strings inside it skipped. */
function skipBlock(expr: string, i: number): number {
  const close = expr[i] === '{' ? '}' : ']';
  let j = i + 1;
  while (j < expr.length && expr[j] !== close) j = /["'`]/.test(expr[j]!) ? skipString(expr, j) : j + 1;
  return j + 1;
}

/** The vector selectors of a PromQL expression: each metric name with its label matchers (`{…}` text, '' when none). */
export function selectorsIn(expr: string): Array<{ name: string; matchers: string }> {
  const selectors: Array<{ name: string; matchers: string }> = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/["'`]/.test(c)) i = skipString(expr, i);
    else if (c === '[' || c === '{') i = skipBlock(expr, i);
    else if (/[A-Za-z_:]/.test(c) && !(i > 0 && /[0-9.A-Za-z_]/.test(expr[i - 1]!))) {
      const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))![0];
      const after = expr.slice(i + name.length);
      i += name.length;
      if (/^\s*\(/.test(after) || /^\s+(by|without)\s*\(/.test(after) || PROMQL_KEYWORDS.has(name.toLowerCase())) {
        // A grouping or matching clause lists labels, not metrics.
        if (/^(by|without|on|ignoring|group_left|group_right)$/i.test(name) && /^\s*\(/.test(after)) i = expr.indexOf(')', i) + 1;
        continue;
      }
      let matchers = '';
      if (after.startsWith('{')) {
        const end = skipBlock(expr, i);
        matchers = expr.slice(i + 1, end - 1);
        i = end;
      }
      selectors.push({ name, matchers });
    } else i++;
  }
  return selectors;
}

const AGGREGATIONS = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile'];

/**
 * Every aggregation of a PromQL expression with the labels it keeps: `by (…)` (before or after its
 * argument) lists them, `without (…)` keeps all but those; an aggregation with neither keeps none.
 */
export function aggregationsIn(expr: string): Array<{ op: string; by?: string[]; without?: string[] }> {
  const found: Array<{ op: string; by?: string[]; without?: string[] }> = [];
  const labels = (list: string) =>
    list
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
  const pattern = new RegExp(`\\b(${AGGREGATIONS.join('|')})\\s*(?:(by|without)\\s*\\(([^)]*)\\)\\s*)?\\(`, 'g');
  const text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of text.matchAll(pattern)) {
    if (m.index! > 0 && /[A-Za-z0-9_:]/.test(text[m.index! - 1]!)) continue;
    let clause = m[2];
    let list = m[3];
    if (!clause) {
      // The grouping clause may follow the argument: sum(x) by (job).
      let depth = 1;
      let j = m.index! + m[0].length;
      for (; j < text.length && depth > 0; j++) depth += text[j] === '(' ? 1 : text[j] === ')' ? -1 : 0;
      const post = /^\s*(by|without)\s*\(([^)]*)\)/.exec(text.slice(j));
      if (post) [clause, list] = [post[1], post[2]];
    }
    found.push(
      clause === 'by' ? { op: m[1]!, by: labels(list!) } : clause === 'without' ? { op: m[1]!, without: labels(list!) } : { op: m[1]! },
    );
  }
  return found;
}
