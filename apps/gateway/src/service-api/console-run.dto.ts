import { RUN_STATUSES, type RunRecord, type RunStreamEvent } from '@weft/contracts';
import { z } from 'zod';
import { dataList, epochSeconds, keysetPage } from '../docs/common.dto';

const json = z.record(z.string(), z.unknown());

/** `GET /console/api/apps/{app_id}/workflow-runs` query (Dify's console names; times in epoch seconds). */
export const ConsoleRunsQuerySchema = z.object({
  created_at__after: z.coerce.number().int().min(0).max(99_999_999_999).optional(),
  created_at__before: z.coerce.number().int().min(0).max(99_999_999_999).optional(),
  end_user: z.string().min(1).max(255).optional(),
  keyword: z.string().min(1).max(200).optional(),
  last_id: z.string().uuid('last_id must be a run id').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(RUN_STATUSES).optional(),
});
export type ConsoleRunsQuery = z.infer<typeof ConsoleRunsQuerySchema>;

const createdByEndUser = z.object({ id: z.string(), session_id: z.string().nullable() }).nullable();

/** One run of the console's run list. */
export const ConsoleRunItemSchema = z.object({
  created_at: epochSeconds,
  created_by_account: z.object({ id: z.string() }).nullable(),
  created_by_end_user: createdByEndUser,
  created_from: z.string(),
  elapsed_time: z.number(),
  error: z.string().nullable(),
  exceptions_count: z.number().int(),
  finished_at: epochSeconds.nullable(),
  id: z.string().uuid(),
  inputs: json,
  status: z.enum(RUN_STATUSES),
  total_steps: z.number().int(),
  total_tokens: z.number().int(),
  triggered_from: z.string(),
});
export type ConsoleRunItem = z.infer<typeof ConsoleRunItemSchema>;
export const ConsoleRunPageSchema = keysetPage(ConsoleRunItemSchema);
export type ConsoleRunPage = z.infer<typeof ConsoleRunPageSchema>;

/** The DSL graph of the workflow version a run used, as the editor draws it. */
export const ConsoleGraphSchema = z.object({
  edges: z.array(
    z
      .object({
        id: z.string(),
        source: z.string(),
        sourceHandle: z.string().nullable(),
        target: z.string(),
        targetHandle: z.string().nullable(),
      })
      .passthrough(),
  ),
  nodes: z.array(
    z
      .object({
        data: z.object({ title: z.string(), type: z.string() }).passthrough(),
        id: z.string(),
        position: z.object({ x: z.number(), y: z.number() }).optional(),
      })
      .passthrough(),
  ),
});
export type ConsoleGraph = z.infer<typeof ConsoleGraphSchema>;

/** `GET /console/api/apps/{app_id}/workflow-runs/{run_id}`. */
export const ConsoleRunDetailSchema = z.object({
  created_at: epochSeconds,
  created_by_end_user: createdByEndUser,
  currency: z.string().nullable(),
  elapsed_time: z.number(),
  error: z.string().nullable(),
  exceptions_count: z.number().int(),
  finished_at: epochSeconds.nullable(),
  graph: ConsoleGraphSchema,
  id: z.string().uuid(),
  inputs: json,
  outputs: json.nullable(),
  status: z.enum(RUN_STATUSES),
  total_price: z.number(),
  total_steps: z.number().int(),
  total_tokens: z.number().int(),
  /** The W3C trace id of the run's first span, when tracing was on. */
  trace_id: z.string().nullable(),
  triggered_from: z.string(),
  workflow_id: z.string().uuid(),
});
export type ConsoleRunDetail = z.infer<typeof ConsoleRunDetailSchema>;

/** Where a node ran inside a container, its cost and its retries, as stored. */
const ExecutionMetadataSchema = z
  .object({
    currency: z.string().optional(),
    iteration_id: z.string().nullable().optional(),
    iteration_index: z.number().nullable().optional(),
    loop_id: z.string().nullable().optional(),
    loop_index: z.number().nullable().optional(),
    parallel_id: z.string().nullable().optional(),
    parallel_start_node_id: z.string().nullable().optional(),
    retry_index: z.number().optional(),
    total_price: z.union([z.number(), z.string()]).optional(),
    total_tokens: z.number().optional(),
  })
  .passthrough()
  .nullable();

/** One node execution of a run (secrets masked as stored). */
export const ConsoleNodeExecutionSchema = z.object({
  created_at: epochSeconds,
  elapsed_time: z.number(),
  error: z.string().nullable(),
  execution_metadata: ExecutionMetadataSchema,
  finished_at: epochSeconds.nullable(),
  id: z.string(),
  index: z.number().int(),
  inputs: json.nullable(),
  node_id: z.string(),
  node_type: z.string(),
  outputs: json.nullable(),
  predecessor_node_id: z.string().nullable(),
  process_data: json.nullable(),
  status: z.string(),
  title: z.string(),
});
export type ConsoleNodeExecution = z.infer<typeof ConsoleNodeExecutionSchema>;
export const ConsoleNodeExecutionListSchema = dataList(ConsoleNodeExecutionSchema);
export type ConsoleNodeExecutionList = z.infer<typeof ConsoleNodeExecutionListSchema>;

function createdByEndUserOf(run: RunRecord): ConsoleRunItem['created_by_end_user'] {
  return run.created_by_end_user_id ? { id: run.created_by_end_user_id, session_id: run.created_by_end_user_session_id } : null;
}

/** A run as the console's list shows it. */
export function toConsoleRunItem(run: RunRecord): ConsoleRunItem {
  return {
    created_at: run.created_at,
    created_by_account: run.created_by_account_id ? { id: run.created_by_account_id } : null,
    created_by_end_user: createdByEndUserOf(run),
    created_from: run.created_from,
    elapsed_time: run.elapsed_time,
    error: run.error,
    exceptions_count: run.exceptions_count,
    finished_at: run.finished_at,
    id: run.id,
    inputs: run.inputs as Record<string, unknown>,
    status: run.status,
    total_steps: run.total_steps,
    total_tokens: run.total_tokens,
    triggered_from: run.triggered_from,
  };
}

/** A node execution from its stored `node_finished` event data. */
export function toConsoleNodeExecution(event: unknown): ConsoleNodeExecution {
  const d = ((event as RunStreamEvent)['data'] ?? {}) as Record<string, unknown>;
  return {
    created_at: Number(d['created_at'] ?? 0),
    elapsed_time: Number(d['elapsed_time'] ?? 0),
    error: (d['error'] as string | null | undefined) ?? null,
    execution_metadata: (d['execution_metadata'] as ConsoleNodeExecution['execution_metadata'] | undefined) ?? null,
    finished_at: (d['finished_at'] as number | null | undefined) ?? null,
    id: String(d['id']),
    index: Number(d['index'] ?? 0),
    inputs: (d['inputs'] as Record<string, unknown> | null | undefined) ?? null,
    node_id: String(d['node_id']),
    node_type: String(d['node_type']),
    outputs: (d['outputs'] as Record<string, unknown> | null | undefined) ?? null,
    predecessor_node_id: (d['predecessor_node_id'] as string | null | undefined) ?? null,
    process_data: (d['process_data'] as Record<string, unknown> | null | undefined) ?? null,
    status: String(d['status']),
    title: String(d['title'] ?? ''),
  };
}

/** The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null): string | null {
  const id = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent)?.[1] : undefined;
  return id && !/^0+$/.test(id) ? id : null;
}

/** The `workflow.graph` of a DSL document, reduced to what the console draws; an app without one draws nothing. */
export function graphOf(document: unknown): ConsoleGraph {
  const workflow = (document as { workflow?: { graph?: { edges?: unknown; nodes?: unknown } } } | null)?.workflow;
  const nodes = Array.isArray(workflow?.graph?.nodes) ? (workflow.graph.nodes as Record<string, unknown>[]) : [];
  const edges = Array.isArray(workflow?.graph?.edges) ? (workflow.graph.edges as Record<string, unknown>[]) : [];
  return {
    edges: edges.map((e) => ({
      ...e,
      id: String(e['id'] ?? `${String(e['source'])}-${String(e['target'])}`),
      source: String(e['source']),
      sourceHandle: (e['sourceHandle'] as string | null | undefined) ?? null,
      target: String(e['target']),
      targetHandle: (e['targetHandle'] as string | null | undefined) ?? null,
    })),
    nodes: nodes.map((n) => {
      const data = (n['data'] ?? {}) as Record<string, unknown>;
      return { ...n, data: { ...data, title: String(data['title'] ?? ''), type: String(data['type'] ?? '') }, id: String(n['id']) };
    }),
  };
}

/** The summed price of a run's nodes, and their currency (the first one named). */
export function priceOf(nodes: readonly ConsoleNodeExecution[]): { currency: string | null; total_price: number } {
  let total = 0;
  let currency: string | null = null;
  for (const n of nodes) {
    const price = Number(n.execution_metadata?.total_price ?? 0);
    if (Number.isFinite(price)) total += price;
    currency ??= n.execution_metadata?.currency ?? null;
  }
  return { currency, total_price: Math.round(total * 1e7) / 1e7 };
}
