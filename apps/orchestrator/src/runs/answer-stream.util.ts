import { renderValue, streamsText, templateVariablePattern, type VariablePool, type WorkflowGraph } from '@weft/workflow';

type Segment = { kind: 'text'; text: string } | { kind: 'variable'; selector: string[] };

interface AnswerState {
  /** Branching and container nodes upstream: until each has finished (or was skipped) the answer may not speak. */
  branchAncestors: string[];
  /** Text sent for this answer node so far. */
  emitted: string;
  nodeId: string;
  position: number;
  /** Text of the current variable segment already sent from its source's streamed chunks. */
  segmentSent: string;
  segments: Segment[];
}

// Node ids whose values never change during a run, so an answer may show them before it runs.
const FIXED_ROOTS = new Set(['sys', 'env']);
// Nodes an answer below must wait for before it may say anything: branches (until the path is decided)
// and containers (Dify's response coordinator counts iteration and loop edges as blocking, so the text
// of their bodies comes before any answer after them).
const BLOCKING_TYPES = new Set(['if-else', 'question-classifier', 'human-input', 'iteration', 'loop']);

/** Splits an answer template into literal text and `{{#node.var#}}` references. */
export function answerSegments(template: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of template.matchAll(templateVariablePattern())) {
    if (match.index > last) segments.push({ kind: 'text', text: template.slice(last, match.index) });
    segments.push({ kind: 'variable', selector: match[1].split('.') });
    last = match.index + match[0].length;
  }
  if (last < template.length) segments.push({ kind: 'text', text: template.slice(last) });
  return segments;
}

/**
 * Streams a chatflow's answer nodes as Dify's response coordinator does: answer nodes speak one after
 * another in graph order; within one, literal text goes out as soon as the answer is certain to run (no
 * undecided branch above it), an LLM's text goes out token by token while it is the current part, and
 * other values once their node has finished. An answer node that is skipped gives the turn to the next.
 * When an answer node finishes, whatever of its rendered text has not been sent goes out, so the streamed
 * text always ends equal to the answer.
 */
export class AnswerStream {
  private readonly answers: AnswerState[] = [];
  private readonly finished = new Set<string>();
  private readonly skipped = new Set<string>();
  private readonly started = new Set<string>();
  private readonly chunks = new Map<string, string>();
  private readonly streamable = new Set<string>();
  private head = 0;
  /** Every piece sent, in order: the message's answer. */
  text = '';

  constructor(
    private readonly graph: WorkflowGraph,
    private readonly pool: VariablePool,
  ) {
    const topLevel = Object.values(graph.nodes).filter((n) => !n.parentId);
    const parents = new Map<string, string[]>();
    for (const edge of graph.edges) parents.set(edge.target, [...(parents.get(edge.target) ?? []), edge.source]);
    for (const id of topologicalOrder(graph, new Set(topLevel.map((n) => n.id)))) {
      const node = graph.nodes[id]!;
      if (node.type !== 'answer') continue;
      const segments = answerSegments(String(node.data['answer'] ?? ''));
      for (const s of segments) {
        if (s.kind === 'variable' && s.selector.length === 2 && s.selector[1] === 'text' && streamsText(graph.nodes[s.selector[0]!]?.type))
          this.streamable.add(s.selector[0]!);
      }
      this.answers.push({
        branchAncestors: this.branchAncestors(id, parents),
        emitted: '',
        nodeId: id,
        position: 0,
        segmentSent: '',
        segments,
      });
    }
  }

  /** Whether any answer node shows this node's streamed text. */
  streams(nodeId: string): boolean {
    return this.streamable.has(nodeId);
  }

  /** What to send now that the run has started (leading literal text of an answer that surely runs). */
  begin(): string[] {
    return this.pump();
  }

  nodeStarted(nodeId: string): string[] {
    this.started.add(nodeId);
    return this.pump();
  }

  /** A piece of a node's streamed text. */
  chunk(nodeId: string, text: string): string[] {
    if (!this.streamable.has(nodeId)) return [];
    this.chunks.set(nodeId, (this.chunks.get(nodeId) ?? '') + text);
    return this.pump();
  }

  nodeFinished(nodeId: string): string[] {
    this.finished.add(nodeId);
    return this.pump();
  }

  nodeSkipped(nodeId: string): string[] {
    this.skipped.add(nodeId);
    return this.pump();
  }

  /**
   * The text of an answer node inside an iteration or loop body, for one round. Dify passes what a
   * container's body says straight to the stream as it happens, outside the order of the top-level
   * answers (rounds in the order they finish: in order when sequential), and the message's answer is
   * everything streamed, joined without separators.
   */
  innerAnswer(text: string): string[] {
    if (text === '') return [];
    this.text += text;
    return [text];
  }

  private pump(): string[] {
    const out: string[] = [];
    const send = (answer: AnswerState, text: string) => {
      if (text === '') return;
      answer.emitted += text;
      this.text += text;
      out.push(text);
    };
    while (this.head < this.answers.length) {
      const answer = this.answers[this.head]!;
      if (this.skipped.has(answer.nodeId)) {
        this.head++;
        continue;
      }
      if (this.finished.has(answer.nodeId)) {
        // The node's template over the final values is the truth: send the rest of it (when what went out is its
        // beginning). A variable the pool does not hold streams as nothing, as in Dify's answer stream (the node's
        // own output, rendered like Dify's convert_template, shows such a reference as its dotted path).
        const full = answer.segments.map((s) => (s.kind === 'text' ? s.text : renderValue(this.pool.get(s.selector)))).join('');
        if (full.startsWith(answer.emitted)) send(answer, full.slice(answer.emitted.length));
        this.head++;
        continue;
      }
      if (!this.started.has(answer.nodeId) && !answer.branchAncestors.every((id) => this.finished.has(id) || this.skipped.has(id))) break;
      // Until the node finishes the next answer waits its turn, even when every part here is out.
      this.advance(answer, send);
      break;
    }
    return out;
  }

  /** Sends what the current answer can show, up to the first part that is not resolved yet. */
  private advance(answer: AnswerState, send: (answer: AnswerState, text: string) => void): void {
    while (answer.position < answer.segments.length) {
      const segment = answer.segments[answer.position]!;
      if (segment.kind === 'text') {
        send(answer, segment.text);
        answer.position++;
        continue;
      }
      const source = segment.selector[0]!;
      const resolved = FIXED_ROOTS.has(source) || this.finished.has(source) || this.skipped.has(source);
      if (resolved) {
        const value = renderValue(this.pool.get(segment.selector));
        if (answer.segmentSent === '') send(answer, value);
        else if (value.startsWith(answer.segmentSent)) send(answer, value.slice(answer.segmentSent.length));
        answer.segmentSent = '';
        answer.position++;
        continue;
      }
      if (this.streamable.has(source) && segment.selector[1] === 'text') {
        const streamed = this.chunks.get(source) ?? '';
        send(answer, streamed.slice(answer.segmentSent.length));
        answer.segmentSent = streamed;
      }
      return;
    }
  }

  private branchAncestors(nodeId: string, parents: Map<string, string[]>): string[] {
    const seen = new Set<string>();
    const stack = [...(parents.get(nodeId) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(parents.get(id) ?? []));
    }
    return [...seen].filter((id) => {
      const node = this.graph.nodes[id];
      return node !== undefined && (BLOCKING_TYPES.has(node.type) || node.data.error_strategy === 'fail-branch');
    });
  }
}

/** Node ids in an order where every node comes after all its parents (ties in declaration order). */
function topologicalOrder(graph: WorkflowGraph, ids: Set<string>): string[] {
  const indegree = new Map<string, number>([...ids].map((id) => [id, 0]));
  const children = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (!ids.has(edge.source) || !ids.has(edge.target)) continue;
    indegree.set(edge.target, indegree.get(edge.target)! + 1);
    children.set(edge.source, [...(children.get(edge.source) ?? []), edge.target]);
  }
  const queue = [...ids].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const child of children.get(id) ?? []) {
      indegree.set(child, indegree.get(child)! - 1);
      if (indegree.get(child) === 0) queue.push(child);
    }
  }
  return order;
}
