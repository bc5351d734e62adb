import { randomUUID } from 'node:crypto';
import type { StartRunRequest } from '@weft/contracts';

/**
 * A `wf.run.start.v1` request as the gateway sends it for a Service API workflow run (first attempt, no audit
 * event, an end user, fresh run and task ids), for tests that start runs on the orchestrator directly; pass
 * what the test is about (the app, a chat turn, the attempt, another creator).
 */
export function startRunRequest(fields: Pick<StartRunRequest, 'appId' | 'workspaceId'> & Partial<StartRunRequest>): StartRunRequest {
  return {
    attempt: 1,
    audit: null,
    chat: null,
    createdFrom: 'service-api',
    creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'ada' },
    files: [],
    inputs: {},
    runId: randomUUID(),
    taskId: randomUUID(),
    workflowId: null,
    ...fields,
  };
}
