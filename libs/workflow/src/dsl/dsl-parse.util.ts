import type { ZodIssue } from 'zod';
import type { DraftEdge, DraftGraph, DraftNode } from './dsl-draft.types';
import { isContainerNodeType, nodeTypeContract } from '../nodes/node-types.contract';
import { DslAppSchema, DslEdgeSchema, DslNodeSchema, DslWorkflowSchema, NodeDataCommonSchema } from './dsl.contract';
import { validateGraph } from './dsl-validate.util';
import { asRecord, isRecord } from './dsl-value.util';
import { checkDslVersion } from './dsl-version.util';
import { loadYaml, utf8ByteLength } from './dsl-yaml.util';
import {
  APP_MODES,
  DSL_MAX_BYTES,
  isWarningProblem,
  UNSUPPORTED_NODE_TYPES,
  WORKFLOW_APP_MODES,
  type AppMode,
  type ConversationVariable,
  type DslProblem,
  type EnvironmentVariable,
  type GraphContainer,
  type GraphEdge,
  type GraphNode,
  type IconType,
  type NodeData,
  type ParseDslOptions,
  type ParseResult,
  type SupportedNodeType,
  type UnsupportedNodeType,
  type Viewport,
  type WorkflowGraph,
} from './dsl.types';

const NOTE_NODE_TYPE = 'custom-note';
const ICON_TYPES: readonly string[] = ['emoji', 'image', 'link'];

/** Reads a Dify app DSL (YAML) into a validated app, or lists every problem found; never throws. */
export function parseDsl(yamlText: string, opts: ParseDslOptions = {}): ParseResult {
  const maxBytes = opts.maxBytes ?? DSL_MAX_BYTES;
  const size = utf8ByteLength(yamlText);
  if (size > maxBytes) {
    return {
      errors: [
        { code: 'dsl_too_large', message: `The DSL is ${size} bytes; the limit is ${maxBytes} bytes (${formatMegabytes(maxBytes)})` },
      ],
      ok: false,
    };
  }
  const loaded = loadYaml(yamlText);
  if (!loaded.ok) return { errors: loaded.problems, ok: false };
  return readDocument(loaded.value);
}

/** Validates an already-loaded DSL document (e.g. one stored as JSON) the same way `parseDsl` does. */
export function readDocument(value: unknown): ParseResult {
  if (!isRecord(value)) {
    return {
      errors: [{ code: 'invalid_structure', message: 'The DSL must be a YAML mapping with the keys version, kind, app and workflow' }],
      ok: false,
    };
  }
  const problems: DslProblem[] = [];
  const warnings: string[] = [];
  // Kept apart from the graph so that normalizing node data never changes what `raw` reports.
  const raw = structuredClone(value);

  const version = checkDslVersion(value.version);
  if (version.problem) problems.push(version.problem);
  if (version.warning) warnings.push(version.warning);
  raw.version = version.version;
  raw.kind = 'app';

  const appResult = DslAppSchema.safeParse(value.app);
  if (!isRecord(value.app)) {
    problems.push({ code: 'invalid_structure', message: 'The DSL has no app section (name, mode, icon, description)', path: 'app' });
  } else if (!appResult.success) {
    problems.push(...zodProblems(appResult.error.issues, 'app', 'The app section'));
  }
  const app = asRecord(value.app);
  const modeValue = app.mode;
  const mode = (APP_MODES as readonly unknown[]).includes(modeValue) ? (modeValue as AppMode) : undefined;
  if (typeof modeValue === 'string' && !mode) {
    problems.push({
      code: 'invalid_app_mode',
      message: `app.mode "${modeValue}" is not an app mode; expected one of ${APP_MODES.join(', ')}`,
      path: 'app.mode',
    });
  }

  const dependencies = value.dependencies ?? [];
  if (!Array.isArray(dependencies) || !dependencies.every(isRecord)) {
    problems.push({ code: 'invalid_structure', message: 'dependencies must be a list of plugin dependencies', path: 'dependencies' });
  }

  let graph: WorkflowGraph | null = null;
  let features: Record<string, unknown> = {};
  let environmentVariables: EnvironmentVariable[] = [];
  let conversationVariables: ConversationVariable[] = [];
  let modelConfig: Record<string, unknown> | null = null;

  if (mode && (WORKFLOW_APP_MODES as readonly string[]).includes(mode)) {
    const workflow = DslWorkflowSchema.safeParse(value.workflow);
    if (!isRecord(value.workflow)) {
      problems.push({ code: 'invalid_structure', message: `A ${mode} app needs a workflow section with its graph`, path: 'workflow' });
    } else if (!workflow.success) {
      problems.push(...zodProblems(workflow.error.issues, 'workflow', 'The workflow section'));
    } else {
      const section = workflow.data;
      features = section.features ?? {};
      environmentVariables = (section.environment_variables ?? []) as EnvironmentVariable[];
      conversationVariables = (section.conversation_variables ?? []) as ConversationVariable[];
      const draft = readGraph(
        section.graph.nodes ?? [],
        section.graph.edges ?? [],
        mode,
        environmentVariables,
        conversationVariables,
        problems,
      );
      removeNotes(raw, draft.noteIds);
      const checked = validateGraph(draft.graph);
      problems.push(...checked.problems);
      warnings.push(...checked.warnings);
      if (!problems.some((found) => !isWarningProblem(found))) graph = buildGraph(draft.graph, section.graph.viewport ?? null);
    }
  } else if (mode) {
    if (!isRecord(value.model_config)) {
      problems.push({ code: 'invalid_structure', message: `A ${mode} app needs a model_config mapping`, path: 'model_config' });
    } else {
      modelConfig = structuredClone(value.model_config);
    }
  }

  if (problems.some((found) => !isWarningProblem(found)) || !mode) return { errors: problems, ok: false };
  const iconType = typeof app.icon_type === 'string' && ICON_TYPES.includes(app.icon_type) ? (app.icon_type as IconType) : 'emoji';
  return {
    app: {
      conversationVariables,
      dependencies: dependencies as Record<string, unknown>[],
      description: typeof app.description === 'string' ? app.description : '',
      environmentVariables,
      features,
      graph,
      icon: app.icon === undefined || app.icon === null ? '🤖' : String(app.icon),
      iconBackground: typeof app.icon_background === 'string' ? app.icon_background : '#FFEAD5',
      iconType,
      mode,
      modelConfig,
      name: app.name === undefined || app.name === null ? '' : String(app.name),
      raw,
      useIconAsAnswerIcon: app.use_icon_as_answer_icon === true,
      version: version.version,
    },
    ok: true,
    problems,
    warnings,
  };
}

function readGraph(
  rawNodes: unknown[],
  rawEdges: unknown[],
  mode: AppMode,
  environmentVariables: EnvironmentVariable[],
  conversationVariables: ConversationVariable[],
  problems: DslProblem[],
): { graph: DraftGraph; noteIds: Set<string> } {
  const nodes = new Map<string, DraftNode>();
  const firstIndex = new Map<string, number>();
  const noteIds = new Set<string>();

  rawNodes.forEach((rawNode, index) => {
    const path = `workflow.graph.nodes[${index}]`;
    if (!isRecord(rawNode)) {
      problems.push({ code: 'invalid_structure', message: `${path} must be a mapping with id, type and data`, path });
      return;
    }
    if (isNote(rawNode)) {
      if (rawNode.id !== undefined && rawNode.id !== null) noteIds.add(String(rawNode.id));
      return;
    }
    const wrapper = DslNodeSchema.safeParse(rawNode);
    const id = typeof rawNode.id === 'string' || typeof rawNode.id === 'number' ? String(rawNode.id) : undefined;
    if (!wrapper.success) {
      problems.push(...zodProblems(wrapper.error.issues, path, id ? `node "${id}"` : `${path}`, id));
      if (!id) return;
    }
    const nodeId = id as string;
    let data: NodeData = (isRecord(rawNode.data) ? rawNode.data : { type: '' }) as NodeData;
    const type = typeof data.type === 'string' ? data.type : '';
    const label = `node "${nodeId}"`;
    let status: DraftNode['status'] = wrapper.success ? 'ok' : 'opaque';
    if (wrapper.success && data.type === '') {
      problems.push({
        code: 'invalid_structure',
        message: `${label}: data.type is empty; it should name the node type`,
        nodeId,
        path: `${path}.data.type`,
      });
      status = 'opaque';
    }

    const common = NodeDataCommonSchema.safeParse(data);
    if (wrapper.success && !common.success) {
      problems.push(...zodProblems(common.error.issues, `${path}.data`, label, nodeId, 'data'));
      status = 'opaque';
    }

    const contract = nodeTypeContract(type);
    if (type !== '' && !contract) {
      status = 'opaque';
      if (isUnsupportedNodeType(type)) {
        problems.push({
          code: 'unsupported_node_type',
          message: `${label}${titleSuffix(data)} is a "${type}" node, which Weft cannot run: ${UNSUPPORTED_NODE_TYPES[type]}`,
          nodeId,
          path: `${path}.data.type`,
        });
      } else {
        problems.push({
          code: 'unknown_node_type',
          message: `unknown node type "${type}" in node "${nodeId}"`,
          nodeId,
          path: `${path}.data.type`,
        });
      }
    }

    let legacyIfElse = false;
    if (type === 'if-else' && !Array.isArray(data.cases) && Array.isArray(data.conditions)) {
      // Dify before 0.8 had one condition list per if-else; it is the case whose handle is "true".
      const { conditions, logical_operator: logicalOperator, ...rest } = data;
      data = { ...rest, cases: [{ case_id: 'true', conditions, logical_operator: logicalOperator ?? 'and' }] } as NodeData;
      legacyIfElse = true;
    }

    const schema = contract?.dataSchema;
    if (status === 'ok' && schema) {
      const typed = schema.safeParse(data);
      if (!typed.success) {
        const issues = typed.error.issues.map((issue) =>
          legacyIfElse && issue.path[0] === 'cases' && issue.path[1] === 0 ? { ...issue, path: issue.path.slice(2) } : issue,
        );
        problems.push(...zodProblems(issues, `${path}.data`, `${label}${titleSuffix(data)}`, nodeId, 'data'));
        status = 'opaque';
      }
    }

    if (firstIndex.has(nodeId)) {
      problems.push({
        code: 'duplicate_node_id',
        message: `Two nodes have the id "${nodeId}" (workflow.graph.nodes[${firstIndex.get(nodeId)}] and ${path}); node ids must be unique`,
        nodeId,
        path: `${path}.id`,
      });
      return;
    }
    firstIndex.set(nodeId, index);

    const { data: _data, id: _id, parentId: wrapperParent, ...ui } = rawNode;
    const parent = [wrapperParent, data.iteration_id, data.loop_id].find(
      (candidate) => (typeof candidate === 'string' && candidate !== '') || typeof candidate === 'number',
    );
    nodes.set(nodeId, {
      data,
      id: nodeId,
      index,
      legacyIfElse,
      parentId: parent === undefined ? undefined : String(parent),
      status,
      title: data.title === undefined || data.title === null ? '' : String(data.title),
      type,
      ui,
    });
  });

  const edges: DraftEdge[] = [];
  rawEdges.forEach((rawEdge, index) => {
    const path = `workflow.graph.edges[${index}]`;
    if (!isRecord(rawEdge)) {
      problems.push({ code: 'invalid_structure', message: `${path} must be a mapping with source and target`, path });
      return;
    }
    const parsed = DslEdgeSchema.safeParse(rawEdge);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error.issues, path, rawEdge.id ? `edge "${String(rawEdge.id)}"` : path));
      return;
    }
    const source = String(parsed.data.source);
    const target = String(parsed.data.target);
    // Notes have no edges in editor exports; a hand-edited one pointing at a note goes with the note.
    if (noteIds.has(source) || noteIds.has(target)) return;
    const sourceHandle =
      parsed.data.sourceHandle === undefined || parsed.data.sourceHandle === null ? 'source' : String(parsed.data.sourceHandle);
    const { id, source: _source, sourceHandle: _sourceHandle, target: _target, ...ui } = rawEdge;
    edges.push({
      // ReactFlow's own id scheme, for the rare hand-written edge without one.
      id: id === undefined || id === null ? `${source}-${sourceHandle}-${target}-${String(ui.targetHandle ?? 'target')}` : String(id),
      index,
      source,
      sourceHandle,
      target,
      ui,
    });
  });

  return {
    graph: {
      conversationVariables: new Set(conversationVariables.map((variable) => variable.name)),
      edges,
      environmentVariables: new Set(environmentVariables.map((variable) => variable.name)),
      mode,
      nodes,
    },
    noteIds,
  };
}

function buildGraph(draft: DraftGraph, viewport: Viewport | null): WorkflowGraph {
  const nodes: Record<string, GraphNode> = {};
  const containers: Record<string, GraphContainer> = {};
  let startNodeId = '';
  for (const node of draft.nodes.values()) {
    nodes[node.id] = {
      data: node.data,
      id: node.id,
      ...(node.parentId === undefined ? {} : { parentId: node.parentId }),
      title: node.title,
      type: node.type as SupportedNodeType,
      ui: node.ui,
    };
    if (node.type === 'start') startNodeId = node.id;
    if (isContainerNodeType(node.type)) {
      containers[node.id] = { childIds: [], id: node.id, kind: node.type, startNodeId: String(node.data.start_node_id) };
    }
  }
  for (const node of draft.nodes.values()) if (node.parentId !== undefined) containers[node.parentId].childIds.push(node.id);
  const edges: GraphEdge[] = draft.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle,
    target: edge.target,
    ui: edge.ui,
  }));
  return { containers, edges, nodes, startNodeId, viewport: viewport ? { x: viewport.x, y: viewport.y, zoom: viewport.zoom } : null };
}

function isNote(node: Record<string, unknown>): boolean {
  return node.type === NOTE_NODE_TYPE || asRecord(node.data).type === NOTE_NODE_TYPE;
}

function removeNotes(raw: Record<string, unknown>, noteIds: Set<string>): void {
  const graph = asRecord(asRecord(raw.workflow).graph);
  if (Array.isArray(graph.nodes)) graph.nodes = graph.nodes.filter((node) => !(isRecord(node) && isNote(node)));
  if (Array.isArray(graph.edges) && noteIds.size > 0) {
    graph.edges = graph.edges.filter((edge) => !(isRecord(edge) && (noteIds.has(String(edge.source)) || noteIds.has(String(edge.target)))));
  }
}

function isUnsupportedNodeType(type: string): type is UnsupportedNodeType {
  return Object.hasOwn(UNSUPPORTED_NODE_TYPES, type);
}

function titleSuffix(data: NodeData): string {
  return typeof data.title === 'string' && data.title !== '' ? ` ("${data.title}")` : '';
}

function zodProblems(issues: ZodIssue[], basePath: string, subject: string, nodeId?: string, fieldPrefix?: string): DslProblem[] {
  return issues.map((issue) => {
    const relative = formatPath(issue.path);
    const field = fieldPrefix === undefined ? relative : joinPath(fieldPrefix, relative);
    return {
      code: 'invalid_structure' as const,
      message: `${subject}: ${field === '' ? 'the value' : field} ${describeIssue(issue)}`,
      ...(nodeId === undefined ? {} : { nodeId }),
      path: joinPath(basePath, relative),
    };
  });
}

function joinPath(base: string, relative: string): string {
  if (relative === '') return base;
  return relative.startsWith('[') ? `${base}${relative}` : `${base}.${relative}`;
}

function describeIssue(issue: ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined') return 'is missing';
    return `should be ${article(issue.expected)}, not ${article(issue.received)}`;
  }
  if (issue.code === 'invalid_enum_value')
    return `should be one of ${issue.options.map((option) => `"${String(option)}"`).join(', ')}, not "${String(issue.received)}"`;
  if (issue.code === 'invalid_union') return 'has the wrong type';
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

function article(type: string): string {
  const names: Record<string, string> = {
    array: 'a list',
    object: 'a mapping',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  return names[type] ?? type;
}

function formatPath(path: (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
