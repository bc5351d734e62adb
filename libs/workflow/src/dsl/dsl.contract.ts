import { z } from 'zod';

// Schemas check shape only where a wrong shape would make the graph unreadable; every object is
// `.passthrough()` so editor-only keys (selected, width, isInIteration, ...) survive to export.
// Selectors are typed `unknown` here because their checks (with friendlier messages) live in
// dsl-references.util.ts.

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

/** One case of an if-else node; its `case_id` is the handle of the edge it takes. */
export const IfElseCaseSchema = z
  .object({
    case_id: z.union([z.string().min(1), z.number()]),
    conditions: z.array(DslConditionSchema),
    logical_operator: z.enum(['and', 'or']).nullish(),
  })
  .passthrough();

/** `data` of an if-else node after the legacy single-case form has been normalized into `cases`. */
export const IfElseNodeDataSchema = NodeDataCommonSchema.extend({ cases: z.array(IfElseCaseSchema) }).passthrough();

/** `data` of a start node. */
export const StartNodeDataSchema = NodeDataCommonSchema.extend({
  variables: z.array(z.object({ type: z.string().nullish(), variable: z.string().min(1) }).passthrough()).nullish(),
}).passthrough();

/** `data` of an end node. */
export const EndNodeDataSchema = NodeDataCommonSchema.extend({
  outputs: z.array(z.object({ value_selector: z.unknown(), variable: z.string().min(1) }).passthrough()).nullish(),
}).passthrough();

/** `data` of an answer node. */
export const AnswerNodeDataSchema = NodeDataCommonSchema.extend({ answer: z.string() }).passthrough();

/** `data` of an llm node. */
export const LlmNodeDataSchema = NodeDataCommonSchema.extend({
  model: z.object({ mode: z.string().nullish(), name: z.string(), provider: z.string() }).passthrough(),
  prompt_template: z.union([z.array(z.object({ role: z.string().nullish(), text: z.string().nullish() }).passthrough()), z.object({ text: z.string().nullish() }).passthrough()]),
}).passthrough();

/** `data` of a code node; `outputs` declares what the node produces. */
export const CodeNodeDataSchema = NodeDataCommonSchema.extend({
  code: z.string(),
  code_language: z.string().nullish(),
  outputs: z.record(z.object({ type: z.string() }).passthrough().nullable()).nullish(),
  variables: z.array(z.object({ value_selector: z.unknown(), variable: z.string() }).passthrough()).nullish(),
}).passthrough();

/** `data` of a template-transform node. */
export const TemplateTransformNodeDataSchema = NodeDataCommonSchema.extend({
  template: z.string(),
  variables: z.array(z.object({ value_selector: z.unknown(), variable: z.string() }).passthrough()).nullish(),
}).passthrough();

/** `data` of a question-classifier node; each class `id` is the handle of the edge it takes. */
export const QuestionClassifierNodeDataSchema = NodeDataCommonSchema.extend({
  classes: z.array(z.object({ id: z.union([z.string().min(1), z.number()]), name: z.string().nullish() }).passthrough()),
}).passthrough();

/** `data` of an http-request node. */
export const HttpRequestNodeDataSchema = NodeDataCommonSchema.extend({ method: z.string(), url: z.string() }).passthrough();

/** `data` of an iteration node. */
export const IterationNodeDataSchema = NodeDataCommonSchema.extend({
  iterator_selector: z.unknown(),
  output_selector: z.unknown(),
  start_node_id: z.union([z.string(), z.number()]).nullish(),
}).passthrough();

/** `data` of a loop node; its loop variables are its outputs. */
export const LoopNodeDataSchema = NodeDataCommonSchema.extend({
  break_conditions: z.array(DslConditionSchema).nullish(),
  logical_operator: z.enum(['and', 'or']).nullish(),
  loop_count: z.number().int().min(0).nullish(),
  loop_variables: z.array(z.object({ label: z.string().min(1), value_type: z.string().nullish(), var_type: z.string().nullish() }).passthrough()).nullish(),
  start_node_id: z.union([z.string(), z.number()]).nullish(),
}).passthrough();

/** `data` of a parameter-extractor node; each parameter becomes an output. */
export const ParameterExtractorNodeDataSchema = NodeDataCommonSchema.extend({
  parameters: z.array(z.object({ name: z.string().min(1), type: z.string().nullish() }).passthrough()),
}).passthrough();

/** `data` of a variable-aggregator node (and of the legacy variable-assigner, which is the same node). */
export const VariableAggregatorNodeDataSchema = NodeDataCommonSchema.extend({
  advanced_settings: z
    .object({
      group_enabled: z.boolean().nullish(),
      groups: z.array(z.object({ group_name: z.string().min(1), variables: z.array(z.unknown()).nullish() }).passthrough()).nullish(),
    })
    .passthrough()
    .nullish(),
  variables: z.array(z.unknown()).nullish(),
}).passthrough();

/** `data` of an assigner node (v2 `items`, or the v1 single assignment). */
export const AssignerNodeDataSchema = NodeDataCommonSchema.extend({
  items: z.array(z.object({ input_type: z.string().nullish(), operation: z.string().nullish(), variable_selector: z.unknown() }).passthrough()).nullish(),
}).passthrough();

/** Per-type `data` schemas; types not listed are checked against the common fields only. */
export const NODE_DATA_SCHEMAS: Partial<Record<string, z.ZodTypeAny>> = {
  answer: AnswerNodeDataSchema,
  assigner: AssignerNodeDataSchema,
  code: CodeNodeDataSchema,
  end: EndNodeDataSchema,
  'http-request': HttpRequestNodeDataSchema,
  'if-else': IfElseNodeDataSchema,
  iteration: IterationNodeDataSchema,
  llm: LlmNodeDataSchema,
  loop: LoopNodeDataSchema,
  'parameter-extractor': ParameterExtractorNodeDataSchema,
  'question-classifier': QuestionClassifierNodeDataSchema,
  start: StartNodeDataSchema,
  'template-transform': TemplateTransformNodeDataSchema,
  'variable-aggregator': VariableAggregatorNodeDataSchema,
  'variable-assigner': VariableAggregatorNodeDataSchema,
};

/** Typed view of an if-else node's data. */
export type IfElseNodeData = z.infer<typeof IfElseNodeDataSchema>;
/** Typed view of a start node's data. */
export type StartNodeData = z.infer<typeof StartNodeDataSchema>;
/** Typed view of an end node's data. */
export type EndNodeData = z.infer<typeof EndNodeDataSchema>;
/** Typed view of an answer node's data. */
export type AnswerNodeData = z.infer<typeof AnswerNodeDataSchema>;
/** Typed view of an llm node's data. */
export type LlmNodeData = z.infer<typeof LlmNodeDataSchema>;
/** Typed view of a code node's data. */
export type CodeNodeData = z.infer<typeof CodeNodeDataSchema>;
/** Typed view of a template-transform node's data. */
export type TemplateTransformNodeData = z.infer<typeof TemplateTransformNodeDataSchema>;
/** Typed view of a question-classifier node's data. */
export type QuestionClassifierNodeData = z.infer<typeof QuestionClassifierNodeDataSchema>;
/** Typed view of an http-request node's data. */
export type HttpRequestNodeData = z.infer<typeof HttpRequestNodeDataSchema>;
/** Typed view of an iteration node's data. */
export type IterationNodeData = z.infer<typeof IterationNodeDataSchema>;
/** Typed view of a loop node's data. */
export type LoopNodeData = z.infer<typeof LoopNodeDataSchema>;
/** Typed view of a parameter-extractor node's data. */
export type ParameterExtractorNodeData = z.infer<typeof ParameterExtractorNodeDataSchema>;
/** Typed view of a variable-aggregator node's data. */
export type VariableAggregatorNodeData = z.infer<typeof VariableAggregatorNodeDataSchema>;
/** Typed view of an assigner node's data. */
export type AssignerNodeData = z.infer<typeof AssignerNodeDataSchema>;
