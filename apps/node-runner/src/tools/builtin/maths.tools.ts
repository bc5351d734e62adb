import type { MathJsInstance } from 'mathjs';
import { text, ToolInvokeError, type ToolMessage } from '../tool-runtime.types';

// The `maths` provider's `eval_expression`: arithmetic with the usual functions, the way Dify's numexpr
// tool evaluates it. The expression is user input (or a model's): the parser can only compute, never
// reach the host, and the functions that build large structures or define new things are switched off.

/** The longest expression evaluated; longer ones are refused before parsing. */
export const MAX_EXPRESSION_LENGTH = 1_000;

const DISABLED = [
  'compile',
  'createUnit',
  'derivative',
  'evaluate',
  'filter',
  'forEach',
  'identity',
  'import',
  'map',
  'matrix',
  'ones',
  'parse',
  'range',
  'reviver',
  'resolve',
  'simplify',
  'sparse',
  'zeros',
] as const;

let instance: { evaluate: (expression: string) => unknown } | undefined;

// mathjs is loaded on the first expression, not at start: loading it is most of a second of the node runner's
// start-up, spent even by runners that never see a maths tool.
async function calculator(): Promise<{ evaluate: (expression: string) => unknown }> {
  if (instance) return instance;
  const { all, create } = await import('mathjs');
  const math = create(all, { number: 'number', precision: 64 }) as MathJsInstance;
  const evaluate = math.evaluate.bind(math);
  const refusals: Record<string, () => never> = {};
  for (const name of DISABLED) {
    refusals[name] = () => {
      throw new Error(`Function ${name} is disabled`);
    };
  }
  math.import(refusals, { override: true });
  instance = { evaluate: (expression) => evaluate(expression) as unknown };
  return instance;
}

/** Python's `str()` of a numexpr result: integers plainly, other floats as Python writes them. */
function formatResult(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value !== null && typeof value === 'object' && 'toString' in value) return String(value);
  throw new Error('the expression does not compute a number');
}

/** `eval_expression`: the value of `expression`. */
export async function evalExpression(params: Record<string, unknown>): Promise<ToolMessage[]> {
  const expression = typeof params.expression === 'string' ? params.expression.trim() : '';
  if (!expression) throw new ToolInvokeError('Invalid expression: the expression is empty');
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new ToolInvokeError(`Invalid expression: longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const math = await calculator();
  try {
    return [text(formatResult(math.evaluate(expression.replace(/\*\*/g, '^'))))];
  } catch (error) {
    throw new ToolInvokeError(`Invalid expression: ${expression}, error: ${(error as Error).message}`);
  }
}
