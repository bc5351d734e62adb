import { SUPPORTED_NODE_TYPES, type SupportedNodeType } from '../dsl/dsl.types';
import { AGENT_NODE_CONTRACT } from './agent.contract';
import { ANSWER_NODE_CONTRACT } from './answer.contract';
import { ASSIGNER_NODE_CONTRACT } from './assigner.contract';
import { CODE_NODE_CONTRACT } from './code.contract';
import { DOCUMENT_EXTRACTOR_NODE_CONTRACT } from './document-extractor.contract';
import { END_NODE_CONTRACT } from './end.contract';
import { HTTP_REQUEST_NODE_CONTRACT } from './http-request.contract';
import { IF_ELSE_NODE_CONTRACT } from './if-else.contract';
import { ITERATION_START_NODE_CONTRACT } from './iteration-start.contract';
import { ITERATION_NODE_CONTRACT } from './iteration.contract';
import { KNOWLEDGE_RETRIEVAL_NODE_CONTRACT } from './knowledge-retrieval.contract';
import { LIST_OPERATOR_NODE_CONTRACT } from './list-operator.contract';
import { LLM_NODE_CONTRACT } from './llm.contract';
import { LOOP_END_NODE_CONTRACT } from './loop-end.contract';
import { LOOP_START_NODE_CONTRACT } from './loop-start.contract';
import { LOOP_NODE_CONTRACT } from './loop.contract';
import type { NodeTypeContract } from './node-type.types';
import { PARAMETER_EXTRACTOR_NODE_CONTRACT } from './parameter-extractor.contract';
import { QUESTION_CLASSIFIER_NODE_CONTRACT } from './question-classifier.contract';
import { START_NODE_CONTRACT } from './start.contract';
import { TEMPLATE_TRANSFORM_NODE_CONTRACT } from './template-transform.contract';
import { TOOL_NODE_CONTRACT } from './tool.contract';
import { VARIABLE_AGGREGATOR_NODE_CONTRACT } from './variable-aggregator.contract';

/**
 * Every node type Weft runs, with its descriptor. The key set is `SupportedNodeType`, so a type added
 * there does not compile until it has a contract here; the lists below, and the executor factories of
 * both services, are derived from this record.
 */
export const NODE_TYPE_CONTRACTS = {
  agent: AGENT_NODE_CONTRACT,
  answer: ANSWER_NODE_CONTRACT,
  assigner: ASSIGNER_NODE_CONTRACT,
  code: CODE_NODE_CONTRACT,
  'document-extractor': DOCUMENT_EXTRACTOR_NODE_CONTRACT,
  end: END_NODE_CONTRACT,
  'http-request': HTTP_REQUEST_NODE_CONTRACT,
  'if-else': IF_ELSE_NODE_CONTRACT,
  iteration: ITERATION_NODE_CONTRACT,
  'iteration-start': ITERATION_START_NODE_CONTRACT,
  'knowledge-retrieval': KNOWLEDGE_RETRIEVAL_NODE_CONTRACT,
  'list-operator': LIST_OPERATOR_NODE_CONTRACT,
  llm: LLM_NODE_CONTRACT,
  loop: LOOP_NODE_CONTRACT,
  'loop-end': LOOP_END_NODE_CONTRACT,
  'loop-start': LOOP_START_NODE_CONTRACT,
  'parameter-extractor': PARAMETER_EXTRACTOR_NODE_CONTRACT,
  'question-classifier': QUESTION_CLASSIFIER_NODE_CONTRACT,
  start: START_NODE_CONTRACT,
  'template-transform': TEMPLATE_TRANSFORM_NODE_CONTRACT,
  tool: TOOL_NODE_CONTRACT,
  'variable-aggregator': VARIABLE_AGGREGATOR_NODE_CONTRACT,
  // The legacy name of the variable-aggregator: one node, one contract.
  'variable-assigner': VARIABLE_AGGREGATOR_NODE_CONTRACT,
} as const satisfies Record<SupportedNodeType, NodeTypeContract>;

type Contracts = typeof NODE_TYPE_CONTRACTS;

/** The node types whose contract has `K` set to `V`. */
type NodeTypesWhere<K extends 'role' | 'runsIn', V> = {
  [T in SupportedNodeType]: Contracts[T][K] extends V ? T : never;
}[SupportedNodeType];

/** Node types whose contract runs them on a node runner (I/O, user code); the orchestrator dispatches them as jobs. */
export type NodeRunnerNodeType = NodeTypesWhere<'runsIn', 'node-runner'>;

/** Node types the orchestrator executes itself. */
export type OrchestratorNodeType = NodeTypesWhere<'runsIn', 'orchestrator'>;

/** Node types that hold a body of nodes (iteration, loop). */
export type ContainerNodeType = NodeTypesWhere<'role', 'container'>;

/** Node types that only mark a place in a container's body (its start, a loop's end). */
export type MarkerNodeType = NodeTypesWhere<'role', 'marker'>;

/** The contract of a node type, or undefined for a type Weft does not run (any string is safe to pass). */
export function nodeTypeContract(type: string): NodeTypeContract | undefined {
  return Object.hasOwn(NODE_TYPE_CONTRACTS, type) ? NODE_TYPE_CONTRACTS[type as SupportedNodeType] : undefined;
}

/** True for a node type that runs on a node runner. */
export function isNodeRunnerNodeType(type: string): type is NodeRunnerNodeType {
  return nodeTypeContract(type)?.runsIn === 'node-runner';
}

/** True for a node type the orchestrator executes itself. */
export function isOrchestratorNodeType(type: string): type is OrchestratorNodeType {
  return nodeTypeContract(type)?.runsIn === 'orchestrator';
}

/** True for a node type that streams its `text` output while it runs (llm, agent). */
export function streamsText(type: string | undefined): boolean {
  return type !== undefined && nodeTypeContract(type)?.streamsText === true;
}

/** True for a container node type (iteration, loop). */
export function isContainerNodeType(type: string): type is ContainerNodeType {
  return nodeTypeContract(type)?.role === 'container';
}

/** Node types that run on node runners, in `SUPPORTED_NODE_TYPES` order. */
export const NODE_RUNNER_NODE_TYPES: readonly NodeRunnerNodeType[] = SUPPORTED_NODE_TYPES.filter(isNodeRunnerNodeType);

/** Node types the orchestrator executes, in `SUPPORTED_NODE_TYPES` order. */
export const ORCHESTRATOR_NODE_TYPES: readonly OrchestratorNodeType[] = SUPPORTED_NODE_TYPES.filter(isOrchestratorNodeType);
