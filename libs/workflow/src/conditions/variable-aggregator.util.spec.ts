import { VariablePool } from '../variables';
import { aggregateVariables } from './variable-aggregator.util';

function makePool(): VariablePool {
  const pool = new VariablePool();
  pool.setNodeOutputs('llm_a', { text: 'from A', nothing: null });
  pool.setNodeOutputs('llm_b', { text: 'from B', obj: { n: 0 } });
  return pool;
}

describe('aggregateVariables', () => {
  it('outputs the first input that has a value', () => {
    const outputs = aggregateVariables(
      {
        output_type: 'string',
        variables: [
          ['skipped', 'text'],
          ['llm_b', 'text'],
          ['llm_a', 'text'],
        ],
      },
      makePool(),
    );
    expect(outputs).toEqual({ output: 'from B' });
  });

  it('skips inputs stored as null', () => {
    expect(
      aggregateVariables(
        {
          variables: [
            ['llm_a', 'nothing'],
            ['llm_a', 'text'],
          ],
        },
        makePool(),
      ),
    ).toEqual({ output: 'from A' });
  });

  it('keeps falsy values that are not null', () => {
    expect(
      aggregateVariables(
        {
          variables: [
            ['llm_b', 'obj', 'n'],
            ['llm_a', 'text'],
          ],
        },
        makePool(),
      ),
    ).toEqual({ output: 0 });
  });

  it('has no output when no input has a value', () => {
    expect(
      aggregateVariables(
        {
          variables: [
            ['x', 'y'],
            ['llm_a', 'nothing'],
          ],
        },
        makePool(),
      ),
    ).toEqual({});
    expect(aggregateVariables({ variables: [] }, makePool())).toEqual({});
  });

  it('aggregates per group when groups are enabled', () => {
    const outputs = aggregateVariables(
      {
        output_type: 'string',
        variables: [['llm_a', 'text']],
        advanced_settings: {
          group_enabled: true,
          groups: [
            {
              group_name: 'answer',
              output_type: 'string',
              variables: [
                ['missing', 'text'],
                ['llm_a', 'text'],
              ],
            },
            { group_name: 'data', output_type: 'object', variables: [['llm_b', 'obj']] },
            { group_name: 'none', output_type: 'string', variables: [['missing', 'x']] },
          ],
        },
      },
      makePool(),
    );
    expect(outputs).toEqual({ answer: { output: 'from A' }, data: { output: { n: 0 } } });
  });

  it('ignores groups when they are disabled', () => {
    const outputs = aggregateVariables(
      {
        variables: [['llm_b', 'text']],
        advanced_settings: { group_enabled: false, groups: [{ group_name: 'g', variables: [['llm_a', 'text']] }] },
      },
      makePool(),
    );
    expect(outputs).toEqual({ output: 'from B' });
  });
});
