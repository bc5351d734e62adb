/** Node types Dify's DSL can hold that Weft knows by name (graphon's BuiltinNodeTypes minus `datasource`). */
export const NODE_TYPES = [
  'start',
  'end',
  'answer',
  'llm',
  'knowledge-retrieval',
  'if-else',
  'code',
  'template-transform',
  'question-classifier',
  'http-request',
  'tool',
  'variable-aggregator',
  'variable-assigner',
  'loop',
  'loop-start',
  'loop-end',
  'iteration',
  'iteration-start',
  'parameter-extractor',
  'assigner',
  'document-extractor',
  'list-operator',
  'agent',
  'human-input',
] as const;

/** A node type named in `NODE_TYPES`. */
export type NodeType = (typeof NODE_TYPES)[number];

/** Dify-only node types (RAG pipelines, triggers): recognised so an import can say "unsupported" instead of "unknown". */
export const DIFY_ONLY_NODE_TYPES = ['datasource', 'knowledge-index', 'trigger-webhook', 'trigger-schedule', 'trigger-plugin'] as const;

/** A node type named in `DIFY_ONLY_NODE_TYPES`. */
export type DifyOnlyNodeType = (typeof DIFY_ONLY_NODE_TYPES)[number];

const TRIGGER_ADVICE =
  'trigger nodes are not supported: Weft starts runs through the Service API (POST /v1/workflows/run); replace the trigger with a start node whose inputs carry what the trigger delivered, and call the API from the scheduler or webhook sender';

/** Node types Weft runs; an app holding any other type is refused at import. */
export const SUPPORTED_NODE_TYPES = [
  'start',
  'end',
  'answer',
  'llm',
  'knowledge-retrieval',
  'if-else',
  'code',
  'template-transform',
  'question-classifier',
  'http-request',
  'tool',
  'variable-aggregator',
  'variable-assigner',
  'loop',
  'loop-start',
  'loop-end',
  'iteration',
  'iteration-start',
  'parameter-extractor',
  'assigner',
  'document-extractor',
  'list-operator',
  'agent',
] as const satisfies readonly NodeType[];

/** A node type Weft runs; `NODE_TYPE_CONTRACTS` (../nodes) holds one contract per member of this union. */
export type SupportedNodeType = (typeof SUPPORTED_NODE_TYPES)[number];

/** A node type Dify exports that Weft does not run. */
export type UnsupportedNodeType = Exclude<NodeType, SupportedNodeType> | DifyOnlyNodeType;

/**
 * What Weft does with each node type Dify exports and Weft does not run: the import fails naming the node
 * and this advice. The one place the decision is written (docs/architecture.md, "Node types", repeats it);
 * a `Record` over the union, so a type added to `NODE_TYPES` or `DIFY_ONLY_NODE_TYPES` without a decision
 * does not compile. Every type Weft runs is in `SUPPORTED_NODE_TYPES`, mapped to a Weft node of the same
 * semantics (`variable-assigner` is the legacy name of the variable aggregator).
 */
export const UNSUPPORTED_NODE_TYPES: Readonly<Record<UnsupportedNodeType, string>> = {
  datasource:
    'datasource nodes belong to Dify knowledge pipelines, which Weft does not run; ingest documents through the Knowledge API (POST /v1/datasets/{id}/document/create-by-text or create-by-file) instead',
  'human-input':
    'human-input nodes (pausing a run for a person to answer) are not supported; remove the node, or split the app in two and pass the answer as an input of the second run',
  'knowledge-index':
    'knowledge-index nodes belong to Dify knowledge pipelines, which Weft does not run; index documents through the Knowledge API instead, and read them with a knowledge-retrieval node',
  'trigger-plugin': TRIGGER_ADVICE,
  'trigger-schedule': TRIGGER_ADVICE,
  'trigger-webhook': TRIGGER_ADVICE,
};

/** Every `app.mode` Dify exports. */
export const APP_MODES = ['workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion'] as const;

/** One of `APP_MODES`. */
export type AppMode = (typeof APP_MODES)[number];

/** Modes whose DSL carries a `workflow` graph; the others carry `model_config`. */
export const WORKFLOW_APP_MODES = ['workflow', 'advanced-chat'] as const satisfies readonly AppMode[];

/** The DSL version Weft writes on export (Dify's CURRENT_APP_DSL_VERSION before 1.16). */
export const CURRENT_DSL_VERSION = '0.6.0';

/** Dify's import size limit (`DSL_MAX_SIZE`), in bytes. */
export const DSL_MAX_BYTES = 10 * 1024 * 1024;

/** Every code a `DslProblem` can carry; the import API returns them in its `error` field. */
export const DSL_PROBLEM_CODES = [
  'cycle',
  'dsl_too_large',
  'duplicate_node_id',
  'edge_crosses_container',
  'invalid_app_mode',
  'invalid_container',
  'invalid_selector',
  'invalid_source_handle',
  'invalid_structure',
  'missing_start_node',
  'multiple_start_nodes',
  'reference_not_upstream',
  'unknown_edge_node',
  'unknown_node_reference',
  'unknown_node_type',
  'unknown_operator',
  'unknown_output',
  'unknown_variable',
  'unsupported_node_type',
  'unsupported_version',
  'yaml_syntax',
] as const;

/** One of `DSL_PROBLEM_CODES`. */
export type DslProblemCode = (typeof DSL_PROBLEM_CODES)[number];

/**
 * Problem codes that do not stop an import (Dify imports such graphs and resolves the reference to an empty
 * value at run time): a selector naming a node that does not run before the reader, a node that is not in
 * the graph, or an output the node does not have. The import answers `completed-with-warnings` listing them.
 */
export const WARNING_PROBLEM_CODES = [
  'reference_not_upstream',
  'unknown_node_reference',
  'unknown_output',
] as const satisfies readonly DslProblemCode[];

/** True when a problem is a warning (`WARNING_PROBLEM_CODES`) rather than something that stops the import. */
export function isWarningProblem(problem: DslProblem): boolean {
  return (WARNING_PROBLEM_CODES as readonly string[]).includes(problem.code);
}

/** Something found in an import, worded for the person importing the app: an error, or a warning (`isWarningProblem`). */
export interface DslProblem {
  code: DslProblemCode;
  message: string;
  nodeId?: string;
  path?: string;
}

/** Options of `parseDsl`. */
export interface ParseDslOptions {
  maxBytes?: number;
}

/** Options of `exportDsl`. */
export interface ExportDslOptions {
  includeSecrets?: boolean;
}

/**
 * The outcome of `parseDsl`: the app with non-fatal warnings (as text, and as `problems` with their codes for
 * the reference problems of `WARNING_PROBLEM_CODES`), or, when any error stops it, every problem found
 * (errors and warnings, in the order found).
 */
export type ParseResult = { ok: true; app: ParsedApp; problems: DslProblem[]; warnings: string[] } | { ok: false; errors: DslProblem[] };

/** `{key, type, value}` outputs a node falls back to under `error_strategy: default-value`. */
export interface DefaultValue {
  key: string;
  type: string;
  value: unknown;
}

/** Retry policy of a node; `retry_interval` is in milliseconds. */
export interface RetryConfig {
  max_retries?: number;
  retry_enabled?: boolean;
  retry_interval?: number;
}

/** How a node's failure is handled; absent means the run aborts. */
export type ErrorStrategy = 'fail-branch' | 'default-value';

/** Fields every node's `data` has; other keys (per type, and UI-only ones) are kept as they came. */
export interface NodeDataCommon {
  default_value?: DefaultValue[] | null;
  desc?: string | null;
  error_strategy?: ErrorStrategy | 'none' | null;
  retry_config?: RetryConfig | null;
  title?: string | null;
  type: string;
  version?: string | number | null;
}

/** A node's `data` as stored: the common fields plus whatever its type and the editor put there. */
export type NodeData = NodeDataCommon & Record<string, unknown>;

/** A node of the normalized graph; `ui` holds the ReactFlow wrapper keys (position, width, ...) for export. */
export interface GraphNode {
  data: NodeData;
  id: string;
  parentId?: string;
  title: string;
  type: SupportedNodeType;
  ui: Record<string, unknown>;
}

/** An edge of the normalized graph; `ui` holds targetHandle, type, zIndex, data and other editor keys. */
export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  ui: Record<string, unknown>;
}

/** An iteration or loop node with the nodes placed inside it. */
export interface GraphContainer {
  childIds: string[];
  id: string;
  kind: 'iteration' | 'loop';
  startNodeId: string;
}

/** The editor's viewport, kept only so an export reopens where the import left off. */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The graph the engine runs. `nodes` is keyed by id; `startNodeId` is the top-level start node. */
export interface WorkflowGraph {
  containers: Record<string, GraphContainer>;
  edges: GraphEdge[];
  nodes: Record<string, GraphNode>;
  startNodeId: string;
  viewport: Viewport | null;
}

/** An entry of `workflow.environment_variables`; `secret` values are blanked on export. */
export interface EnvironmentVariable {
  description?: string;
  id?: string;
  name: string;
  value: unknown;
  value_type: string;
  [key: string]: unknown;
}

/** An entry of `workflow.conversation_variables` (chatflow state that persists across turns). */
export interface ConversationVariable {
  description?: string;
  id?: string;
  name: string;
  selector?: string[];
  value: unknown;
  value_type: string;
  [key: string]: unknown;
}

/** An entry of the top-level `dependencies` (plugins the app needs), kept as imported. */
export type DslDependency = Record<string, unknown>;

/** Icon kinds Dify knows; anything else is imported as `emoji`, as Dify does. */
export type IconType = 'emoji' | 'image' | 'link';

/** An imported app: normalized fields for Weft, plus `raw`, the document as read minus note nodes. */
export interface ParsedApp {
  conversationVariables: ConversationVariable[];
  dependencies: DslDependency[];
  description: string;
  environmentVariables: EnvironmentVariable[];
  features: Record<string, unknown>;
  graph: WorkflowGraph | null;
  icon: string;
  iconBackground: string;
  iconType: IconType;
  mode: AppMode;
  modelConfig: Record<string, unknown> | null;
  name: string;
  raw: Record<string, unknown>;
  useIconAsAnswerIcon: boolean;
  version: string;
}

/** The `app` section as Weft writes it. */
export interface DslAppSection {
  description: string;
  icon: string;
  icon_background: string;
  icon_type: IconType;
  mode: AppMode;
  name: string;
  use_icon_as_answer_icon: boolean;
}

/** A node as the DSL stores it: the ReactFlow wrapper around `data`, with whatever editor keys it carries. */
export interface DslNode {
  [key: string]: unknown;
  data: NodeData;
  id: string;
  parentId?: string;
  position?: { x: number; y: number };
  positionAbsolute?: { x: number; y: number };
  type?: string;
}

/** An edge as the DSL stores it; `sourceHandle` defaults to "source" when absent. */
export interface DslEdge {
  [key: string]: unknown;
  data?: Record<string, unknown>;
  id: string;
  source: string;
  sourceHandle?: string;
  target: string;
  targetHandle?: string;
}

/** The `workflow` section of a workflow or advanced-chat app. */
export interface DslWorkflowSection {
  conversation_variables: ConversationVariable[];
  environment_variables: EnvironmentVariable[];
  features: Record<string, unknown>;
  graph: { edges: DslEdge[]; nodes: DslNode[]; viewport: Viewport };
}

/** A whole DSL document as Weft writes it; chat, agent-chat and completion apps carry `model_config` instead of `workflow`. */
export interface DslDocument {
  app: DslAppSection;
  dependencies: DslDependency[];
  kind: 'app';
  model_config?: Record<string, unknown>;
  version: string;
  workflow?: DslWorkflowSection;
}
