import { nodeTypeContract } from '../nodes/node-types.contract';
import { dumpYaml } from './dsl-yaml.util';
import {
  CURRENT_DSL_VERSION,
  type DslDocument,
  type DslEdge,
  type DslNode,
  type DslWorkflowSection,
  type ExportDslOptions,
  type GraphEdge,
  type GraphNode,
  type ParsedApp,
  type WorkflowGraph,
} from './dsl.types';

// Inner nodes sit above their container in the editor; these are the z-indexes Dify's editor writes.
const INNER_Z_INDEX = 1002;

/** Writes an app as the YAML Dify exports (DSL 0.6.0); secret environment values are blanked unless `includeSecrets`. */
export function exportDsl(app: ParsedApp, opts: ExportDslOptions = {}): string {
  const document: DslDocument = {
    app: {
      description: app.description,
      icon: app.icon,
      icon_background: app.iconBackground,
      icon_type: app.iconType,
      mode: app.mode,
      name: app.name,
      use_icon_as_answer_icon: app.useIconAsAnswerIcon,
    },
    dependencies: app.dependencies,
    kind: 'app',
    version: CURRENT_DSL_VERSION,
  };
  if (app.graph) {
    document.workflow = {
      conversation_variables: app.conversationVariables,
      environment_variables: app.environmentVariables.map((variable) =>
        variable.value_type === 'secret' && !opts.includeSecrets ? { ...variable, value: '' } : variable,
      ),
      features: app.features,
      graph: exportGraph(app.graph),
    };
  } else {
    document.model_config = app.modelConfig ?? {};
  }
  return dumpYaml(document);
}

function exportGraph(graph: WorkflowGraph): DslWorkflowSection['graph'] {
  return {
    edges: graph.edges.map((edge) => exportEdge(edge, graph)),
    nodes: Object.values(graph.nodes).map(exportNode),
    viewport: graph.viewport ?? { x: 0, y: 0, zoom: 1 },
  };
}

// Editor keys come back as imported; the defaults only fill in for nodes built in code, so that the
// editor can still open the result.
function exportNode(node: GraphNode): DslNode {
  return {
    position: { x: 0, y: 0 },
    sourcePosition: 'right',
    targetPosition: 'left',
    type: nodeTypeContract(node.type)?.editorType ?? 'custom',
    ...(node.parentId === undefined ? {} : { zIndex: INNER_Z_INDEX }),
    ...node.ui,
    data: node.data,
    id: node.id,
    ...(node.parentId === undefined ? {} : { parentId: node.parentId }),
  };
}

function exportEdge(edge: GraphEdge, graph: WorkflowGraph): DslEdge {
  const source = graph.nodes[edge.source];
  const target = graph.nodes[edge.target];
  const container = source?.parentId === undefined ? undefined : graph.containers[source.parentId];
  return {
    data: {
      isInIteration: container?.kind === 'iteration',
      isInLoop: container?.kind === 'loop',
      ...(container === undefined ? {} : { [`${container.kind}_id`]: container.id }),
      sourceType: source?.type,
      targetType: target?.type,
    },
    targetHandle: 'target',
    type: 'custom',
    zIndex: container === undefined ? 0 : INNER_Z_INDEX,
    ...edge.ui,
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle,
    target: edge.target,
  };
}
