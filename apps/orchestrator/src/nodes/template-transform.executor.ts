import { Template } from '@huggingface/jinja';
import type { GraphNode, TemplateTransformNodeData, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '../engine/engine.types';
import { asSelector, failedOutcome, type NodeExecutor } from './node-executor.types';

/** Dify's TEMPLATE_TRANSFORM_MAX_LENGTH default. */
export const TEMPLATE_OUTPUT_MAX_LENGTH = 400_000;
const CACHE_SIZE = 500;

/**
 * The template-transform node: a Jinja2 template over its declared variables. Parsed templates are
 * cached by text, since the same published graph renders the same template on every run.
 */
export class TemplateTransformExecutor implements NodeExecutor {
  private readonly cache = new Map<string, Template>();

  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    const data = node.data as unknown as TemplateTransformNodeData;
    const inputs: Record<string, unknown> = {};
    for (const v of data.variables ?? []) inputs[v.variable] = pool.get(asSelector(v.value_selector)) ?? null;
    try {
      const output = this.compile(data.template).render(inputs);
      if (output.length > TEMPLATE_OUTPUT_MAX_LENGTH) {
        return failedOutcome(new Error(`Output length exceeds ${TEMPLATE_OUTPUT_MAX_LENGTH} characters`), inputs);
      }
      return { inputs, outputs: { output }, status: 'succeeded' };
    } catch (error) {
      return failedOutcome(error, inputs);
    }
  }

  private compile(text: string): Template {
    let template = this.cache.get(text);
    if (!template) {
      template = new Template(text);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(text, template);
    }
    return template;
  }
}
