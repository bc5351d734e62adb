import { ToolInvokeError } from '../tool-runtime.types';
import { evalExpression, MAX_EXPRESSION_LENGTH } from './maths.tools';

const textOf = (messages: { type: string; text?: string }[]): string => messages.map((m) => m.text ?? '').join('');

describe('maths eval_expression', () => {
  it('computes arithmetic and functions', async () => {
    expect(textOf(await evalExpression({ expression: '2 * (3 + 4) / 7' }))).toBe('2');
    expect(textOf(await evalExpression({ expression: '2 ** 10 + sqrt(16)' }))).toBe('1028');
    expect(textOf(await evalExpression({ expression: '1 / 0' }))).toBe('inf');
  });

  it('refuses what is not arithmetic: definitions, imports, huge structures, overlong input', async () => {
    for (const expression of ['import({x: 1})', 'evaluate("1+1")', 'ones(100000000)', 'f(x) = x', 'createUnit("foo")', 'range(1, 1e9)']) {
      await expect(evalExpression({ expression })).rejects.toThrow(ToolInvokeError);
    }
    await expect(evalExpression({ expression: '1+'.repeat(MAX_EXPRESSION_LENGTH) + '1' })).rejects.toThrow(/longer than/);
    await expect(evalExpression({ expression: '' })).rejects.toThrow(ToolInvokeError);
  });
});
