import type { RunRecord, RunStreamEvent } from '@weft/contracts';
import { z } from 'zod';
import { numberedPage } from '../docs/common.dto';

const FileSchema = z
  .object({
    transfer_method: z.enum(['remote_url', 'local_file']),
    type: z.enum(['image', 'document', 'audio', 'video', 'custom']),
    upload_file_id: z.string().max(100).optional(),
    url: z.string().max(4000).optional(),
  })
  .passthrough();

/** `POST /v1/workflows/run` (and `/v1/workflows/{workflow_id}/run`). */
export const WorkflowRunRequestSchema = z.object({
  files: z.array(FileSchema).max(100).optional(),
  inputs: z.record(z.string(), z.unknown(), { invalid_type_error: 'inputs must be an object' }),
  response_mode: z.enum(['blocking', 'streaming']).nullish(),
  trace_id: z.string().max(200).optional(),
  user: z.string({ required_error: 'Arg user must be provided.' }).min(1, 'Arg user must be provided.').max(255),
});

/** `POST /v1/workflows/tasks/{task_id}/stop`. */
export const StopRequestSchema = z.object({ user: z.string({ required_error: 'Arg user must be provided.' }).min(1).max(255) });

/** `GET /v1/workflows/logs` query. */
export const LogsQuerySchema = z.object({
  created_at__after: z.string().datetime({ offset: true }).optional(),
  created_at__before: z.string().datetime({ offset: true }).optional(),
  created_by_account: z.string().max(254).optional(),
  created_by_end_user_session_id: z.string().max(255).optional(),
  keyword: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  page: z.coerce.number().int().min(1).max(99_999).default(1),
  status: z.enum(['succeeded', 'failed', 'stopped']).optional(),
});

/** `GET /v1/workflow/{run_id}/events` query: the end user the run belongs to. */
/** Dify reads these flags as true only when they say "true" (any letter case). */
const flag = z
  .string()
  .max(10)
  .optional()
  .transform((v) => v?.toLowerCase() === 'true');

export const RunEventsQuerySchema = z.object({
  user: z
    .string({ invalid_type_error: 'Arg user must be provided.', required_error: 'Arg user must be provided.' })
    .min(1, 'Arg user must be provided.')
    .max(255),
  /** Replay what the run has done so far (its start and its nodes) before the live events. */
  include_state_snapshot: flag,
  /** Keep the stream open across pauses; Weft's runs do not pause (no human-input node), so it changes nothing. */
  continue_on_pause: flag,
});

const runData = {
  created_at: z.number().int(),
  elapsed_time: z.number(),
  error: z.string().nullable(),
  finished_at: z.number().int().nullable(),
  id: z.string().uuid(),
  status: z.string(),
  total_steps: z.number().int(),
  total_tokens: z.number().int(),
};

/** The blocking answer of `POST /v1/workflows/run`. */
export const BlockingRunResponseSchema = z.object({
  data: z.object({ ...runData, outputs: z.record(z.string(), z.unknown()).nullable(), workflow_id: z.string().uuid() }),
  task_id: z.string().uuid(),
  workflow_run_id: z.string().uuid(),
});
export type BlockingRunResponse = z.infer<typeof BlockingRunResponseSchema>;

/** `GET /v1/workflows/run/{id}`. */
export const RunDetailSchema = z.object({
  ...runData,
  inputs: z.string(),
  outputs: z.record(z.string(), z.unknown()),
  workflow_id: z.string().uuid(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/** One entry of `GET /v1/workflows/logs`. */
export const LogEntrySchema = z.object({
  created_at: z.number().int(),
  created_by_account: z.object({ email: z.string().nullable(), id: z.string(), name: z.string().nullable() }).nullable(),
  created_by_end_user: z
    .object({ id: z.string(), is_anonymous: z.boolean(), session_id: z.string().nullable(), type: z.string() })
    .nullable(),
  created_by_role: z.string(),
  created_from: z.string(),
  details: z.null(),
  id: z.string().uuid(),
  workflow_run: z.object({ ...runData, exceptions_count: z.number().int(), triggered_from: z.string(), version: z.string() }),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;
export const LogPageSchema = numberedPage(LogEntrySchema);
export type LogPage = z.infer<typeof LogPageSchema>;

/** The blocking answer: `{task_id, workflow_run_id, data}` from the run's `workflow_finished` event. */
export function toBlockingResponse(finished: RunStreamEvent): BlockingRunResponse {
  const data = finished['data'] as Record<string, unknown>;
  return {
    data: {
      created_at: data['created_at'] as number,
      elapsed_time: data['elapsed_time'] as number,
      error: data['error'] as string | null,
      finished_at: data['finished_at'] as number | null,
      id: data['id'] as string,
      outputs: data['outputs'] as Record<string, unknown> | null,
      status: data['status'] as string,
      total_steps: data['total_steps'] as number,
      total_tokens: data['total_tokens'] as number,
      workflow_id: data['workflow_id'] as string,
    },
    task_id: finished['task_id'] as string,
    workflow_run_id: finished['workflow_run_id'] as string,
  };
}

/** `GET /v1/workflows/run/{id}`, with Dify's quirk: `inputs` is a JSON string; `outputs` is `{}` until the run ends. */
export function toRunDetail(run: RunRecord): RunDetail {
  return {
    created_at: run.created_at,
    elapsed_time: run.elapsed_time,
    error: run.error,
    finished_at: run.finished_at,
    id: run.id,
    inputs: JSON.stringify(run.inputs),
    outputs: run.outputs ?? {},
    status: run.status,
    total_steps: run.total_steps,
    total_tokens: run.total_tokens,
    workflow_id: run.workflow_id,
  };
}

/** One entry of `GET /v1/workflows/logs`. */
export function toLogEntry(run: RunRecord, members: ReadonlyMap<string, { email: string; name: string }>): LogEntry {
  const account = run.created_by_account_id ? members.get(run.created_by_account_id) : undefined;
  return {
    created_at: run.created_at,
    created_by_account: run.created_by_account_id
      ? { email: account?.email ?? null, id: run.created_by_account_id, name: account?.name ?? null }
      : null,
    created_by_end_user: run.created_by_end_user_id
      ? { id: run.created_by_end_user_id, is_anonymous: false, session_id: run.created_by_end_user_session_id, type: 'service_api' }
      : null,
    created_by_role: run.created_by_role,
    created_from: run.created_from,
    details: null,
    id: run.id,
    workflow_run: {
      created_at: run.created_at,
      elapsed_time: run.elapsed_time,
      error: run.error,
      exceptions_count: run.exceptions_count,
      finished_at: run.finished_at,
      id: run.id,
      status: run.status,
      total_steps: run.total_steps,
      total_tokens: run.total_tokens,
      triggered_from: 'app-run',
      version: run.version,
    },
  };
}
