import type { AgentStep, RunStreamEvent } from '@weft/contracts';
import { renderValue, type VariablePool, type WorkflowGraph } from '@weft/workflow';
import type { NodeExecutionRecord } from '../engine/engine.types';
import { AnswerStream } from './answer-stream.util';
import {
  agentThoughtEvent,
  chatEvent,
  messageChunk,
  messageReplace,
  thoughtKey,
  type ChatRunRow,
  type LiveThoughts,
} from './chat-events.util';
import { EndStream } from './end-stream.util';
import { envelope, nodeFinished, nodeStarted, textChunk, workflowStarted } from './run-events.util';
import type { RunRow } from './run.repository';
import { maskNodeRecord, type SecretMask } from './secret-mask.util';

/**
 * What a run says while it runs, as Dify's stream: its node events, shaped for the app's clients (classic
 * chat apps see no workflow events), with secrets masked; and the text as it forms: a chat run's answer
 * (`message` chunks, from its answer nodes) or a workflow's End-node text (`text_chunk`). The events that
 * end the stream are `endingEvents`, sent once the run is stored.
 */
export class RunStream {
  private readonly chatRun: ChatRunRow | null;
  private readonly endStream: EndStream | null;
  private readonly answers: AnswerStream | null;
  private readonly thoughts = { sent: new Map<number, string>(), steps: new Map<number, AgentStep>() };
  /** Every state of a thought sent so far (`position` and key), so a job delivered again repeats none of them. */
  private readonly sentStates = new Set<string>();

  constructor(
    private readonly send: (event: RunStreamEvent) => void,
    private readonly row: RunRow,
    private readonly graph: WorkflowGraph,
    pool: VariablePool,
    private readonly mask: SecretMask,
    streamsText: boolean,
  ) {
    this.chatRun = row.chat ? (row as ChatRunRow) : null;
    this.endStream = !this.chatRun && streamsText ? new EndStream(graph) : null;
    this.answers = this.chatRun ? new AnswerStream(graph, pool) : null;
  }

  /** The chat answer so far (unmasked; masked where it is stored or sent). */
  get answer(): string {
    return this.answers?.text ?? '';
  }

  started(reason: 'initial' | 'resumption'): void {
    this.publish(workflowStarted(this.row, reason));
  }

  /**
   * Picks a resumed run's answer up from what its stored nodes said; whoever follows the turn heard part
   * of it from the instance that died, so Dify's `message_replace` resets it before the answer goes on.
   */
  resume(replay: readonly NodeExecutionRecord[], reason: 'initial' | 'resumption'): void {
    if (!this.answers) return;
    for (const r of replay) {
      if (this.isInnerAnswer(r)) this.answers.innerAnswer(renderValue(r.outputs?.['answer'] ?? ''));
      else if (r.status === 'succeeded' || r.status === 'exception') this.answers.nodeFinished(r.nodeId);
    }
    if (reason === 'resumption') this.publish(messageReplace(this.chatRun!, this.answers.text));
    this.say(this.answers.begin());
  }

  nodeStarted(record: NodeExecutionRecord): void {
    this.publish(nodeStarted(this.row, maskNodeRecord(record, this.mask)));
    if (this.answers) this.say(this.answers.nodeStarted(record.nodeId));
  }

  nodeRetry(record: NodeExecutionRecord, retryIndex: number): void {
    this.publish(nodeFinished(this.row, maskNodeRecord(record, this.mask), retryIndex));
  }

  /** A finished node, its record already masked. */
  nodeFinished(record: NodeExecutionRecord): void {
    this.publish(nodeFinished(this.row, record));
    for (const piece of this.endStream?.nodeFinished(record.nodeId) ?? [])
      this.publish(textChunk(this.row, this.mask(piece.text), piece.selector));
    if (!this.answers || record.status === 'failed' || record.status === 'stopped') return;
    if (this.isInnerAnswer(record)) this.say(this.answers.innerAnswer(this.mask(renderValue(record.outputs?.['answer'] ?? ''))));
    else this.say(this.answers.nodeFinished(record.nodeId).map(this.mask));
  }

  /** A round of an answer node inside an iteration or loop body: its text goes out as it is said. */
  private isInnerAnswer(record: NodeExecutionRecord): boolean {
    return record.nodeType === 'answer' && record.status === 'succeeded' && Boolean(this.graph.nodes[record.nodeId]?.parentId);
  }

  nodeSkipped(nodeId: string): void {
    if (this.answers) this.say(this.answers.nodeSkipped(nodeId));
  }

  containerEvent(event: string, data: Record<string, unknown>): void {
    this.publish(envelope(this.row, event, data));
  }

  /** The agent's thoughts heard so far and what was sent of each (agent apps). */
  get liveThoughts(): LiveThoughts {
    return this.thoughts;
  }

  /**
   * An agent's thought as it now stands: an agent app's clients see it at once as Dify's `agent_thought`
   * (the same id for each update); a state of a thought already sent (a job delivered again) is not sent twice.
   * Chatflows show only the agent's text and its node events.
   */
  agentStep(step: AgentStep): void {
    if (this.chatRun?.chat.mode !== 'agent-chat') return;
    const masked = this.mask(step);
    const event = agentThoughtEvent(this.chatRun, masked);
    const key = thoughtKey(event);
    if (this.sentStates.has(`${masked.position}:${key}`)) return;
    this.sentStates.add(`${masked.position}:${key}`);
    this.thoughts.steps.set(masked.position, masked);
    this.thoughts.sent.set(masked.position, key);
    this.publish(event);
  }

  /** Streamed text of a running node (LLM tokens). */
  chunk(nodeId: string, text: string): void {
    for (const piece of this.endStream?.chunk(nodeId, text) ?? []) this.publish(textChunk(this.row, piece.text, piece.selector));
    if (this.answers) this.say(this.answers.chunk(nodeId, text));
  }

  private say(pieces: string[]): void {
    for (const text of pieces) this.publish(messageChunk(this.chatRun!, text));
  }

  private publish(event: RunStreamEvent): void {
    const shaped = this.chatRun ? chatEvent(this.chatRun, event) : event;
    if (shaped) this.send(shaped);
  }
}
