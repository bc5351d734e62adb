import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { METRIC } from './metric-names';

// Model calls take from a few hundred milliseconds to minutes (a long streamed answer, an agent's turn).
const MODEL_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
// Pure nodes take microseconds; a node runner's node up to its timeout.
const NODE_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Longest model name kept as a label value; longer ones are cut. */
export const MODEL_LABEL_MAX_LENGTH = 64;
/** Distinct model label values one process reports; later ones are reported as "other". */
export const MODEL_LABEL_MAX_VALUES = 50;

/**
 * Keeps the `model` label bounded: model names come from app editors (any string an OpenAI-compatible server
 * accepts), so each is lowercased, stripped to `[a-z0-9._:/-]`, cut to 64 characters, and once a process has
 * reported 50 distinct names every new one is "other". Names already seen keep their own series.
 */
export class ModelLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly maxValues = MODEL_LABEL_MAX_VALUES) {}

  label(model: string): string {
    const normal =
      model
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9._:/-]+/g, '_')
        .slice(0, MODEL_LABEL_MAX_LENGTH) || 'unknown';
    if (this.seen.has(normal)) return normal;
    if (this.seen.size >= this.maxValues) return 'other';
    this.seen.add(normal);
    return normal;
  }
}

/** The model call metrics' providers, for the service that calls models (the node runner). */
export const modelMetricProviders = [
  makeCounterProvider({
    name: METRIC.llmTokens,
    help: 'Model tokens by provider, model (normalised, at most 50 per process) and type (prompt or completion)',
    labelNames: ['provider', 'model', 'type'],
  }),
  makeHistogramProvider({
    name: METRIC.llmRequestDuration,
    help: 'Model call duration (a whole streamed answer included) by provider and model',
    labelNames: ['provider', 'model'],
    buckets: MODEL_BUCKETS,
  }),
];

/** The node duration histogram's provider, for the service that drives runs (the orchestrator). */
export const nodeMetricProviders = [
  makeHistogramProvider({
    name: METRIC.nodeDuration,
    help: 'Node execution duration by node type and status, node runner jobs included',
    labelNames: ['node_type', 'status'],
    buckets: NODE_BUCKETS,
  }),
];

/** What a model call reports to the metrics. */
export interface ModelCallObservation {
  completionTokens: number;
  model: string;
  promptTokens: number;
  provider: string;
  seconds: number;
}

/** Counts tokens and times model calls per provider and model (`dify_llm_tokens_total`, `dify_llm_request_duration_seconds`). */
@Injectable()
export class ModelMetrics {
  private readonly models = new ModelLabels();

  constructor(
    @InjectMetric(METRIC.llmTokens) private readonly tokens: Counter<string>,
    @InjectMetric(METRIC.llmRequestDuration) private readonly duration: Histogram<string>,
  ) {}

  observe(call: ModelCallObservation): void {
    // Label order as the metric declares them: provider, model (prom-client prints them in this order).
    const labels = { provider: call.provider, model: this.models.label(call.model) };
    if (call.promptTokens > 0) this.tokens.inc({ ...labels, type: 'prompt' }, call.promptTokens);
    if (call.completionTokens > 0) this.tokens.inc({ ...labels, type: 'completion' }, call.completionTokens);
    this.duration.observe(labels, call.seconds);
  }
}
