import { extractTemplateSelectors, isPlainObject, renderTemplate, type JinjaRenderer, type VariablePool } from '@weft/workflow';
import { asSelector } from '../node-job-executor.types';

/** One prompt entry of an llm node: Dify's basic (`{{#node.var#}}`) or jinja2 edition. */
export interface PromptEntry {
  edition: 'basic' | 'jinja2';
  role: string;
  text: string;
}

/** Reads a chat prompt list or a completion prompt object into entries. */
export function readPromptEntries(value: unknown): PromptEntry[] {
  const items = Array.isArray(value) ? value : isPlainObject(value) ? [{ role: 'user', ...value }] : [];
  return items.filter(isPlainObject).map((item) => {
    const edition = item['edition_type'] === 'jinja2' ? 'jinja2' : 'basic';
    const text = edition === 'jinja2' ? item['jinja2_text'] : item['text'];
    return { edition, role: typeof item['role'] === 'string' ? item['role'] : 'user', text: typeof text === 'string' ? text : '' };
  });
}

/** Values of `prompt_config.jinja2_variables`, by variable name. */
export function jinjaVariables(data: Record<string, unknown>, pool: VariablePool): Record<string, unknown> {
  const config = data['prompt_config'];
  const list = isPlainObject(config) && Array.isArray(config['jinja2_variables']) ? config['jinja2_variables'] : [];
  const values: Record<string, unknown> = {};
  for (const entry of list) {
    if (!isPlainObject(entry) || typeof entry['variable'] !== 'string') continue;
    const selector = asSelector(entry['value_selector']);
    values[entry['variable']] = selector ? (pool.get(selector) ?? null) : null;
  }
  return values;
}

/**
 * Renders one entry; `{{#context#}}` becomes the context (empty when the node has none), as in Dify's LLM prompts.
 * Jinja2 entries render in `jinja`'s worker threads (which cache parsed templates by text); a failed render throws
 * with the renderer's message.
 */
export async function renderPromptEntry(
  entry: PromptEntry,
  pool: VariablePool,
  context: string,
  variables: Record<string, unknown>,
  jinja: Pick<JinjaRenderer, 'render'>,
): Promise<string> {
  if (entry.edition !== 'jinja2') return renderTemplate(entry.text, pool, { context });
  const result = await jinja.render(entry.text, variables);
  if (!result.ok) throw new Error(result.error);
  return result.output;
}

/** The pool values basic-edition entries read, keyed `#node.var#` as Dify lists them in a node's inputs. */
export function referencedInputs(entries: PromptEntry[], pool: VariablePool): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const entry of entries) {
    if (entry.edition !== 'basic') continue;
    for (const selector of extractTemplateSelectors(entry.text)) inputs[`#${selector.join('.')}#`] = pool.get(selector) ?? null;
  }
  return inputs;
}
