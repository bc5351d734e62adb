import { VariablePool } from '../variables/variable-pool.util';
import { parseDsl } from '../dsl/dsl-parse.util';
import { castToolParameters, resolveToolInputs, toolConfigurationInputs, toolInputs, ToolParameterError } from './tool-parameters.util';
import type { ToolParameterSpec } from './tool.types';

const pool = VariablePool.fromSnapshot({ version: 1, variables: { start: { n: 3, list: ['a'], name: 'Ada' } } });

describe('tool parameters', () => {
  it('reads both forms of tool_parameters and both forms of tool_configurations', () => {
    expect(toolInputs({ a: { type: 'variable', value: ['start', 'n'] }, b: { type: 'mixed', value: 'x' } })).toEqual({
      a: { type: 'variable', value: ['start', 'n'] },
      b: { type: 'mixed', value: 'x' },
    });
    expect(toolInputs([{ variable: 'a', variable_type: 'static', value: 'v' }])).toEqual({ a: { type: 'constant', value: 'v' } });
    expect(toolConfigurationInputs({ plain: 5, wrapped: { type: 'mixed', value: '{{#start.name#}}' } })).toEqual({
      plain: { type: 'constant', value: 5 },
      wrapped: { type: 'mixed', value: '{{#start.name#}}' },
    });
  });

  it('takes variables by value and renders text inputs; a missing variable is left out unless required', () => {
    const specs: ToolParameterSpec[] = [{ description: '', form: 'llm', name: 'must', required: true, type: 'string' }];
    expect(
      resolveToolInputs(
        {
          list: { type: 'variable', value: ['start', 'list'] },
          gone: { type: 'variable', value: ['start', 'gone'] },
          t: { type: 'mixed', value: 'Hi {{#start.name#}} {{#start.n#}}' },
        },
        pool,
        specs,
      ),
    ).toEqual({ list: ['a'], t: 'Hi Ada 3' });
    expect(() => resolveToolInputs({ must: { type: 'variable', value: ['start', 'gone'] } }, pool, specs)).toThrow(ToolParameterError);
  });

  it('casts to the declared types and fills defaults', () => {
    const specs: ToolParameterSpec[] = [
      { description: '', form: 'form', name: 'flag', required: false, type: 'boolean' },
      { default: 5, description: '', form: 'form', name: 'count', required: false, type: 'number' },
      { description: '', form: 'llm', name: 'text', required: false, type: 'string' },
      { default: true, description: '', form: 'form', name: 'on', required: false, type: 'boolean' },
    ];
    expect(castToolParameters({ extra: 'x', flag: 'Yes', text: 7 }, specs)).toEqual({
      count: 5,
      extra: 'x',
      flag: true,
      on: true,
      text: '7',
    });
    expect(castToolParameters({ count: '12', flag: 'no', on: 'false' }, specs)).toEqual({ count: 12, flag: false, on: false });
  });
});

describe('tool node import', () => {
  const app = (tool: Record<string, unknown>) => `
version: 0.6.0
kind: app
app: { name: t, mode: workflow }
workflow:
  graph:
    nodes:
      - { id: s, data: { type: start, title: Start, variables: [{ variable: q, type: text-input, label: q }] } }
      - id: t
        data: ${JSON.stringify({ title: 'Tool', type: 'tool', tool_configurations: {}, ...tool })}
      - { id: e, data: { type: end, title: End, outputs: [{ variable: out, value_selector: [t, text] }] } }
    edges:
      - { source: s, target: t }
      - { source: t, target: e }
`;

  it('imports a built-in tool quietly and checks the variables it reads', () => {
    const ok = parseDsl(
      app({
        provider_id: 'time',
        provider_type: 'builtin',
        tool_name: 'current_time',
        tool_parameters: { x: { type: 'mixed', value: '{{#s.q#}}' } },
      }),
    );
    expect(ok.ok && ok.warnings).toEqual([]);
    const bad = parseDsl(
      app({
        provider_id: 'time',
        provider_type: 'builtin',
        tool_name: 'current_time',
        tool_parameters: { x: { type: 'variable', value: ['ghost', 'v'] } },
      }),
    );
    expect(JSON.stringify(bad)).toContain('ghost');
  });

  it('names a tool Weft cannot provide, and a workflow used as a tool, and still imports', () => {
    for (const [tool, expected] of [
      [{ provider_id: 'langgenius/google/google', provider_type: 'builtin', tool_name: 'google_search' }, 'which Weft does not provide'],
      [{ provider_id: 'time', provider_type: 'builtin', tool_name: 'sundial' }, 'which has no such tool in Weft'],
      [{ provider_id: '3f7e', provider_type: 'workflow', tool_name: 'wf' }, 'which Weft does not run'],
    ] as const) {
      const result = parseDsl(app(tool));
      expect(result.ok).toBe(true);
      expect(result.ok && result.warnings).toEqual([expect.stringContaining(expected)]);
      expect(result.ok && result.warnings[0]).toMatch(/^tool node "t" \("Tool"\) /);
    }
  });

  it('refuses a tool node without the fields that say which tool', () => {
    expect(parseDsl(app({ provider_type: 'builtin' })).ok).toBe(false);
    expect(parseDsl(app({ provider_id: 'time', provider_type: 'plugin-x', tool_name: 'current_time' })).ok).toBe(false);
  });
});
