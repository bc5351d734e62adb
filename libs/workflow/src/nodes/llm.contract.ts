import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an llm node. */
export const LlmNodeDataSchema = NodeDataCommonSchema.extend({
  model: z.object({ mode: z.string().nullish(), name: z.string(), provider: z.string() }).passthrough(),
  prompt_template: z.union([
    z.array(z.object({ role: z.string().nullish(), text: z.string().nullish() }).passthrough()),
    z.object({ text: z.string().nullish() }).passthrough(),
  ]),
}).passthrough();

/** Typed view of an llm node's data. */
export type LlmNodeData = z.infer<typeof LlmNodeDataSchema>;

/** The llm node: one model call over its prompts, with optional context, memory and vision. */
export const LLM_NODE_CONTRACT = {
  dataSchema: LlmNodeDataSchema,
  outputs: [
    { name: 'text', type: 'string' },
    { name: 'reasoning_content', type: 'string' },
    { name: 'usage', type: 'object' },
    { name: 'structured_output', type: 'object' },
    { name: 'files', type: 'array[file]' },
  ],
  readReferences: (data, read) => {
    const prompts = data.prompt_template;
    const prompt = (entry: Record<string, unknown>, path: string): void => {
      // In jinja2 mode the engine renders `jinja2_text` with `prompt_config.jinja2_variables`; `text` is unused.
      if (entry.edition_type !== 'jinja2') read.template(entry.text, `${path}.text`);
    };
    if (Array.isArray(prompts)) prompts.forEach((entry, i) => prompt(asRecord(entry), `prompt_template[${i}]`));
    else prompt(asRecord(prompts), 'prompt_template');
    asList(asRecord(data.prompt_config).jinja2_variables).forEach((variable, i) =>
      read.selector(asRecord(variable).value_selector, `prompt_config.jinja2_variables[${i}].value_selector`),
    );
    const context = asRecord(data.context);
    if (context.enabled === true) read.selector(context.variable_selector, 'context.variable_selector');
    read.template(asRecord(data.memory).query_prompt_template, 'memory.query_prompt_template');
    read.vision(data);
  },
  role: 'step',
  runsIn: 'node-runner',
  streamsText: true,
} as const satisfies NodeTypeContract;
