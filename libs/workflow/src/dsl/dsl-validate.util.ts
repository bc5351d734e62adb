import { COMPARISON_OPERATORS } from '../conditions';
import { isContainerNodeType, nodeTypeContract } from '../nodes/node-types.contract';
import { SYSTEM_VARIABLE_NAMES } from '../variables';
import type { DraftEdge, DraftGraph, DraftNode } from './dsl-draft.types';
import { buildAdjacency, findCycles, reachable } from './dsl-graph.util';
import { collectReferences, containerInsideOutputs, nodeOutputs, type NodeReference } from './dsl-references.util';
import { asList, asRecord } from './dsl-value.util';
import type { DslProblem } from './dsl.types';

const FAIL_BRANCH_HANDLES = ['fail-branch', 'success-branch'];
const OPERATORS = new Set<string>(COMPARISON_OPERATORS);
// `sys.*` variables that exist only in chatflow (advanced-chat) runs.
const CHAT_SYSTEM_VARIABLES: readonly string[] = ['query', 'conversation_id', 'dialogue_count'];
const WORKFLOW_SYSTEM_VARIABLES: readonly string[] = SYSTEM_VARIABLE_NAMES.filter((name) => !CHAT_SYSTEM_VARIABLES.includes(name));
// Recent Dify releases migrate `sys.files` (and chatflow `sys.query`) to `userinput.*`, an alias of the
// start node's inputs; their own exports already contain it, so it is accepted alongside `sys`.
const USER_INPUT_ROOT = 'userinput';

/** Names a node in a message the way the editor shows it: id, then title. */
export function describeNode(node: DraftNode): string {
  return node.title ? `${node.type} node "${node.id}" ("${node.title}")` : `${node.type} node "${node.id}"`;
}

/** Checks a workflow graph and returns every problem found, plus warnings that do not stop an import. */
export function validateGraph(graph: DraftGraph): { problems: DslProblem[]; warnings: string[] } {
  const problems: DslProblem[] = [];
  const warnings: string[] = [];
  const { nodes } = graph;

  const parentOf = checkContainers(graph, problems);
  const startId = checkStartNodes(graph, parentOf, problems);
  const edges = checkEdges(graph, parentOf, problems);
  const adjacency = buildAdjacency(nodes.keys(), edges);

  for (const cycle of findCycles([...nodes.keys()], adjacency.successors)) {
    const container = parentOf.get(cycle[0]);
    const where = container ? ` inside ${describeNode(nodes.get(container) as DraftNode)}` : '';
    const what =
      cycle.length === 1 ? `node "${cycle[0]}" has an edge to itself` : `nodes ${cycle.map((id) => `"${id}"`).join(', ')} form a cycle`;
    problems.push({
      code: 'cycle',
      message: `${what}${where}; a workflow cannot loop back on itself, so repeat steps with a loop or iteration node instead`,
      nodeId: cycle[0],
    });
  }

  warnUnreachable(graph, parentOf, startId, adjacency.successors, warnings);
  for (const node of nodes.values()) {
    if (node.status !== 'ok') continue;
    for (const warning of nodeTypeContract(node.type)?.importWarnings?.(node.data) ?? []) warnings.push(`${describeNode(node)} ${warning}`);
  }
  for (const node of nodes.values()) if (node.status === 'ok') checkOperators(node, problems);
  checkReferences(graph, parentOf, adjacency.predecessors, problems);

  return { problems: dedupe(problems), warnings };
}

function checkContainers(graph: DraftGraph, problems: DslProblem[]): Map<string, string> {
  const { nodes } = graph;
  // Only parents that exist and are containers count, so one misplaced node does not cascade into edge
  // and reference problems that would hide the real one.
  const parentOf = new Map<string, string>();
  for (const node of nodes.values()) {
    if (node.parentId === undefined) continue;
    const parent = nodes.get(node.parentId);
    const at = nodePath(node, 'parentId');
    if (!parent) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} is placed inside node "${node.parentId}", which does not exist`,
        nodeId: node.id,
        path: at,
      });
    } else if (!isContainerNodeType(parent.type)) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} is placed inside ${describeNode(parent)}, which is not an iteration or loop node`,
        nodeId: node.id,
        path: at,
      });
    } else {
      parentOf.set(node.id, parent.id);
    }
  }

  for (const node of nodes.values()) {
    const contract = nodeTypeContract(node.type);
    const container = contract?.role === 'marker' ? contract.container : undefined;
    const parent = parentOf.get(node.id);
    if (container && (!parent || nodes.get(parent)?.type !== container)) {
      problems.push({ code: 'invalid_container', message: `${describeNode(node)} must be inside a ${container} node`, nodeId: node.id });
    }
    if (node.type === 'start' && node.parentId !== undefined) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} is inside an iteration or loop; the start node must be at the top level`,
        nodeId: node.id,
      });
    }
    if (contract?.role !== 'container' || node.status !== 'ok') continue;
    const startNodeId = node.data.start_node_id;
    const expected = contract.bodyStart;
    const at = nodePath(node, 'data.start_node_id');
    if (startNodeId === undefined || startNodeId === null || startNodeId === '') {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} has no start_node_id; it needs a ${expected} node inside it`,
        nodeId: node.id,
        path: at,
      });
      continue;
    }
    const start = nodes.get(String(startNodeId));
    if (!start) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} starts at node "${String(startNodeId)}", which does not exist`,
        nodeId: node.id,
        path: at,
      });
    } else if (parentOf.get(start.id) !== node.id) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} starts at ${describeNode(start)}, which is not inside it`,
        nodeId: node.id,
        path: at,
      });
    } else if (start.type !== expected) {
      problems.push({
        code: 'invalid_container',
        message: `${describeNode(node)} starts at ${describeNode(start)}, which is not a ${expected} node`,
        nodeId: node.id,
        path: at,
      });
    }
  }
  return parentOf;
}

function checkStartNodes(graph: DraftGraph, parentOf: Map<string, string>, problems: DslProblem[]): string | undefined {
  const starts = [...graph.nodes.values()].filter((node) => node.type === 'start' && !parentOf.has(node.id) && node.parentId === undefined);
  if (starts.length === 0) {
    problems.push({ code: 'missing_start_node', message: `The workflow has no start node; a ${graph.mode} app needs exactly one` });
    return undefined;
  }
  if (starts.length > 1) {
    problems.push({
      code: 'multiple_start_nodes',
      message: `The workflow has ${starts.length} start nodes (${starts.map((node) => `"${node.id}"`).join(', ')}); it needs exactly one`,
      nodeId: starts[1].id,
    });
    return undefined;
  }
  return starts[0].id;
}

function checkEdges(graph: DraftGraph, parentOf: Map<string, string>, problems: DslProblem[]): DraftEdge[] {
  const { nodes } = graph;
  const valid: DraftEdge[] = [];
  for (const edge of graph.edges) {
    const path = `workflow.graph.edges[${edge.index}]`;
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    if (!source)
      problems.push({
        code: 'unknown_edge_node',
        message: `edge "${edge.id}" starts at node "${edge.source}", which does not exist`,
        path: `${path}.source`,
      });
    if (!target)
      problems.push({
        code: 'unknown_edge_node',
        message: `edge "${edge.id}" ends at node "${edge.target}", which does not exist`,
        path: `${path}.target`,
      });
    if (!source || !target) continue;

    const sourceParent = parentOf.get(source.id);
    const targetParent = parentOf.get(target.id);
    if (sourceParent !== targetParent) {
      const place = (parent: string | undefined): string => (parent ? `inside node "${parent}"` : 'at the top level');
      problems.push({
        code: 'edge_crosses_container',
        message: `edge "${edge.id}" joins ${describeNode(source)}, ${place(sourceParent)}, to ${describeNode(target)}, ${place(targetParent)}; edges cannot cross the border of an iteration or loop`,
        nodeId: source.id,
        path,
      });
      continue;
    }
    valid.push(edge);
    if (source.status === 'ok') checkSourceHandle(edge, source, path, problems);
  }
  return valid;
}

function checkSourceHandle(edge: DraftEdge, source: DraftNode, path: string, problems: DslProblem[]): void {
  const handle = edge.sourceHandle;
  const failBranch = source.data.error_strategy === 'fail-branch';
  if (FAIL_BRANCH_HANDLES.includes(handle)) {
    if (!failBranch) {
      problems.push({
        code: 'invalid_source_handle',
        message: `edge "${edge.id}" leaves ${describeNode(source)} by its "${handle}" handle, but the node's error_strategy is not fail-branch`,
        nodeId: source.id,
        path: `${path}.sourceHandle`,
      });
    }
    return;
  }
  const only = { handles: ['source'], kind: 'its only handle' };
  const { handles: allowed, kind } = nodeTypeContract(source.type)?.sourceHandles?.(source.data) ?? only;
  if (allowed.includes(handle)) return;
  problems.push({
    code: 'invalid_source_handle',
    message: `edge "${edge.id}" leaves ${describeNode(source)} by handle "${handle}", which is not ${kind} (${allowed.map((item) => `"${item}"`).join(', ')})`,
    nodeId: source.id,
    path: `${path}.sourceHandle`,
  });
}

function warnUnreachable(
  graph: DraftGraph,
  parentOf: Map<string, string>,
  startId: string | undefined,
  successors: Map<string, string[]>,
  warnings: string[],
): void {
  const roots = new Map<string | undefined, string>();
  if (startId) roots.set(undefined, startId);
  for (const node of graph.nodes.values()) {
    const startNodeId = node.data.start_node_id;
    const hasStart = typeof startNodeId === 'string' || typeof startNodeId === 'number';
    if (isContainerNodeType(node.type) && hasStart) roots.set(node.id, String(startNodeId));
  }
  const reached = new Map<string | undefined, Set<string>>();
  for (const [level, root] of roots) reached.set(level, new Set([root, ...reachable(root, successors)]));
  for (const node of graph.nodes.values()) {
    const seen = reached.get(parentOf.get(node.id));
    if (seen && !seen.has(node.id)) {
      const from = parentOf.has(node.id) ? 'the start of its iteration or loop' : 'the start node';
      warnings.push(`${describeNode(node)} is not connected to ${from} and will never run`);
    }
  }
}

function checkOperators(node: DraftNode, problems: DslProblem[]): void {
  const check = (condition: unknown, path: string, where: string): void => {
    const entry = asRecord(condition);
    const operator = entry.comparison_operator;
    if (typeof operator === 'string' && !OPERATORS.has(operator)) {
      problems.push({
        code: 'unknown_operator',
        message: `${describeNode(node)} uses the unknown comparison operator "${operator}"${where}; use one of: ${COMPARISON_OPERATORS.join(', ')}`,
        nodeId: node.id,
        path: nodePath(node, `${path}.comparison_operator`),
      });
    }
    asList(asRecord(entry.sub_variable_condition).conditions).forEach((sub, i) =>
      check(sub, `${path}.sub_variable_condition.conditions[${i}]`, where),
    );
  };
  for (const list of nodeTypeContract(node.type)?.conditionLists?.(node.data) ?? []) {
    list.conditions.forEach((condition, i) => check(condition, `${list.path}[${i}]`, list.where));
  }
}

function checkReferences(
  graph: DraftGraph,
  parentOf: Map<string, string>,
  predecessors: Map<string, string[]>,
  problems: DslProblem[],
): void {
  const { nodes } = graph;
  const chains = new Map<string, string[]>();
  const containerChain = (id: string): string[] => {
    let chain = chains.get(id);
    if (!chain) {
      chain = [];
      const seen = new Set<string>();
      for (let parent = parentOf.get(id); parent !== undefined && !seen.has(parent); parent = parentOf.get(parent)) {
        seen.add(parent);
        chain.push(parent);
      }
      chains.set(id, chain);
    }
    return chain;
  };
  const upstreams = new Map<string, Set<string>>();
  const upstream = (id: string): Set<string> => {
    let set = upstreams.get(id);
    if (!set) {
      // A node inside a container also sees everything that runs before the container.
      set = new Set([id, ...containerChain(id)].flatMap((member) => [...reachable(member, predecessors)]));
      upstreams.set(id, set);
    }
    return set;
  };

  for (const node of nodes.values()) {
    if (node.status !== 'ok') continue;
    const { invalid, references } = collectReferences(node);
    for (const bad of invalid) {
      problems.push({
        code: 'invalid_selector',
        message: `${describeNode(node)} has an invalid variable selector at ${referencePath(node, bad.path)}: expected a list such as ["node_id", "variable"], got ${JSON.stringify(bad.value)}`,
        nodeId: node.id,
        path: nodePath(node, referencePath(node, bad.path)),
      });
    }
    for (const reference of references) {
      const problem = checkReference(graph, node, reference, containerChain, upstream);
      if (problem) problems.push({ ...problem, nodeId: node.id, path: nodePath(node, referencePath(node, reference.path)) });
    }
  }
}

type ReferenceProblem = Pick<DslProblem, 'code' | 'message'>;

function checkReference(
  graph: DraftGraph,
  node: DraftNode,
  reference: NodeReference,
  containerChain: (id: string) => string[],
  upstream: (id: string) => Set<string>,
): ReferenceProblem | undefined {
  const [root, name] = reference.selector;
  const reads = `${describeNode(node)} reads ${reference.text}`;
  if (root === 'sys') {
    if (CHAT_SYSTEM_VARIABLES.includes(name)) {
      return graph.mode === 'advanced-chat'
        ? undefined
        : { code: 'unknown_variable', message: `${reads}, but sys.${name} exists only in chatflow (advanced-chat) apps` };
    }
    if (WORKFLOW_SYSTEM_VARIABLES.includes(name)) return undefined;
    const known = (graph.mode === 'advanced-chat' ? SYSTEM_VARIABLE_NAMES : WORKFLOW_SYSTEM_VARIABLES).map((item) => `sys.${item}`);
    return { code: 'unknown_variable', message: `${reads}, but sys.${name} is not a system variable (there are ${known.join(', ')})` };
  }
  if (root === 'env') {
    return graph.environmentVariables.has(name)
      ? undefined
      : { code: 'unknown_variable', message: `${reads}, but no environment variable "${name}" is declared` };
  }
  if (root === 'conversation') {
    return graph.conversationVariables.has(name)
      ? undefined
      : { code: 'unknown_variable', message: `${reads}, but no conversation variable "${name}" is declared` };
  }

  const target = graph.nodes.get(root);
  if (!target && root === USER_INPUT_ROOT) {
    const start = [...graph.nodes.values()].find((candidate) => candidate.type === 'start' && candidate.parentId === undefined);
    const known = [...(start ? (nodeOutputs(start) ?? []) : []), 'files', ...(graph.mode === 'advanced-chat' ? ['query'] : [])];
    return known.includes(name)
      ? undefined
      : { code: 'unknown_variable', message: `${reads}, but the start node has no input "${name}" (it has ${known.join(', ')})` };
  }
  if (!target) return { code: 'unknown_node_reference', message: `${reads}, but there is no node "${root}"` };
  const targetChain = containerChain(target.id);

  if (reference.scope === 'iteration-output') {
    if (target.id === node.id) return checkOutput(reads, target, name, containerInsideOutputs(target));
    if (!targetChain.includes(node.id)) {
      return {
        code: 'reference_not_upstream',
        message: `${reads}, but ${describeNode(target)} is not inside the iteration, so it cannot supply the iteration's output`,
      };
    }
    return checkOutput(reads, target, name, nodeOutputs(target));
  }
  if (reference.scope === 'loop-break') {
    // Break conditions are evaluated after each round, when the loop's variables and inner nodes have values.
    if (target.id === node.id) return checkOutput(reads, target, name, containerInsideOutputs(target));
    if (targetChain.includes(node.id)) return checkOutput(reads, target, name, nodeOutputs(target));
  }

  if (containerChain(node.id).includes(target.id)) {
    const inside = containerInsideOutputs(target);
    if (inside.includes(name)) return undefined;
    if (nodeOutputs(target)?.includes(name)) {
      return {
        code: 'reference_not_upstream',
        message: `${reads}, but ${describeNode(target)} has its "${name}" only after it finishes, and this node is inside it`,
      };
    }
    return checkOutput(reads, target, name, inside);
  }

  const outputs = nodeOutputs(target);
  if (outputs !== null && !outputs.includes(name) && containerInsideOutputs(target).includes(name)) {
    return { code: 'reference_not_upstream', message: `${reads}, but "${name}" is available only to nodes inside ${describeNode(target)}` };
  }
  const missing = checkOutput(reads, target, name, outputs);
  if (missing) return missing;
  if (!upstream(node.id).has(target.id)) {
    return {
      code: 'reference_not_upstream',
      message: `${reads}, but ${describeNode(target)} does not run before it (no path of edges leads from it to this node)`,
    };
  }
  return undefined;
}

function checkOutput(reads: string, target: DraftNode, name: string, outputs: string[] | null): ReferenceProblem | undefined {
  if (outputs === null || target.status !== 'ok' || outputs.includes(name)) return undefined;
  const has = outputs.length > 0 ? `it has ${outputs.join(', ')}` : 'it has no outputs';
  return { code: 'unknown_output', message: `${reads}, but ${describeNode(target)} has no output "${name}" (${has})` };
}

// Problems about a legacy if-else are reported where the author wrote them, not in the normalized form.
function referencePath(node: DraftNode, path: string): string {
  return node.legacyIfElse ? path.replace(/^data\.cases\[0\]\.conditions/, 'data.conditions') : path;
}

function nodePath(node: DraftNode, path: string): string {
  return `workflow.graph.nodes[${node.index}].${referencePath(node, path)}`;
}

function dedupe(problems: DslProblem[]): DslProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.code}\u0000${problem.path ?? ''}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
