import type { ZodTypeAny } from 'zod';
import type { NodeData, SupportedNodeType } from '../dsl/dsl.types';
import type { VariableValueType } from '../variables/variable.types';

/** The service that executes a node: cheap, pure nodes stay in the orchestrator; I/O and user code go to node runners. */
export type NodeRunsIn = 'orchestrator' | 'node-runner';

/** A Dify variable type, or `any` / `array[any]` where the type follows the node's input or data. */
export type NodeOutputType = VariableValueType | 'any' | 'array[any]';

/** One output variable of a node, named and typed as Dify documents it. */
export interface NodeOutput {
  name: string;
  type: NodeOutputType;
}

/**
 * Where a reference is read from. `iteration-output` is the iteration's `output_selector`, which names a
 * node inside the iteration; `loop-break` is a loop's break condition, evaluated after each round, so it
 * may read the loop's own variables and the nodes inside it.
 */
export type ReferenceScope = 'normal' | 'iteration-output' | 'loop-break';

/** What a node type's `readReferences` reports each variable-reading field of its data to; paths are relative to `data`. */
export interface ReferenceReader {
  /** A field holding a selector `[nodeId, name, ...]`. */
  selector(value: unknown, path: string, scope?: ReferenceScope): void;
  /** A string whose `{{#node.var#}}` references count. */
  template(value: unknown, path: string): void;
  /** A list of if-else or loop conditions: each one's selector and the templates in its value. */
  conditions(value: unknown, path: string, scope: ReferenceScope): void;
  /** The `vision` setting's file selector, read only when vision is enabled. */
  vision(data: NodeData): void;
}

/** A list of comparison conditions in a node's data, for the import's operator check. */
export interface ConditionList {
  conditions: unknown[];
  /** Where the list is, from the node: `data.cases[0].conditions`. */
  path: string;
  /** How a message names the list: ` in case "x"`. */
  where: string;
}

/** The handles edges may leave a branching node by, and how a message names them. */
export interface SourceHandles {
  handles: string[];
  kind: string;
}

/** What every node type's descriptor holds, whatever its role. */
export interface NodeTypeContractBase {
  /** The service that executes the node. */
  runsIn: NodeRunsIn;
  /** The ReactFlow `type` Dify's editor wraps the node in when it exports it; absent means `custom`. */
  editorType?: string;
  /** Schema of the node's `data`, checked at import after the common fields; absent means the common fields only. */
  dataSchema?: ZodTypeAny;
  /** Outputs as Dify documents them; data-dependent ones (code outputs, start variables, ...) come from `outputNames`. */
  outputs: readonly NodeOutput[];
  /** The names one node of this type outputs, when they depend on its data; without it, the names of `outputs`. */
  outputNames?(data: NodeData): string[];
  /** Reports every variable the node's data reads. */
  readReferences?(data: NodeData, read: ReferenceReader): void;
  /** The handles edges may leave the node by; without it, only "source". */
  sourceHandles?(data: NodeData): SourceHandles;
  /** The comparison conditions the node's data holds. */
  conditionLists?(data: NodeData): ConditionList[];
  /** True when the node streams its `text` output as it is produced (llm, agent), so answers and ends can stream it. */
  streamsText?: boolean;
  /** What the import warns about one node of this type (a tool Weft cannot provide, ...); each reads after the node name. */
  importWarnings?(data: NodeData): string[];
}

/** An ordinary node: it runs once each time the run reaches it. */
export interface StepNodeTypeContract extends NodeTypeContractBase {
  role: 'step';
}

/** An iteration or loop: it holds a body of nodes, entered at a marker node of type `bodyStart`. */
export interface ContainerNodeTypeContract extends NodeTypeContractBase {
  role: 'container';
  bodyStart: SupportedNodeType;
  /** Variables offered only to the nodes inside it: the current item and index, or the loop variables. */
  insideOutputs(data: NodeData): string[];
}

/** A node with no work of its own that marks a place in a container's body (its start, a loop's end). */
export interface MarkerNodeTypeContract extends NodeTypeContractBase {
  role: 'marker';
  /** The container type the marker must sit in. */
  container: SupportedNodeType;
}

/** Everything Weft knows about one node type, in one place: where it runs, its data, its outputs, what it reads. */
export type NodeTypeContract = StepNodeTypeContract | ContainerNodeTypeContract | MarkerNodeTypeContract;
