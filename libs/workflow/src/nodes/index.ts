/** The descriptor of every node type, and the lists derived from it. */
export {
  NODE_RUNNER_NODE_TYPES,
  NODE_TYPE_CONTRACTS,
  ORCHESTRATOR_NODE_TYPES,
  isContainerNodeType,
  isNodeRunnerNodeType,
  isOrchestratorNodeType,
  nodeTypeContract,
  streamsText,
  type ContainerNodeType,
  type MarkerNodeType,
  type NodeRunnerNodeType,
  type OrchestratorNodeType,
} from './node-types.contract';
export type {
  ConditionList,
  ContainerNodeTypeContract,
  MarkerNodeTypeContract,
  NodeOutput,
  NodeOutputType,
  NodeRunsIn,
  NodeTypeContract,
  NodeTypeContractBase,
  ReferenceReader,
  ReferenceScope,
  SourceHandles,
  StepNodeTypeContract,
} from './node-type.types';

/** Runtime schemas and typed views of node data, for executors that read a node's `data`. */
export {
  AGENT_STRATEGIES,
  AgentNodeDataSchema,
  agentParameter,
  agentTools,
  type AgentNodeData,
  type AgentStrategy,
  type AgentToolConfig,
} from './agent.contract';
export { AnswerNodeDataSchema, type AnswerNodeData } from './answer.contract';
export { AssignerNodeDataSchema, type AssignerNodeData } from './assigner.contract';
export { CodeNodeDataSchema, type CodeNodeData } from './code.contract';
export { EndNodeDataSchema, type EndNodeData } from './end.contract';
export { HttpRequestNodeDataSchema, type HttpRequestNodeData } from './http-request.contract';
export { IfElseCaseSchema, IfElseNodeDataSchema, type IfElseNodeData } from './if-else.contract';
export { IterationNodeDataSchema, type IterationNodeData } from './iteration.contract';
export { LlmNodeDataSchema, type LlmNodeData } from './llm.contract';
export { LoopNodeDataSchema, type LoopNodeData } from './loop.contract';
export { ToolNodeDataSchema, toolImportWarning, type ToolNodeData } from './tool.contract';
export { ParameterExtractorNodeDataSchema, type ParameterExtractorNodeData } from './parameter-extractor.contract';
export { QuestionClassifierNodeDataSchema, type QuestionClassifierNodeData } from './question-classifier.contract';
export { StartNodeDataSchema, type StartNodeData } from './start.contract';
export { TemplateTransformNodeDataSchema, type TemplateTransformNodeData } from './template-transform.contract';
export { VariableAggregatorNodeDataSchema, type VariableAggregatorNodeData } from './variable-aggregator.contract';
