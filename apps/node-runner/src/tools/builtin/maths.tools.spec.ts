import { ToolInvokeError } from '../tool-runtime.types';
import { evalExpression, MAX_EXPRESSION_LENGTH } from './maths.tools';

const textOf = (messages: { type: string; text?: string }[]): string => messages.map((m) => m.text ?? '').join('');

describe('maths eval_expression', () => {
  it('computes arithmetic and functions', () => {
    expect(textOf(evalExpression({ expression: '2 * (3 + 4) / 7' }))).toBe('2');
    expect(textOf(evalExpression({ expression: '2 ** 10 + sqrt(16)' }))).toBe('1028');
    expect(textOf(evalExpression({ expression: '1 / 0' }))).toBe('inf');
  });

  it('refuses what is not arithmetic: definitions, imports, huge structures, overlong input', () => {
    for (const expression of ['import({x: 1})', 'evaluate("1+1")', 'ones(100000000)', 'f(x) = x', 'createUnit("foo")', 'range(1, 1e9)']) {
      expect(() => evalExpression({ expression })).toThrow(ToolInvokeError);
    }
    expect(() => evalExpression({ expression: '1+'.repeat(MAX_EXPRESSION_LENGTH) + '1' })).toThrow(/longer than/);
    expect(() => evalExpression({ expression: '' })).toThrow(ToolInvokeError);
  });
});
