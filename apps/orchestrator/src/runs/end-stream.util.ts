import { streamsText, type WorkflowGraph } from '@weft/workflow';

/** A piece of streamed end-node output: the text and the selector of the output it belongs to. */
export interface TextPiece {
  selector: readonly string[];
  text: string;
}

interface EndOutputs {
  buffered: Map<number, string[]>;
  position: number;
  selectors: (readonly string[])[];
}

/**
 * Streams end-node outputs in the order the end node lists them, as Dify's response coordinator does:
 * LLM text that is the current output goes out as it arrives; text of a later output is held until
 * every output before it is resolved (its node finished), then released in one go and followed live.
 */
export class EndStream {
  private readonly ends: EndOutputs[] = [];
  private readonly finished = new Set<string>();
  private readonly streamedBy = new Map<string, { end: EndOutputs; index: number }>();

  constructor(graph: WorkflowGraph) {
    for (const node of Object.values(graph.nodes)) {
      if (node.type !== 'end' || node.parentId) continue;
      const selectors = ((node.data['outputs'] as { value_selector?: unknown }[] | undefined) ?? [])
        .map((o) => o.value_selector)
        .filter((s): s is string[] => Array.isArray(s) && s.length >= 2);
      const end: EndOutputs = { buffered: new Map(), position: 0, selectors };
      this.ends.push(end);
      selectors.forEach((selector, index) => {
        const source = graph.nodes[selector[0]!];
        // An output read from no node of the graph (sys, env, or a node that is not there, which imports as a
        // warning and reads as empty) has its value from the start, so it never holds back the outputs after it.
        if (!source && selector[0] !== 'conversation') this.finished.add(selector[0]!);
        // One end output per LLM streams it, so a model shared by two end nodes is not sent twice.
        if (selector.length === 2 && selector[1] === 'text' && streamsText(source?.type) && !this.streamedBy.has(source.id)) {
          this.streamedBy.set(source.id, { end, index });
        }
      });
    }
    this.release();
  }

  /** Whether any end output streams this node's text. */
  streams(nodeId: string): boolean {
    return this.streamedBy.has(nodeId);
  }

  /** A chunk of a node's text arrived: what to send now (nothing when its output's turn has not come). */
  chunk(nodeId: string, text: string): TextPiece[] {
    const target = this.streamedBy.get(nodeId);
    if (!target) return [];
    const { end, index } = target;
    if (index === end.position) return [{ selector: end.selectors[index]!, text }];
    if (index > end.position) end.buffered.set(index, [...(end.buffered.get(index) ?? []), text]);
    return [];
  }

  /** A node finished: outputs it resolves move each end node forward, releasing text held for later outputs. */
  nodeFinished(nodeId: string): TextPiece[] {
    this.finished.add(nodeId);
    return this.release();
  }

  private release(): TextPiece[] {
    const out: TextPiece[] = [];
    for (const end of this.ends) {
      while (end.position < end.selectors.length && this.finished.has(end.selectors[end.position]![0]!)) {
        end.position++;
        const held = end.buffered.get(end.position);
        if (held) {
          for (const text of held) out.push({ selector: end.selectors[end.position]!, text });
          end.buffered.delete(end.position);
        }
      }
    }
    return out;
  }
}
