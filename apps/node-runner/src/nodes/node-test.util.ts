import type { KnowledgeRetrieveRequest, KnowledgeSource } from './knowledge-retrieval/knowledge-retrieval.executor';
import type { DatasetProfile } from './knowledge-retrieval/knowledge-routing.util';
import type { ConversationTurn } from '@weft/contracts';
import type { ServerResponse } from 'node:http';
import type { AgentStep, NodeFailedOutcome, NodeJob, NodeOutcome } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { VariablePool } from '@weft/workflow';
import { randomUUID } from 'node:crypto';
import type { ToolFileScope, ToolFileStore } from '../files/tool-files.service';
import { UploadedFileNotFoundError, type UploadedFileContent, type UploadedFileSource } from '../files/uploaded-files.service';
import { normalizeMimeType, toolFileExtension, toolFileName, toolFileValue } from '../tools/tool-file.util';
import type { NodeRunnerConfig } from '../node-runner.config';
import { ChatProviderService } from '../providers/chat-providers.service';
import type { ProviderCredentials } from '../providers/provider-registry.util';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';
import type { NodeExecutionContext } from './node-job-executor.types';
import { testSandboxOptions } from '../sandbox/sandbox-test.util';

// Helpers for the node executor specs; not used by production code.

/** The parts of the node runner's config the executors read, with loopback allowed for local test servers. */
export function testConfig(overrides: { concurrency?: number } = {}): NodeRunnerConfig {
  return {
    code: testSandboxOptions({ timeoutMs: 2000 }),
    httpRequest: { maxResponseBytes: 1_000_000, maxTimeoutSeconds: 5, ssrfAllowedHosts: '127.0.0.1' },
    providers: { allowedHosts: '127.0.0.1' },
    models: { priceTable: { openai: { 'test-priced': { currency: 'USD', input: 1, output: 2, unit: 0.000001 } } } },
    templates: { timeoutMs: 2000, workers: 1 },
    tools: { fileMaxMb: 1, tavilyBaseUrl: 'http://127.0.0.1:9', timeoutSeconds: 5 },
    worker: { ackWaitMs: 30_000, concurrency: overrides.concurrency ?? 4 },
  } as unknown as NodeRunnerConfig;
}

/** The grant test jobs carry; node-runner unit tests never send it anywhere that checks it. */
export const TEST_JOB_GRANT = 'g1.test-job.grant';

/** A node job as the orchestrator sends it. */
export function testJob(
  nodeType: string,
  data: Record<string, unknown>,
  variables: Record<string, Record<string, unknown>> = {},
  history: ConversationTurn[] = [],
): NodeJob {
  return {
    appId: '7d2c1a8e-5b4f-4c3d-9e2a-1f0b3c4d5e6f',
    attempt: 0,
    data: { type: nodeType, title: nodeType, ...data },
    grant: TEST_JOB_GRANT,
    history,
    jobId: '0b7e3f52-8c1d-4a9e-b6f0-2d3c4e5f6a7b',
    nodeId: 'node1',
    nodeType,
    replyTo: 'orchestrator_1',
    runId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    timeoutMs: 30_000,
    variables,
    workspaceId: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
  };
}

/** The outputs of a succeeded outcome; a failed one fails the test with its error. */
export function outputsOf(outcome: NodeOutcome): Record<string, unknown> {
  if (outcome.status === 'failed') throw new Error(`Expected the node to succeed; it failed with ${outcome.errorType}: ${outcome.error}`);
  return outcome.outputs;
}

/** A failed outcome, narrowed; a succeeded one fails the test. */
export function failureOf(outcome: NodeOutcome): NodeFailedOutcome {
  if (outcome.status === 'succeeded') throw new Error(`Expected the node to fail; it succeeded with ${JSON.stringify(outcome.outputs)}`);
  return outcome;
}

/** An execution context over `job.variables`, collecting streamed chunks. */
export function testContext(
  job: NodeJob,
  signal: AbortSignal = new AbortController().signal,
): NodeExecutionContext & { chunks: string[]; steps: AgentStep[]; sent: ({ text: string } | { step: AgentStep })[] } {
  const chunks: string[] = [];
  const steps: AgentStep[] = [];
  const sent: ({ text: string } | { step: AgentStep })[] = [];
  return {
    chunks,
    emitChunk: (text) => (chunks.push(text), sent.push({ text })),
    emitStep: (step) => (steps.push(step), sent.push({ step })),
    sent,
    steps,
    pool: VariablePool.fromSnapshot({ version: 1, variables: job.variables }),
    signal,
  };
}

/** Real provider plumbing whose credentials lookup answers from `stored` instead of the gateway; counts lookups. */
export function testChatProviders(stored: Record<string, ProviderCredentials> = {}): { providers: ChatProviderService; lookups: string[] } {
  const lookups: string[] = [];
  const bus = {
    request: async (_subject: string, payload: { provider: string }) => {
      lookups.push(payload.provider);
      return { credentials: (stored[payload.provider] as Record<string, string> | undefined) ?? null };
    },
  } as unknown as MessageBus;
  return { lookups, providers: new ChatProviderService(testConfig(), new ProviderCredentialsService(bus)) };
}

/** Writes an OpenAI chat-completion reply, as SSE chunks when the request asked to stream. */
export function replyOpenAi(
  res: ServerResponse,
  request: Record<string, unknown>,
  message: { content?: string; tool_calls?: unknown[] },
  usage = { prompt_tokens: 20, completion_tokens: 4 },
): void {
  if (request['stream'] !== true) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  const pieces = (message.content ?? '').match(/\S+\s*/g) ?? [];
  for (const piece of pieces)
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
  // Tool calls stream as OpenAI sends them: each call's id and name first, its arguments after.
  (message.tool_calls ?? []).forEach((call, index) => {
    const { function: fn, ...rest } = call as { function: { arguments: string; name: string } };
    const delta = (toolCall: Record<string, unknown>) => ({
      choices: [{ index: 0, delta: { tool_calls: [toolCall] }, finish_reason: null }],
    });
    res.write(`data: ${JSON.stringify(delta({ ...rest, function: { arguments: '', name: fn.name }, index }))}\n\n`);
    res.write(`data: ${JSON.stringify(delta({ function: { arguments: fn.arguments }, index }))}\n\n`);
  });
  const finish = message.tool_calls ? 'tool_calls' : 'stop';
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** Uploaded files answered from `stored` (keyed `workspaceId/uploadFileId`) instead of the gateway and the file store; records reads. */
export function testUploads(stored: Record<string, Omit<UploadedFileContent, 'size'>> = {}): UploadedFileSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (workspaceId, uploadFileId) => {
      reads.push(`${workspaceId}/${uploadFileId}`);
      const file = stored[`${workspaceId}/${uploadFileId}`];
      if (!file) throw new UploadedFileNotFoundError(uploadFileId);
      return { ...file, size: file.data.length };
    },
  };
}

/**
 * Tool files kept in memory instead of the file store and the gateway, keyed `workspaceId/id`, with what each
 * was saved for (`saved`); `read` answers only within the workspace that saved the file.
 */
export function testToolFiles(): ToolFileStore & { saved: { bytes: Buffer; id: string; scope: ToolFileScope }[] } {
  const saved: { bytes: Buffer; id: string; mimeType: string; name: string; scope: ToolFileScope }[] = [];
  return {
    read: async (workspaceId, id) => {
      const file = saved.find((f) => f.id === id && f.scope.workspaceId === workspaceId);
      if (!file) throw new UploadedFileNotFoundError(id);
      return {
        data: file.bytes,
        extension: toolFileExtension(file.mimeType).slice(1),
        mimeType: file.mimeType,
        name: file.name,
        size: file.bytes.length,
      };
    },
    save: async (scope, bytes, meta) => {
      const id = randomUUID();
      const mimeType = normalizeMimeType(meta.mimeType);
      const extension = toolFileExtension(mimeType);
      const name = toolFileName(id, extension, meta.filename);
      saved.push({ bytes, id, mimeType, name, scope });
      return toolFileValue({ extension, id, mimeType, name, size: bytes.length, url: `/files/tools/${id}${extension}?sign=test` });
    },
    saved,
  };
}

/** A knowledge source answering fixed records and dataset profiles, recording each retrieval. */
export function testKnowledge(
  records: Record<string, unknown>[] = [],
  profiles: DatasetProfile[] = [],
): KnowledgeSource & { requests: KnowledgeRetrieveRequest[] } {
  const requests: KnowledgeRetrieveRequest[] = [];
  return {
    profiles: (_workspaceId, ids) => Promise.resolve(profiles.filter((p) => ids.includes(p.id))),
    requests,
    retrieve: (request) => {
      requests.push(request);
      return Promise.resolve({ records });
    },
  };
}
