import { isFileValue } from './file.util';
import { toPythonJson } from './python-semantics.util';
import { VariablePool } from './variable-pool.util';

// Dify's VARIABLE_PATTERN (graphon/variables/template_resolution.py): a node id of 1-50 word
// characters, then 1-10 `.segment` parts, each starting with a letter or `_` and at most 30 long.
const VARIABLE_BODY = '[a-zA-Z0-9_]{1,50}(?:\\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10}';
const CONTEXT_MARKER = '{{#context#}}';

/** A fresh global regex matching `{{#node_id.var.path#}}`, with the dotted path in group 1. */
export function templateVariablePattern(): RegExp {
  return new RegExp(`\\{\\{#(${VARIABLE_BODY})#\\}\\}`, 'g');
}

/** Options for `renderTemplate`. */
export interface RenderTemplateOptions {
  /** Text for `{{#context#}}` (LLM prompts); when absent the marker stays literal, as in non-LLM templates. */
  context?: string;
}

/**
 * A value as Dify's `Segment.text` shows it: strings as-is, null as empty, objects and arrays as
 * Python-style JSON (`json.dumps` separators), an empty array and files as empty (Dify does not
 * inline file contents), booleans as Python's `True`/`False`.
 */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (isFileValue(value)) return '';
  if (Array.isArray(value)) return value.length === 0 || value.every((item) => isFileValue(item)) ? '' : toPythonJson(value);
  return toPythonJson(value);
}

/**
 * Replaces every `{{#node_id.var.path#}}` with the pool's value and, when a context is given,
 * `{{#context#}}` with it. A reference to a variable the pool does not hold (a node that did not run or
 * is not in the graph, an output it does not have) renders as its dotted path, `node_id.var`, as Dify's
 * `convert_template` does; a variable that holds null renders empty. One pass, so text inserted from a
 * value is never itself interpreted as a template.
 */
export function renderTemplate(template: string, pool: VariablePool, options: RenderTemplateOptions = {}): string {
  const pattern = new RegExp(`\\{\\{#context#\\}\\}|\\{\\{#(${VARIABLE_BODY})#\\}\\}`, 'g');
  return template.replace(pattern, (match: string, path: string | undefined) => {
    if (path === undefined) return options.context ?? match;
    const value = pool.get(path.split('.'));
    return value === undefined ? path : renderValue(value);
  });
}

/** The selectors a template references, in order of first appearance, without duplicates. */
export function extractTemplateSelectors(template: string): string[][] {
  const seen = new Set<string>();
  const selectors: string[][] = [];
  for (const match of template.matchAll(templateVariablePattern())) {
    if (seen.has(match[1])) continue;
    seen.add(match[1]);
    selectors.push(match[1].split('.'));
  }
  return selectors;
}

/** True when the template uses Dify's special `{{#context#}}` marker. */
export function hasContextReference(template: string): boolean {
  return template.includes(CONTEXT_MARKER);
}
