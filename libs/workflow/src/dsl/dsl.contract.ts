import { z } from 'zod';

// Schemas check shape only where a wrong shape would make the graph unreadable; every object is
// `.passthrough()` so editor-only keys (selected, width, isInIteration, ...) survive to export.
// Selectors are typed `unknown` here because their checks (with friendlier messages) live in
// dsl-references.util.ts. Each node type's own `data` schema is in its contract under ../nodes.

const idSchema = z.union([z.string().min(1), z.number()]);

/** `app` section of the DSL. */
export const DslAppSchema = z
  .object({
    description: z.string().nullish(),
    icon: z.union([z.string(), z.number()]).nullish(),
    icon_background: z.string().nullish(),
    icon_type: z.string().nullish(),
    mode: z.string(),
    name: z.union([z.string(), z.number()]).nullish(),
    use_icon_as_answer_icon: z.boolean().nullish(),
  })
  .passthrough();

/** An entry of `workflow.environment_variables`. */
export const EnvironmentVariableSchema = z
  .object({
    description: z.string().nullish(),
    id: z.string().nullish(),
    name: z.string().min(1),
    value: z.unknown(),
    value_type: z.string(),
  })
  .passthrough();

/** An entry of `workflow.conversation_variables`. */
export const ConversationVariableSchema = z
  .object({
    description: z.string().nullish(),
    id: z.string().nullish(),
    name: z.string().min(1),
    selector: z.array(z.string()).nullish(),
    value: z.unknown(),
    value_type: z.string(),
  })
  .passthrough();

/** `workflow.graph`: node and edge entries are checked one by one so that each problem names its node. */
export const DslGraphSchema = z
  .object({
    edges: z.array(z.unknown()).nullish(),
    nodes: z.array(z.unknown()).nullish(),
    viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number() }).passthrough().nullish(),
  })
  .passthrough();

/** `workflow` section of the DSL. */
export const DslWorkflowSchema = z
  .object({
    conversation_variables: z.array(ConversationVariableSchema).nullish(),
    environment_variables: z.array(EnvironmentVariableSchema).nullish(),
    features: z.record(z.unknown()).nullish(),
    graph: DslGraphSchema,
  })
  .passthrough();

/** Fields common to every node's `data` (graphon `base_node_data.py`). */
export const NodeDataCommonSchema = z
  .object({
    default_value: z.array(z.object({ key: z.string(), type: z.string(), value: z.unknown() }).passthrough()).nullish(),
    desc: z.string().nullish(),
    // The editor's "none" choice is not an engine strategy; it is accepted and treated as no strategy.
    error_strategy: z.enum(['fail-branch', 'default-value', 'none']).nullish(),
    retry_config: z
      .object({
        max_retries: z.number().int().min(0).nullish(),
        retry_enabled: z.boolean().nullish(),
        retry_interval: z.number().min(0).nullish(),
      })
      .passthrough()
      .nullish(),
    title: z.union([z.string(), z.number()]).nullish(),
    type: z.string(),
    version: z.union([z.string(), z.number()]).nullish(),
  })
  .passthrough();

/** The ReactFlow wrapper around a node's `data`. */
export const DslNodeSchema = z
  .object({
    data: z.record(z.unknown()),
    id: idSchema,
    parentId: idSchema.nullish(),
    type: z.string().nullish(),
  })
  .passthrough();

/** A graph edge; only `source`, `target` and `sourceHandle` matter to the engine. */
export const DslEdgeSchema = z
  .object({
    data: z.record(z.unknown()).nullish(),
    id: z.union([z.string(), z.number()]).nullish(),
    source: idSchema,
    sourceHandle: z.union([z.string(), z.number(), z.boolean()]).nullish(),
    target: idSchema,
    targetHandle: z.string().nullish(),
  })
  .passthrough();

/** One condition of an if-else case or a loop's break conditions. */
export const DslConditionSchema = z
  .object({
    comparison_operator: z.string(),
    sub_variable_condition: z
      .object({
        conditions: z.array(z.object({ comparison_operator: z.string(), key: z.string().nullish() }).passthrough()).nullish(),
        logical_operator: z.enum(['and', 'or']).nullish(),
      })
      .passthrough()
      .nullish(),
    value: z.unknown(),
    variable_selector: z.unknown(),
  })
  .passthrough();
