import { createHash } from 'node:crypto';
import type { AgentStep, AgentThoughtRecord, ChatTurn, RunStreamEvent } from '@weft/contracts';
import { isPlainObject } from '@weft/workflow';
import type { NodeExecutionRecord, RunResult } from '../engine/engine.types';
import { workflowFinished } from './run-events.util';
import type { RunRow } from './run.repository';

/** A chat-family run: a run row with the turn it answers. */
export type ChatRunRow = RunRow & { chat: ChatTurn };

/** Event types of the workflow underneath; classic chat and completion apps do not show them. */
const WORKFLOW_EVENTS = new Set([
  'workflow_started',
  'workflow_finished',
  'node_started',
  'node_finished',
  'node_retry',
  'text_chunk',
  'iteration_started',
  'iteration_next',
  'iteration_completed',
  'loop_started',
  'loop_next',
  'loop_completed',
  'agent_log',
]);

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Shapes an event for a chat-family stream: every chunk carries `conversation_id` (not for completion
 * apps), `message_id` and `created_at`; classic apps (chat, agent-chat, completion) see no workflow
 * events at all, as in Dify. Returns null for an event the app's clients do not get.
 */
export function chatEvent(run: ChatRunRow, event: RunStreamEvent): RunStreamEvent | null {
  const { chat } = run;
  if (chat.mode !== 'advanced-chat' && WORKFLOW_EVENTS.has(event.event)) return null;
  return {
    ...event,
    ...(chat.mode === 'completion' ? {} : { conversation_id: chat.conversationId }),
    created_at: seconds(run.createdAt.getTime()),
    message_id: chat.messageId,
  };
}

/** A `message` chunk of the answer (`agent_message` for agent apps). */
export function messageChunk(run: ChatRunRow, answer: string): RunStreamEvent {
  return {
    answer,
    event: run.chat.mode === 'agent-chat' ? 'agent_message' : 'message',
    from_variable_selector: null,
    id: run.chat.messageId,
    task_id: run.taskId,
  };
}

/**
 * The id of one thought of a message (Dify's `MessageAgentThought.id`): the same for every update of the
 * thought, for a job delivered again and for the stored message, so a client updates a thought in place and
 * nothing is counted twice.
 */
export function agentThoughtId(messageId: string, position: number): string {
  const hex = createHash('sha256').update(`agent-thought:${messageId}:${position}`).digest('hex');
  // Shaped as a version 8 (custom) UUID with the RFC 4122 variant, so Dify clients that parse ids accept it.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A thought's fields in Dify's shape: the tools of the turn joined by `;`, their inputs and (once they came)
 * observations as JSON text keyed by tool name, empty strings for a turn that called no tool; each tool
 * labelled with its name (Dify falls back to the name when it has no label for the tool).
 */
export function agentThoughtFields(step: AgentStep): {
  observation: string;
  position: number;
  thought: string;
  tool: string;
  tool_input: string;
  tool_labels: Record<string, { en_US: string; zh_Hans: string }>;
} {
  const tools = step.tools;
  const answered = tools.filter((tool) => tool.observation !== null);
  return {
    observation: answered.length > 0 ? JSON.stringify(Object.fromEntries(answered.map((tool) => [tool.name, tool.observation]))) : '',
    position: step.position,
    thought: step.thought,
    tool: tools.map((tool) => tool.name).join(';'),
    tool_input: tools.length > 0 ? JSON.stringify(Object.fromEntries(tools.map((tool) => [tool.name, tool.input]))) : '',
    tool_labels: Object.fromEntries(tools.map((tool) => [tool.name, { en_US: tool.name, zh_Hans: tool.name }])),
  };
}

/** Dify's `agent_thought` stream event for a thought as it now stands. */
export function agentThoughtEvent(run: ChatRunRow, step: AgentStep): RunStreamEvent {
  return {
    event: 'agent_thought',
    id: agentThoughtId(run.chat.messageId, step.position),
    message_files: [],
    task_id: run.taskId,
    ...agentThoughtFields(step),
  };
}

/** A thought as the message keeps it and `GET /v1/messages` lists it. */
export function agentThoughtRecord(run: ChatRunRow, step: AgentStep): AgentThoughtRecord {
  return {
    chain_id: null,
    created_at: step.createdAt,
    files: [],
    id: agentThoughtId(run.chat.messageId, step.position),
    message_id: run.chat.messageId,
    ...agentThoughtFields(step),
  };
}

/**
 * The thoughts of an agent app's agent, read back from its stored node run (`agent_log`: an entry per tool
 * call naming its thought's `position`; runs stored before positions were logged get one thought per entry).
 */
export function storedAgentSteps(records: readonly NodeExecutionRecord[]): AgentStep[] {
  const log = records
    .filter((record) => record.nodeType === 'agent' && record.status === 'succeeded')
    .flatMap((record) => (Array.isArray(record.processData?.['agent_log']) ? (record.processData['agent_log'] as unknown[]) : []))
    .filter(isPlainObject);
  const steps = new Map<number, AgentStep>();
  log.forEach((entry, index) => {
    const position = Number.isInteger(entry['position']) ? Number(entry['position']) : index + 1;
    const step = steps.get(position) ?? {
      createdAt: typeof entry['created_at'] === 'number' ? entry['created_at'] : 0,
      position,
      thought: typeof entry['thought'] === 'string' ? entry['thought'] : '',
      tools: [],
    };
    const tool = typeof entry['tool'] === 'string' ? entry['tool'] : '';
    if (tool)
      step.tools.push({
        input: isPlainObject(entry['tool_input']) ? entry['tool_input'] : {},
        name: tool,
        observation: typeof entry['observation'] === 'string' ? entry['observation'] : '',
      });
    steps.set(position, step);
  });
  return [...steps.values()].sort((a, b) => a.position - b.position);
}

/** An agent app's thoughts as they were sent live while its run went on (by position), and what each last said. */
export interface LiveThoughts {
  readonly steps: ReadonlyMap<number, AgentStep>;
  readonly sent: ReadonlyMap<number, string>;
}

const NO_LIVE_THOUGHTS: LiveThoughts = { sent: new Map(), steps: new Map() };

/**
 * The thoughts a finished agent app's message keeps: its agent's, as stored with its node run; those heard
 * live when the agent did not finish (a stopped run keeps what it had thought, as in Dify); else the answer
 * alone, as one thought.
 */
export function agentSteps(run: ChatRunRow, answer: string, records: readonly NodeExecutionRecord[], live = NO_LIVE_THOUGHTS): AgentStep[] {
  const stored = storedAgentSteps(records);
  if (stored.length > 0) return stored;
  if (live.steps.size > 0) return [...live.steps.values()].sort((a, b) => a.position - b.position);
  return [{ createdAt: seconds(run.createdAt.getTime()), position: 1, thought: answer, tools: [] }];
}

/** The key under which a sent thought is remembered, to send it again only when it changed. */
export function thoughtKey(event: RunStreamEvent): string {
  return JSON.stringify([event['thought'], event['tool'], event['tool_input'], event['observation']]);
}

/**
 * The `agent_thought` events that end an agent app's stream: each thought of the message that its live
 * stream did not already show as it is (all of them for a client that missed the live stream).
 */
export function agentThoughts(
  run: ChatRunRow,
  answer: string,
  records: readonly NodeExecutionRecord[],
  live = NO_LIVE_THOUGHTS,
): RunStreamEvent[] {
  return agentSteps(run, answer, records, live)
    .map((step) => agentThoughtEvent(run, step))
    .filter((event) => live.sent.get(Number(event['position'])) !== thoughtKey(event));
}

/** `message_replace`: the whole answer so far, replacing what the client has (after a resumption). */
export function messageReplace(run: ChatRunRow, answer: string): RunStreamEvent {
  return { answer, event: 'message_replace', id: run.chat.messageId, reason: 'resumption', task_id: run.taskId };
}

/** `message_end`, with the turn's token usage and the sources retrieval found. */
export function messageEnd(run: ChatRunRow, records: readonly NodeExecutionRecord[]): RunStreamEvent {
  return {
    event: 'message_end',
    files: [],
    id: run.chat.messageId,
    metadata: { retriever_resources: retrieverResources(run, records), usage: aggregateUsage(records) },
    task_id: run.taskId,
  };
}

/** Dify's `error` event, the last of a stream whose run failed. */
export function chatError(run: ChatRunRow, message: string): RunStreamEvent {
  return { code: 'completion_request_error', event: 'error', message, status: 400, task_id: run.taskId, workflow_run_id: run.id };
}

const PRICE_FIELDS = ['prompt_price', 'completion_price', 'total_price'] as const;

/** The sum of the LLM usage of a turn's nodes, in Dify's `usage` shape (prices as decimal strings). */
export function aggregateUsage(records: readonly NodeExecutionRecord[]): Record<string, unknown> {
  const total = { completion_tokens: 0, latency: 0, prompt_tokens: 0, total_tokens: 0 };
  const prices = { completion_price: 0, prompt_price: 0, total_price: 0 };
  let unit: Record<string, unknown> = {};
  let currency = 'USD';
  for (const record of records) {
    const usage = record.outputs?.['usage'] ?? record.outputs?.['__usage'];
    if (!isPlainObject(usage) || record.status === 'running') continue;
    total.prompt_tokens += Number(usage['prompt_tokens'] ?? 0) || 0;
    total.completion_tokens += Number(usage['completion_tokens'] ?? 0) || 0;
    total.total_tokens += Number(usage['total_tokens'] ?? 0) || 0;
    total.latency += Number(usage['latency'] ?? 0) || 0;
    for (const field of PRICE_FIELDS) prices[field] += Number(usage[field] ?? 0) || 0;
    if (typeof usage['currency'] === 'string') currency = usage['currency'];
    unit = {
      completion_price_unit: usage['completion_price_unit'] ?? '0.000001',
      completion_unit_price: usage['completion_unit_price'] ?? '0',
      prompt_price_unit: usage['prompt_price_unit'] ?? '0.000001',
      prompt_unit_price: usage['prompt_unit_price'] ?? '0',
    };
  }
  return {
    completion_price: prices.completion_price.toFixed(7),
    completion_price_unit: '0.000001',
    completion_tokens: total.completion_tokens,
    completion_unit_price: '0',
    currency,
    latency: Math.round(total.latency * 1000) / 1000,
    prompt_price: prices.prompt_price.toFixed(7),
    prompt_price_unit: '0.000001',
    prompt_tokens: total.prompt_tokens,
    prompt_unit_price: '0',
    total_price: prices.total_price.toFixed(7),
    total_tokens: total.total_tokens,
    ...unit,
  };
}

/** Dify's `retriever_resources`: the segments knowledge-retrieval nodes returned, numbered from 1. */
export function retrieverResources(run: ChatRunRow, records: readonly NodeExecutionRecord[]): Record<string, unknown>[] {
  const resources: Record<string, unknown>[] = [];
  for (const record of records) {
    if (record.nodeType !== 'knowledge-retrieval' || record.status !== 'succeeded') continue;
    const result = record.outputs?.['result'];
    if (!Array.isArray(result)) continue;
    for (const item of result) {
      if (!isPlainObject(item)) continue;
      const meta = isPlainObject(item['metadata']) ? item['metadata'] : {};
      resources.push({
        content: item['content'] ?? '',
        created_at: seconds(run.createdAt.getTime()),
        data_source_type: meta['data_source_type'] ?? 'upload_file',
        dataset_id: meta['dataset_id'] ?? null,
        dataset_name: meta['dataset_name'] ?? null,
        document_id: meta['document_id'] ?? null,
        document_name: meta['document_name'] ?? item['title'] ?? null,
        hit_count: meta['segment_hit_count'] ?? null,
        id: meta['segment_id'] ?? null,
        index_node_hash: meta['segment_index_node_hash'] ?? null,
        message_id: run.chat.messageId,
        position: resources.length + 1,
        score: meta['score'] ?? null,
        segment_id: meta['segment_id'] ?? null,
        segment_position: meta['position'] ?? null,
        summary: null,
        word_count: meta['segment_word_count'] ?? null,
      });
    }
  }
  return resources;
}

/**
 * The events that end a run's stream, shaped for its clients: `workflow_finished` for a workflow app; for
 * the chat family (Dify's order) the `agent_thought` updates the live stream did not carry (agent apps),
 * `message_end`, `workflow_finished` (shown to chatflows only), and an `error` last when the run failed. The
 * one place these are built: for a run as it ends, and for a stored run whose live events a client missed.
 */
export function endingEvents(
  run: RunRow,
  result: RunResult,
  records: readonly NodeExecutionRecord[],
  live: LiveThoughts = NO_LIVE_THOUGHTS,
): RunStreamEvent[] {
  if (!run.chat) return [workflowFinished(run, result)];
  const chatRun = run as ChatRunRow;
  const failed = result.status === 'failed';
  const events: RunStreamEvent[] = [];
  if (!failed && chatRun.chat.mode === 'agent-chat')
    events.push(...agentThoughts(chatRun, typeof result.outputs['answer'] === 'string' ? result.outputs['answer'] : '', records, live));
  if (!failed) events.push(messageEnd(chatRun, records));
  events.push(workflowFinished(run, result));
  if (failed) events.push(chatError(chatRun, result.error ?? 'The workflow failed.'));
  return events.map((event) => chatEvent(chatRun, event)).filter((event): event is RunStreamEvent => event !== null);
}

/**
 * The ending events of a stored run, for a client that missed its live events (the instance that ran it died
 * before it published them, or they were lost): a chat turn that did not fail starts with `message_replace`
 * carrying the whole stored answer, since such a client may have heard none of it, then `endingEvents`.
 */
export function storedEndingEvents(run: RunRow, result: RunResult, records: readonly NodeExecutionRecord[]): RunStreamEvent[] {
  return withWholeAnswer(run, result, endingEvents(run, result, records));
}

/**
 * `events` (a run's ending) preceded, for a chat turn that did not fail, by `message_replace` with the whole
 * answer: all a reader needs who heard none of the turn's live events.
 */
export function withWholeAnswer(run: RunRow, result: RunResult, events: RunStreamEvent[]): RunStreamEvent[] {
  const answer = result.outputs['answer'];
  if (!run.chat || result.status === 'failed' || typeof answer !== 'string') return events;
  const chatRun = run as ChatRunRow;
  const replace = chatEvent(chatRun, messageReplace(chatRun, answer));
  return replace ? [replace, ...events] : events;
}
