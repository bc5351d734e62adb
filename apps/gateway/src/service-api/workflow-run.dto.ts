import type { RunRecord, RunStreamEvent } from '@weft/contracts';
import { z } from 'zod';

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

/** The blocking answer: `{task_id, workflow_run_id, data}` from the run's `workflow_finished` event. */
export function toBlockingResponse(finished: RunStreamEvent): Record<string, unknown> {
  const data = finished['data'] as Record<string, unknown>;
  return {
    data: {
      created_at: data['created_at'],
      elapsed_time: data['elapsed_time'],
      error: data['error'],
      finished_at: data['finished_at'],
      id: data['id'],
      outputs: data['outputs'],
      status: data['status'],
      total_steps: data['total_steps'],
      total_tokens: data['total_tokens'],
      workflow_id: data['workflow_id'],
    },
    task_id: finished['task_id'],
    workflow_run_id: finished['workflow_run_id'],
  };
}

/** `GET /v1/workflows/run/{id}`, with Dify's quirk: `inputs` is a JSON string; `outputs` is `{}` until the run ends. */
export function toRunDetail(run: RunRecord): Record<string, unknown> {
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
export function toLogEntry(run: RunRecord, members: ReadonlyMap<string, { email: string; name: string }>): Record<string, unknown> {
  const account = run.created_by_account_id ? members.get(run.created_by_account_id) : undefined;
  return {
    created_at: run.created_at,
    created_by_account: run.created_by_account_id ? { email: account?.email ?? null, id: run.created_by_account_id, name: account?.name ?? null } : null,
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
