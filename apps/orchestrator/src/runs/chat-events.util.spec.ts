import type { NodeExecutionRecord } from '../engine/engine.types';
import {
  agentSteps,
  agentThoughtEvent,
  agentThoughts,
  aggregateUsage,
  chatEvent,
  retrieverResources,
  storedEndingEvents,
  thoughtKey,
  type ChatRunRow,
} from './chat-events.util';

function run(mode: ChatRunRow['chat']['mode']): ChatRunRow {
  return {
    appId: 'a',
    chat: { conversationId: mode === 'completion' ? null : 'c1', dialogueCount: 1, messageId: 'm1', mode, query: 'q' },
    createdAt: new Date(1_700_000_000_500),
    createdFrom: 'service-api',
    creator: { accountId: null, endUserId: 'e', role: 'end_user', sessionId: 'u' },
    files: [],
    id: 'r1',
    inputs: {},
    status: 'running',
    stopRequested: false,
    taskId: 't1',
    version: 'v',
    workflowId: 'w',
    workspaceId: 'ws',
  };
}

function record(
  nodeType: string,
  outputs: Record<string, unknown>,
  status: NodeExecutionRecord['status'] = 'succeeded',
): NodeExecutionRecord {
  return {
    createdAt: 0,
    edgeSourceHandle: null,
    elapsedTime: 0,
    error: null,
    executionMetadata: null,
    finishedAt: 0,
    id: `${nodeType}-x`,
    index: 1,
    inputs: null,
    nodeId: nodeType,
    nodeType,
    outputs,
    predecessorNodeId: null,
    processData: null,
    status,
    title: nodeType,
  };
}

describe('chatEvent', () => {
  it('adds conversation_id, message_id and created_at to every chatflow event', () => {
    expect(chatEvent(run('advanced-chat'), { data: {}, event: 'node_started' })).toEqual({
      conversation_id: 'c1',
      created_at: 1_700_000_000,
      data: {},
      event: 'node_started',
      message_id: 'm1',
    });
  });

  it('hides workflow events from classic apps and gives completion events no conversation', () => {
    expect(chatEvent(run('chat'), { data: {}, event: 'workflow_started' })).toBeNull();
    expect(chatEvent(run('agent-chat'), { data: {}, event: 'node_finished' })).toBeNull();
    expect(chatEvent(run('completion'), { answer: 'x', event: 'message' })).toEqual({
      answer: 'x',
      created_at: 1_700_000_000,
      event: 'message',
      message_id: 'm1',
    });
  });
});

describe('aggregateUsage', () => {
  it('sums the usage of every model node of the turn, prices as decimal strings', () => {
    const usage = aggregateUsage([
      record('llm', {
        usage: { completion_tokens: 4, currency: 'USD', latency: 0.5, prompt_tokens: 10, total_price: '0.0001', total_tokens: 14 },
      }),
      record('parameter-extractor', {
        __usage: { completion_tokens: 1, latency: 0.25, prompt_tokens: 5, total_price: '0.00005', total_tokens: 6 },
      }),
      record('llm', { usage: { total_tokens: 1000 } }, 'running'),
      record('code', { result: 1 }),
    ]);
    expect(usage).toMatchObject({
      completion_tokens: 5,
      currency: 'USD',
      latency: 0.75,
      prompt_tokens: 15,
      total_price: '0.0001500',
      total_tokens: 20,
    });
  });

  it('is all zeros for a turn without model calls', () => {
    expect(aggregateUsage([])).toMatchObject({ completion_tokens: 0, prompt_tokens: 0, total_price: '0.0000000', total_tokens: 0 });
  });
});

describe('retrieverResources', () => {
  it('numbers the segments knowledge retrieval returned, with their dataset and document', () => {
    const resources = retrieverResources(run('chat'), [
      record('knowledge-retrieval', {
        result: [
          { content: 'A', metadata: { dataset_id: 'd', document_name: 'doc.md', score: 0.9, segment_id: 's1' }, title: 'doc.md' },
          'junk',
        ],
      }),
    ]);
    expect(resources).toEqual([
      expect.objectContaining({
        content: 'A',
        dataset_id: 'd',
        document_name: 'doc.md',
        message_id: 'm1',
        position: 1,
        score: 0.9,
        segment_id: 's1',
      }),
    ]);
  });
});

describe('agentThoughts', () => {
  it("reads a run stored before thoughts had positions as one thought per log entry, in Dify's shape", () => {
    const agent = {
      ...record('agent', { text: 'It is 42.' }),
      processData: {
        agent_log: [
          { observation: '42', thought: 'I should compute', tool: 'eval_expression', tool_input: { expression: '6*7' } },
          { observation: '', thought: 'It is 42.', tool: '', tool_input: {} },
        ],
      },
    };
    const events = agentThoughts(run('agent-chat'), 'It is 42.', [agent]);
    expect(events).toEqual([
      expect.objectContaining({
        event: 'agent_thought',
        observation: '{"eval_expression":"42"}',
        position: 1,
        thought: 'I should compute',
        tool: 'eval_expression',
        tool_input: '{"eval_expression":{"expression":"6*7"}}',
      }),
      expect.objectContaining({ observation: '', position: 2, thought: 'It is 42.', tool: '', tool_input: '' }),
    ]);
  });

  it('makes one thought of the tools one model turn called: names joined by ";", inputs and observations keyed by name', () => {
    const agent = {
      ...record('agent', { text: 'Both.' }),
      processData: {
        agent_log: [
          { created_at: 5, observation: '2', position: 1, thought: '', tool: 'calc', tool_input: { e: '1+1' } },
          { created_at: 5, observation: '12:00', position: 1, thought: '', tool: 'clock', tool_input: {} },
          { created_at: 6, observation: '', position: 2, thought: 'Both.', tool: '', tool_input: {} },
        ],
      },
    };
    expect(agentThoughts(run('agent-chat'), 'Both.', [agent])).toEqual([
      expect.objectContaining({
        observation: '{"calc":"2","clock":"12:00"}',
        position: 1,
        tool: 'calc;clock',
        tool_input: '{"calc":{"e":"1+1"},"clock":{}}',
        tool_labels: { calc: { en_US: 'calc', zh_Hans: 'calc' }, clock: { en_US: 'clock', zh_Hans: 'clock' } },
      }),
      expect.objectContaining({ position: 2, thought: 'Both.', tool: '' }),
    ]);
  });

  it('keeps what a stopped agent had thought, as streamed, and repeats none of it at the end', () => {
    const stopped = { ...record('agent', {}, 'stopped'), processData: null };
    const step = { createdAt: 7, position: 1, thought: '', tools: [{ input: { e: '1+1' }, name: 'calc', observation: '2' }] };
    const live = { sent: new Map([[1, thoughtKey(agentThoughtEvent(run('agent-chat'), step))]]), steps: new Map([[1, step]]) };
    expect(agentSteps(run('agent-chat'), 'partial', [stopped], live)).toEqual([step]);
    expect(agentThoughts(run('agent-chat'), 'partial', [stopped], live)).toEqual([]);
  });

  it('reports the answer alone for an agent that called no tool, or a failed agent node', () => {
    const failed = { ...record('agent', {}, 'failed'), processData: { agent_log: [{ tool: 'x', observation: 'y' }] } };
    expect(agentThoughts(run('agent-chat'), 'Hi', [failed])).toEqual([expect.objectContaining({ position: 1, thought: 'Hi', tool: '' })]);
  });
});

describe('storedEndingEvents (a client that missed the live events, e.g. the orchestrator died after storing the end)', () => {
  const result = (status: 'succeeded' | 'failed', answer: string) => ({
    elapsedTime: 1,
    error: status === 'failed' ? 'boom' : null,
    exceptionsCount: 0,
    finishedAt: 1_700_000_001_000,
    outputs: { answer },
    status,
    totalSteps: 3,
    totalTokens: 0,
  });

  it("starts a chat turn's ending with message_replace carrying the whole stored answer, then message_end", () => {
    const events = storedEndingEvents(run('advanced-chat'), result('succeeded', 'HELLO-py'), []);
    expect(events.map((e) => e['event'])).toEqual(['message_replace', 'message_end', 'workflow_finished']);
    expect(events[0]).toMatchObject({ answer: 'HELLO-py', conversation_id: 'c1', message_id: 'm1', reason: 'resumption', task_id: 't1' });
  });

  it('adds nothing to a failed turn or to a workflow run', () => {
    expect(storedEndingEvents(run('advanced-chat'), result('failed', 'half'), []).map((e) => e['event'])).toEqual([
      'workflow_finished',
      'error',
    ]);
    const workflowRun = { ...run('advanced-chat'), chat: null };
    expect(storedEndingEvents(workflowRun, result('succeeded', 'x'), []).map((e) => e['event'])).toEqual(['workflow_finished']);
  });
});
