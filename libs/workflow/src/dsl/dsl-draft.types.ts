import type { AppMode, NodeData } from './dsl.types';

// The graph as read, before it is known to be valid: node types are plain strings here, because the
// validator must still be able to talk about nodes whose type Weft does not know.

/** A node as read from the document, with its place in `workflow.graph.nodes` for problem paths. */
export interface DraftNode {
  data: NodeData;
  id: string;
  index: number;
  // The if-else node was written in the single-case form and has been normalized into `cases`.
  legacyIfElse: boolean;
  parentId?: string;
  // `opaque` nodes have an unknown or unsupported type, or malformed data: they exist, but nothing is
  // assumed about what they produce, so references to them are not checked further.
  status: 'ok' | 'opaque';
  title: string;
  type: string;
  ui: Record<string, unknown>;
}

/** An edge as read from the document, with its place in `workflow.graph.edges`. */
export interface DraftEdge {
  id: string;
  index: number;
  source: string;
  sourceHandle: string;
  target: string;
  ui: Record<string, unknown>;
}

/** Everything graph validation needs to know about the app. */
export interface DraftGraph {
  conversationVariables: Set<string>;
  edges: DraftEdge[];
  environmentVariables: Set<string>;
  mode: AppMode;
  nodes: Map<string, DraftNode>;
}
