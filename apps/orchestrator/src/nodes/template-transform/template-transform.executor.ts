import type { GraphNode, JinjaRenderer, TemplateTransformNodeData, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import { asSelector, failedOutcome, type NodeExecutor } from '../node-executor.types';

/** Dify's TEMPLATE_TRANSFORM_MAX_LENGTH default. */
export const TEMPLATE_OUTPUT_MAX_LENGTH = 400_000;

/**
 * The template-transform node: a Jinja2 template over its declared variables, rendered off the event loop by
 * the renderer's workers (which cache parsed templates by text, since the same published graph renders the
 * same template on every run).
 */
export class TemplateTransformExecutor implements NodeExecutor {
  constructor(private readonly renderer: Pick<JinjaRenderer, 'render'>) {}

  async execute(node: GraphNode, pool: VariablePool): Promise<NodeOutcome> {
    const data = node.data as unknown as TemplateTransformNodeData;
    const inputs: Record<string, unknown> = {};
    for (const v of data.variables ?? []) inputs[v.variable] = pool.get(asSelector(v.value_selector)) ?? null;
    const result = await this.renderer.render(data.template, inputs);
    if (!result.ok)
      return failedOutcome(result.kind === 'output_too_large' ? outputTooLong() : renderError(result.error, result.errorName), inputs);
    if (result.output.length > TEMPLATE_OUTPUT_MAX_LENGTH) return failedOutcome(outputTooLong(), inputs);
    return { inputs, outputs: { output: result.output }, status: 'succeeded' };
  }
}

function outputTooLong(): Error {
  return new Error(`Output length exceeds ${TEMPLATE_OUTPUT_MAX_LENGTH} characters`);
}

/** The render failure as an error of the library's class (SyntaxError for a template that does not parse), which becomes the error type. */
function renderError(message: string, name: string | undefined): Error {
  const error = new Error(message);
  if (name) error.name = name;
  return error;
}
