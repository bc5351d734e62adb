import { readFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { parseDsl } from './dsl-parse.util';
import {
  DSL_PROBLEM_CODES,
  isWarningProblem,
  UNSUPPORTED_NODE_TYPES,
  WARNING_PROBLEM_CODES,
  type AppMode,
  type DslProblem,
  type DslProblemCode,
} from './dsl.types';

// Small graphs are written as Dify-shaped documents so that every test goes through parseDsl, the only
// entry point an import uses.

interface TestNode {
  data?: Record<string, unknown>;
  id: string;
  parentId?: string;
  type: string;
  wrapper?: string;
}

type TestEdge = [source: string, target: string, sourceHandle?: string];

// The least data each type needs to pass its structural schema.
const MINIMAL_DATA: Record<string, Record<string, unknown>> = {
  answer: { answer: '' },
  code: { code: 'def main():\n    return {}\n', code_language: 'python3', outputs: {} },
  end: { outputs: [] },
  'http-request': { method: 'get', url: 'https://example.com' },
  'if-else': { cases: [] },
  iteration: { iterator_selector: [], output_selector: [] },
  llm: { model: { mode: 'chat', name: 'gpt-4o-mini', provider: 'langgenius/openai/openai' }, prompt_template: [] },
  loop: { loop_count: 3 },
  'parameter-extractor': { parameters: [] },
  'question-classifier': { classes: [] },
  start: { variables: [] },
  'template-transform': { template: '' },
};

// A handle each branching type accepts, for edges leaving it in tests that are not about handles.
const BRANCH_HANDLES: Record<string, string | undefined> = { 'if-else': 'false', 'question-classifier': '1' };

function node(id: string, type: string, data: Record<string, unknown> = {}, parentId?: string): TestNode {
  return { data, id, parentId, type };
}

function dsl(nodes: TestNode[], edges: TestEdge[], options: { conversation?: string[]; env?: string[]; mode?: AppMode } = {}): string {
  return stringify({
    app: { mode: options.mode ?? 'workflow', name: 'test' },
    kind: 'app',
    version: '0.6.0',
    workflow: {
      conversation_variables: (options.conversation ?? []).map((name) => ({
        name,
        selector: ['conversation', name],
        value: '',
        value_type: 'string',
      })),
      environment_variables: (options.env ?? []).map((name) => ({ name, value: 'v', value_type: 'string' })),
      features: {},
      graph: {
        edges: edges.map(([source, target, sourceHandle]) => ({
          id: `${source}-${sourceHandle ?? 'source'}-${target}`,
          source,
          sourceHandle: sourceHandle ?? 'source',
          target,
          targetHandle: 'target',
          type: 'custom',
        })),
        nodes: nodes.map((entry) => ({
          data: { title: entry.id.toUpperCase(), type: entry.type, ...MINIMAL_DATA[entry.type], ...entry.data },
          id: entry.id,
          ...(entry.parentId ? { parentId: entry.parentId } : {}),
          position: { x: 0, y: 0 },
          type: entry.wrapper ?? 'custom',
        })),
      },
    },
  });
}

// Every problem found: the errors of a refused import, or the warnings of an accepted one (the
// classification itself is tested in "lenient references" below).
function problemsOf(yaml: string): DslProblem[] {
  const result = parseDsl(yaml);
  return result.ok ? result.problems : result.errors;
}

function expectOnly(yaml: string, code: DslProblemCode, message?: RegExp | string): DslProblem {
  const problems = problemsOf(yaml);
  expect(problems.map((problem) => problem.code)).toEqual([code]);
  if (message !== undefined) expect(problems[0].message).toMatch(message);
  return problems[0];
}

function expectValid(yaml: string): string[] {
  const result = parseDsl(yaml);
  if (!result.ok)
    throw new Error(`expected a valid DSL, got:\n${result.errors.map((problem) => `${problem.code}: ${problem.message}`).join('\n')}`);
  return result.warnings;
}

const start = (variables: string[] = ['q']): TestNode =>
  node('s', 'start', { variables: variables.map((variable) => ({ label: variable, required: false, type: 'text-input', variable })) });
const end = (...selectors: unknown[]): TestNode =>
  node('e', 'end', { outputs: selectors.map((value_selector, i) => ({ value_selector, value_type: 'string', variable: `out${i}` })) });
const template = (id: string, text = '', parentId?: string, variables: unknown[] = []): TestNode =>
  node(
    id,
    'template-transform',
    { template: text, variables: variables.map((value_selector, i) => ({ value_selector, variable: `v${i}` })) },
    parentId,
  );

describe('graph validation', () => {
  describe('node types', () => {
    it('names an unknown node type and its node', () => {
      const problem = expectOnly(
        dsl(
          [start(), node('123', 'foo'), end()],
          [
            ['s', '123'],
            ['123', 'e'],
          ],
        ),
        'unknown_node_type',
      );
      expect(problem.message).toBe('unknown node type "foo" in node "123"');
      expect(problem).toMatchObject({ nodeId: '123', path: 'workflow.graph.nodes[1].data.type' });
    });

    it.each(['human-input', 'datasource', 'knowledge-index', 'trigger-webhook', 'trigger-schedule', 'trigger-plugin'] as const)(
      'refuses the unsupported node type %s, naming it',
      (type) => {
        const problem = expectOnly(
          dsl(
            [start(), node('x1', type, { title: 'Thing' }), end()],
            [
              ['s', 'x1'],
              ['x1', 'e'],
            ],
          ),
          'unsupported_node_type',
        );
        expect(problem.message).toBe(`node "x1" ("Thing") is a "${type}" node, which Weft cannot run: ${UNSUPPORTED_NODE_TYPES[type]}`);
        expect(
          parseDsl(
            dsl(
              [start(), node('x1', type), end()],
              [
                ['s', 'x1'],
                ['x1', 'e'],
              ],
            ),
          ).ok,
        ).toBe(false);
      },
    );

    it('does not check references to a node whose type is refused, so the one real problem stands alone', () => {
      expectOnly(
        dsl(
          [start(), node('t', 'human-input'), end(['t', 'whatever'])],
          [
            ['s', 't'],
            ['t', 'e'],
          ],
        ),
        'unsupported_node_type',
      );
    });

    it('reports duplicate node ids with both places', () => {
      const problem = expectOnly(
        dsl(
          [start(), template('a'), template('a'), end()],
          [
            ['s', 'a'],
            ['a', 'e'],
          ],
        ),
        'duplicate_node_id',
      );
      expect(problem.message).toBe(
        'Two nodes have the id "a" (workflow.graph.nodes[1] and workflow.graph.nodes[2]); node ids must be unique',
      );
    });
  });

  describe('start node', () => {
    it.each<AppMode>(['workflow', 'advanced-chat'])('requires a start node in a %s app', (mode) => {
      expectOnly(
        dsl([node('e', 'end')], [], { mode }),
        'missing_start_node',
        `The workflow has no start node; a ${mode} app needs exactly one`,
      );
    });

    it('refuses two start nodes at the top level', () => {
      expectOnly(
        dsl(
          [start(), node('s2', 'start'), end()],
          [
            ['s', 'e'],
            ['s2', 'e'],
          ],
        ),
        'multiple_start_nodes',
        'The workflow has 2 start nodes ("s", "s2"); it needs exactly one',
      );
    });
  });

  describe('edges', () => {
    it('reports edges whose source or target does not exist, separately', () => {
      const problems = problemsOf(
        dsl(
          [start(), end()],
          [
            ['s', 'e'],
            ['ghost', 'e'],
            ['s', 'phantom'],
          ],
        ),
      );
      expect(problems.map((problem) => [problem.code, problem.message])).toEqual([
        ['unknown_edge_node', 'edge "ghost-source-e" starts at node "ghost", which does not exist'],
        ['unknown_edge_node', 'edge "s-source-phantom" ends at node "phantom", which does not exist'],
      ]);
      expect(problems[0].path).toBe('workflow.graph.edges[1].source');
    });

    it('accepts if-else handles that are case ids or "false"', () => {
      const cases = [
        {
          case_id: 'true',
          conditions: [{ comparison_operator: 'is', value: 'a', variable_selector: ['s', 'q'] }],
          logical_operator: 'and',
        },
        {
          case_id: 'b52c1f0e',
          conditions: [{ comparison_operator: 'is', value: 'b', variable_selector: ['s', 'q'] }],
          logical_operator: 'and',
        },
      ];
      const nodes = [start(), node('if', 'if-else', { cases }), template('t1'), template('t2'), template('t3'), end()];
      expectValid(
        dsl(nodes, [
          ['s', 'if'],
          ['if', 't1', 'true'],
          ['if', 't2', 'b52c1f0e'],
          ['if', 't3', 'false'],
          ['t1', 'e'],
          ['t2', 'e'],
          ['t3', 'e'],
        ]),
      );
    });

    it('refuses an if-else handle that is not a case', () => {
      const cases = [{ case_id: 'true', conditions: [], logical_operator: 'and' }];
      const problem = expectOnly(
        dsl(
          [start(), node('if', 'if-else', { cases }), end()],
          [
            ['s', 'if'],
            ['if', 'e', 'maybe'],
          ],
        ),
        'invalid_source_handle',
      );
      expect(problem.message).toBe(
        'edge "if-maybe-e" leaves if-else node "if" ("IF") by handle "maybe", which is not one of its cases ("true", "false")',
      );
      expect(problem.path).toBe('workflow.graph.edges[1].sourceHandle');
    });

    it('accepts question-classifier handles that are class ids and refuses others', () => {
      const classes = [
        { id: '1', name: 'Billing' },
        { id: '2', name: 'Other' },
      ];
      const nodes = [
        start(),
        node('qc', 'question-classifier', { classes, query_variable_selector: ['s', 'q'] }),
        template('t1'),
        template('t2'),
        end(),
      ];
      expectValid(
        dsl(nodes, [
          ['s', 'qc'],
          ['qc', 't1', '1'],
          ['qc', 't2', '2'],
          ['t1', 'e'],
          ['t2', 'e'],
        ]),
      );
      expectOnly(
        dsl(nodes, [
          ['s', 'qc'],
          ['qc', 't1', '1'],
          ['qc', 't2', '3'],
          ['t1', 'e'],
          ['t2', 'e'],
        ]),
        'invalid_source_handle',
        'which is not one of its classes ("1", "2")',
      );
    });

    it('accepts fail-branch and success-branch handles only on nodes whose error_strategy is fail-branch', () => {
      const http = (strategy?: string): TestNode => node('h', 'http-request', strategy ? { error_strategy: strategy } : {});
      const edges: TestEdge[] = [
        ['s', 'h'],
        ['h', 't1', 'success-branch'],
        ['h', 't2', 'fail-branch'],
        ['t1', 'e'],
        ['t2', 'e'],
      ];
      expectValid(dsl([start(), http('fail-branch'), template('t1'), template('t2'), end()], edges));
      const problems = problemsOf(dsl([start(), http('default-value'), template('t1'), template('t2'), end()], edges));
      expect(problems.map((problem) => problem.message)).toEqual([
        'edge "h-success-branch-t1" leaves http-request node "h" ("H") by its "success-branch" handle, but the node\'s error_strategy is not fail-branch',
        'edge "h-fail-branch-t2" leaves http-request node "h" ("H") by its "fail-branch" handle, but the node\'s error_strategy is not fail-branch',
      ]);
    });

    it('refuses a branch handle on a node that does not branch', () => {
      expectOnly(
        dsl(
          [start(), template('t'), end()],
          [
            ['s', 't', 'true'],
            ['t', 'e'],
          ],
        ),
        'invalid_source_handle',
        'by handle "true", which is not its only handle ("source")',
      );
    });

    it('takes a missing sourceHandle to be "source"', () => {
      const yaml = dsl([start(), end()], [['s', 'e']]).replace(/^ *sourceHandle: source\n/gm, '');
      expect(yaml).not.toContain('sourceHandle');
      const result = parseDsl(yaml);
      expect(result.ok && result.app.graph?.edges[0].sourceHandle).toBe('source');
    });
  });

  describe('cycles', () => {
    it('reports the nodes of a cycle', () => {
      const nodes = [start(), template('a'), template('b'), template('c'), end()];
      const problem = expectOnly(
        dsl(nodes, [
          ['s', 'a'],
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['c', 'e'],
        ]),
        'cycle',
      );
      expect(problem.message).toBe(
        'nodes "a", "b", "c" form a cycle; a workflow cannot loop back on itself, so repeat steps with a loop or iteration node instead',
      );
    });

    it('reports a node with an edge to itself', () => {
      expectOnly(
        dsl(
          [start(), template('a'), end()],
          [
            ['s', 'a'],
            ['a', 'a'],
            ['a', 'e'],
          ],
        ),
        'cycle',
        'node "a" has an edge to itself; a workflow cannot loop back on itself',
      );
    });

    it('reports each separate cycle once', () => {
      const nodes = [start(), template('a'), template('b'), template('c'), template('d'), end()];
      const problems = problemsOf(
        dsl(nodes, [
          ['s', 'a'],
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'c'],
          ['c', 'd'],
          ['d', 'c'],
          ['d', 'e'],
        ]),
      );
      expect(problems.map((problem) => problem.message.split(' form')[0])).toEqual(['nodes "a", "b"', 'nodes "c", "d"']);
    });

    it('does not mistake branches that meet again for a cycle', () => {
      const nodes = [start(), template('a'), template('b'), template('c'), end()];
      expectValid(
        dsl(nodes, [
          ['s', 'a'],
          ['s', 'b'],
          ['a', 'c'],
          ['b', 'c'],
          ['c', 'e'],
        ]),
      );
    });

    it('also reports a cycle inside a loop, since a loop repeats its body without back-edges', () => {
      const nodes = [
        start(),
        node('l', 'loop', { start_node_id: 'ls' }),
        node('ls', 'loop-start', {}, 'l'),
        template('a', '', 'l'),
        template('b', '', 'l'),
        end(),
      ];
      const problem = expectOnly(
        dsl(nodes, [
          ['s', 'l'],
          ['ls', 'a'],
          ['a', 'b'],
          ['b', 'a'],
          ['l', 'e'],
        ]),
        'cycle',
      );
      expect(problem.message).toContain('inside loop node "l" ("L")');
    });
  });

  describe('containers', () => {
    const iteration = (data: Record<string, unknown> = {}): TestNode =>
      node('it', 'iteration', { iterator_selector: ['s', 'q'], output_selector: ['in', 'output'], start_node_id: 'its', ...data });

    it('accepts an iteration whose start_node_id names its iteration-start child', () => {
      const nodes = [start(), iteration(), node('its', 'iteration-start', {}, 'it'), template('in', '', 'it'), end(['it', 'output'])];
      const warnings = expectValid(
        dsl(nodes, [
          ['s', 'it'],
          ['its', 'in'],
          ['it', 'e'],
        ]),
      );
      expect(warnings).toEqual([]);
    });

    it.each([
      ['is missing', { start_node_id: null }, 'iteration node "it" ("IT") has no start_node_id; it needs a iteration-start node inside it'],
      ['names no node', { start_node_id: 'nowhere' }, 'iteration node "it" ("IT") starts at node "nowhere", which does not exist'],
      [
        'names a node outside it',
        { start_node_id: 'out' },
        'iteration node "it" ("IT") starts at template-transform node "out" ("OUT"), which is not inside it',
      ],
      [
        'names a child of the wrong type',
        { start_node_id: 'in' },
        'iteration node "it" ("IT") starts at template-transform node "in" ("IN"), which is not a iteration-start node',
      ],
    ])('refuses an iteration whose start_node_id %s', (_what, data, message) => {
      const nodes = [
        start(),
        template('out'),
        iteration(data),
        node('its', 'iteration-start', {}, 'it'),
        template('in', '', 'it'),
        end(['it', 'output']),
      ];
      const problem = expectOnly(
        dsl(nodes, [
          ['s', 'out'],
          ['out', 'it'],
          ['its', 'in'],
          ['it', 'e'],
        ]),
        'invalid_container',
        message,
      );
      expect(problem.path).toBe('workflow.graph.nodes[2].data.start_node_id');
    });

    it('refuses a loop whose start node is an iteration-start', () => {
      const nodes = [start(), node('l', 'loop', { start_node_id: 'ls' }), node('ls', 'iteration-start', {}, 'l'), end()];
      const problems = problemsOf(
        dsl(nodes, [
          ['s', 'l'],
          ['l', 'e'],
        ]),
      );
      expect(problems.map((problem) => problem.message)).toEqual([
        'loop node "l" ("L") starts at iteration-start node "ls" ("LS"), which is not a loop-start node',
        'iteration-start node "ls" ("LS") must be inside a iteration node',
      ]);
    });

    it('refuses a child placed in a container that does not exist, or in a node that is not a container', () => {
      const nodes = [start(), template('a', '', 'ghost'), template('b', '', 'a'), end()];
      const problems = problemsOf(
        dsl(nodes, [
          ['s', 'a'],
          ['a', 'e'],
        ]),
      );
      expect(problems.map((problem) => [problem.code, problem.message])).toEqual([
        ['invalid_container', 'template-transform node "a" ("A") is placed inside node "ghost", which does not exist'],
        [
          'invalid_container',
          'template-transform node "b" ("B") is placed inside template-transform node "a" ("A"), which is not an iteration or loop node',
        ],
      ]);
    });

    it('refuses loop-end outside a loop and a start node inside a container', () => {
      const nodes = [
        start(),
        node('le', 'loop-end'),
        node('l', 'loop', { start_node_id: 'ls' }),
        node('ls', 'loop-start', {}, 'l'),
        node('s2', 'start', {}, 'l'),
        end(),
      ];
      const problems = problemsOf(
        dsl(nodes, [
          ['s', 'l'],
          ['l', 'e'],
        ]),
      );
      expect(problems.map((problem) => problem.message)).toEqual([
        'loop-end node "le" ("LE") must be inside a loop node',
        'start node "s2" ("S2") is inside an iteration or loop; the start node must be at the top level',
      ]);
    });

    it('reads the container from data.iteration_id or data.loop_id when the wrapper has no parentId', () => {
      const nodes = [
        start(),
        iteration(),
        node('its', 'iteration-start', { iteration_id: 'it' }),
        node('in', 'template-transform', { iteration_id: 'it', template: '' }),
        end(['it', 'output']),
      ];
      const result = parseDsl(
        dsl(nodes, [
          ['s', 'it'],
          ['its', 'in'],
          ['it', 'e'],
        ]),
      );
      expect(result.ok && result.app.graph?.containers.it).toEqual({
        childIds: ['its', 'in'],
        id: 'it',
        kind: 'iteration',
        startNodeId: 'its',
      });
    });

    it('refuses an edge across the border of a container', () => {
      const nodes = [start(), iteration(), node('its', 'iteration-start', {}, 'it'), template('in', '', 'it'), end(['it', 'output'])];
      const problem = expectOnly(
        dsl(nodes, [
          ['s', 'it'],
          ['its', 'in'],
          ['in', 'e'],
          ['it', 'e'],
        ]),
        'edge_crosses_container',
      );
      expect(problem.message).toBe(
        'edge "in-source-e" joins template-transform node "in" ("IN"), inside node "it", to end node "e" ("E"), at the top level; edges cannot cross the border of an iteration or loop',
      );
    });
  });

  describe('comparison operators', () => {
    const condition = (operator: string): Record<string, unknown> => ({
      comparison_operator: operator,
      value: '1',
      variable_selector: ['s', 'q'],
    });

    it.each([
      'contains',
      'not contains',
      'start with',
      'end with',
      'is',
      'is not',
      'empty',
      'not empty',
      'in',
      'not in',
      'all of',
      '=',
      '≠',
      '>',
      '<',
      '≥',
      '≤',
      'null',
      'not null',
      'exists',
      'not exists',
    ])('accepts the operator "%s"', (operator) => {
      const cases = [{ case_id: 'true', conditions: [condition(operator)], logical_operator: 'and' }];
      expectValid(
        dsl(
          [start(), node('if', 'if-else', { cases }), end()],
          [
            ['s', 'if'],
            ['if', 'e', 'true'],
            ['if', 'e', 'false'],
          ],
        ),
      );
    });

    it('names a bad operator, its node and its case', () => {
      const cases = [{ case_id: 'c1', conditions: [condition('is'), condition('equals')], logical_operator: 'and' }];
      const problem = expectOnly(
        dsl(
          [start(), node('if', 'if-else', { cases }), end()],
          [
            ['s', 'if'],
            ['if', 'e', 'c1'],
          ],
        ),
        'unknown_operator',
      );
      expect(problem.message).toMatch(
        /^if-else node "if" \("IF"\) uses the unknown comparison operator "equals" in case "c1"; use one of: contains, not contains, .*, not exists$/,
      );
      expect(problem.path).toBe('workflow.graph.nodes[1].data.cases[0].conditions[1].comparison_operator');
    });

    it('checks the operators of sub-variable conditions', () => {
      const cases = [
        {
          case_id: 'true',
          conditions: [
            {
              ...condition('contains'),
              sub_variable_condition: { conditions: [{ comparison_operator: 'like', key: 'name', value: 'x' }], logical_operator: 'and' },
            },
          ],
        },
      ];
      const problem = expectOnly(
        dsl(
          [start(), node('if', 'if-else', { cases }), end()],
          [
            ['s', 'if'],
            ['if', 'e', 'true'],
          ],
        ),
        'unknown_operator',
        '"like"',
      );
      expect(problem.path).toBe(
        'workflow.graph.nodes[1].data.cases[0].conditions[0].sub_variable_condition.conditions[0].comparison_operator',
      );
    });

    it('checks the legacy single-case form and reports where the author wrote it', () => {
      const problem = expectOnly(
        dsl(
          [start(), node('if', 'if-else', { cases: undefined, conditions: [condition('greater')], logical_operator: 'and' }), end()],
          [
            ['s', 'if'],
            ['if', 'e', 'true'],
          ],
        ),
        'unknown_operator',
        '"greater" in case "true"',
      );
      expect(problem.path).toBe('workflow.graph.nodes[1].data.conditions[0].comparison_operator');
    });

    it('checks loop break conditions', () => {
      const loop = node('l', 'loop', {
        break_conditions: [{ comparison_operator: 'gte', value: '3', variable_selector: ['l', 'n'] }],
        loop_variables: [{ label: 'n', value: '0', value_type: 'constant', var_type: 'number' }],
        start_node_id: 'ls',
      });
      const problem = expectOnly(
        dsl(
          [start(), loop, node('ls', 'loop-start', {}, 'l'), end()],
          [
            ['s', 'l'],
            ['l', 'e'],
          ],
        ),
        'unknown_operator',
      );
      expect(problem.message).toContain('loop node "l" ("L") uses the unknown comparison operator "gte" in its break conditions');
      expect(problem.path).toBe('workflow.graph.nodes[1].data.break_conditions[0].comparison_operator');
    });
  });

  describe('variable references', () => {
    it('reports a selector that names no node', () => {
      const problem = expectOnly(dsl([start(), end(['ghost', 'text'])], [['s', 'e']]), 'unknown_node_reference');
      expect(problem.message).toBe('end node "e" ("E") reads "ghost.text", but there is no node "ghost"');
      expect(problem).toMatchObject({ nodeId: 'e', path: 'workflow.graph.nodes[1].data.outputs[0].value_selector' });
    });

    it('reports a template that names no node', () => {
      const problem = expectOnly(
        dsl([start(), node('a', 'answer', { answer: 'Hi {{#ghost.text#}}' })], [['s', 'a']], { mode: 'advanced-chat' }),
        'unknown_node_reference',
      );
      expect(problem.message).toBe('answer node "a" ("A") reads {{#ghost.text#}}, but there is no node "ghost"');
      expect(problem.path).toBe('workflow.graph.nodes[1].data.answer');
    });

    it('reports an output the node does not produce, listing what it does produce', () => {
      const llm = node('llm', 'llm');
      const problem = expectOnly(
        dsl(
          [start(), llm, end(['llm', 'txt'])],
          [
            ['s', 'llm'],
            ['llm', 'e'],
          ],
        ),
        'unknown_output',
      );
      expect(problem.message).toBe(
        'end node "e" ("E") reads "llm.txt", but llm node "llm" ("LLM") has no output "txt" (it has text, reasoning_content, usage, structured_output, files)',
      );
    });

    it('allows object field access beyond the output name', () => {
      expectValid(
        dsl(
          [start(), node('h', 'http-request'), end(['h', 'body', 'items', '0', 'name'])],
          [
            ['s', 'h'],
            ['h', 'e'],
          ],
        ),
      );
    });

    // Each row: the node under test (fed by the start node), outputs that exist, and one that does not.
    it.each<[string, TestNode, string[], string]>([
      ['start', start(['city', 'days']), ['city', 'days'], 'country'],
      ['llm', node('x', 'llm'), ['text', 'reasoning_content', 'usage', 'structured_output', 'files'], 'answer'],
      [
        'code',
        node('x', 'code', { outputs: { total: { type: 'number' }, words: { type: 'array[string]' } } }),
        ['total', 'words'],
        'result',
      ],
      ['template-transform', node('x', 'template-transform'), ['output'], 'text'],
      ['http-request', node('x', 'http-request'), ['status_code', 'body', 'headers', 'files'], 'status'],
      ['knowledge-retrieval', node('x', 'knowledge-retrieval', { dataset_ids: [] }), ['result'], 'documents'],
      [
        'question-classifier',
        node('x', 'question-classifier', { classes: [{ id: '1', name: 'Any' }] }),
        ['class_name', 'class_id', 'class_label', 'usage'],
        'class',
      ],
      [
        'parameter-extractor',
        node('x', 'parameter-extractor', { parameters: [{ name: 'city', type: 'string' }] }),
        ['city', '__is_success', '__reason', '__usage'],
        'country',
      ],
      ['variable-aggregator', node('x', 'variable-aggregator', { variables: [['s', 'q']] }), ['output'], 'result'],
      ['variable-assigner', node('x', 'variable-assigner', { variables: [['s', 'q']] }), ['output'], 'result'],
      ['if-else', node('x', 'if-else', { cases: [{ case_id: 'true', conditions: [] }] }), ['result', 'selected_case_id'], 'case'],
      ['document-extractor', node('x', 'document-extractor', { variable_selector: ['s', 'q'] }), ['text'], 'content'],
      ['list-operator', node('x', 'list-operator', { variable: ['s', 'q'] }), ['result', 'first_record', 'last_record'], 'first'],
      ['answer', node('x', 'answer'), ['answer', 'files'], 'text'],
      ['assigner', node('x', 'assigner', { items: [] }), [], 'output'],
    ])('checks the outputs of a %s node', (_type, subject, outputs, missing) => {
      const nodes = subject.type === 'start' ? [subject] : [start(), subject];
      const edges: TestEdge[] = subject.type === 'start' ? [] : [['s', 'x']];
      const from = subject.id;
      const endNode = end(...outputs.map((output) => [from, output]));
      const handle = BRANCH_HANDLES[subject.type];
      expectValid(dsl([...nodes, endNode], [...edges, [from, 'e', handle]], { mode: 'advanced-chat' }));
      expectOnly(
        dsl([...nodes, end([from, missing])], [...edges, [from, 'e', handle]], { mode: 'advanced-chat' }),
        'unknown_output',
        `no output "${missing}"`,
      );
    });

    it('reads variable-aggregator groups as <group>.output', () => {
      const aggregator = node('agg', 'variable-aggregator', {
        advanced_settings: { group_enabled: true, groups: [{ group_name: 'text', variables: [['s', 'q']] }] },
      });
      expectValid(
        dsl(
          [start(), aggregator, end(['agg', 'text', 'output'])],
          [
            ['s', 'agg'],
            ['agg', 'e'],
          ],
        ),
      );
      expectOnly(
        dsl(
          [start(), aggregator, end(['agg', 'output'])],
          [
            ['s', 'agg'],
            ['agg', 'e'],
          ],
        ),
        'unknown_output',
        '(it has text)',
      );
    });

    it('checks environment variables', () => {
      const nodes = [start(), node('h', 'http-request', { headers: 'Authorization:Bearer {{#env.API_KEY#}}' }), end()];
      expectValid(
        dsl(
          nodes,
          [
            ['s', 'h'],
            ['h', 'e'],
          ],
          { env: ['API_KEY'] },
        ),
      );
      const problem = expectOnly(
        dsl(
          nodes,
          [
            ['s', 'h'],
            ['h', 'e'],
          ],
          { env: ['OTHER'] },
        ),
        'unknown_variable',
      );
      expect(problem.message).toBe(
        'http-request node "h" ("H") reads {{#env.API_KEY#}}, but no environment variable "API_KEY" is declared',
      );
      expect(problem.path).toBe('workflow.graph.nodes[1].data.headers');
    });

    it('checks conversation variables', () => {
      const assigner = node('as', 'assigner', {
        items: [{ input_type: 'variable', operation: 'over-write', value: ['sys', 'query'], variable_selector: ['conversation', 'topic'] }],
        version: '2',
      });
      expectValid(dsl([start(), assigner], [['s', 'as']], { conversation: ['topic'], mode: 'advanced-chat' }));
      expectOnly(
        dsl([start(), assigner], [['s', 'as']], { mode: 'advanced-chat' }),
        'unknown_variable',
        'reads "conversation.topic", but no conversation variable "topic" is declared',
      );
    });

    it('checks system variables, and that chatflow-only ones are not used in a workflow app', () => {
      const reading = (name: string): TestNode[] => [start(), end(['sys', name])];
      for (const name of ['files', 'user_id', 'app_id', 'workflow_id', 'workflow_run_id', 'timestamp'])
        expectValid(dsl(reading(name), [['s', 'e']]));
      for (const name of ['query', 'conversation_id', 'dialogue_count']) {
        expectValid(dsl(reading(name), [['s', 'e']], { mode: 'advanced-chat' }));
        expectOnly(dsl(reading(name), [['s', 'e']]), 'unknown_variable', `sys.${name} exists only in chatflow (advanced-chat) apps`);
      }
      expectOnly(
        dsl(reading('tenant'), [['s', 'e']]),
        'unknown_variable',
        /sys\.tenant is not a system variable \(there are sys\.files, .*sys\.timestamp\)$/,
      );
    });

    it('accepts the userinput alias of the start node that recent Dify exports use', () => {
      const llm = node('llm', 'llm', {
        memory: { query_prompt_template: '{{#userinput.query#}} {{#userinput.files#}} {{#userinput.q#}}', window: { enabled: false } },
      });
      expectValid(
        dsl(
          [start(), llm, node('a', 'answer', { answer: '{{#llm.text#}}' })],
          [
            ['s', 'llm'],
            ['llm', 'a'],
          ],
          { mode: 'advanced-chat' },
        ),
      );
      expectOnly(
        dsl([start(), node('a', 'answer', { answer: '{{#userinput.city#}}' })], [['s', 'a']], { mode: 'advanced-chat' }),
        'unknown_variable',
        'the start node has no input "city"',
      );
    });

    it('reports a reference to a node on another branch', () => {
      const cases = [{ case_id: 'true', conditions: [] }];
      const nodes = [start(), node('if', 'if-else', { cases }), template('yes'), template('no', '', undefined, [['yes', 'output']]), end()];
      const problem = expectOnly(
        dsl(nodes, [
          ['s', 'if'],
          ['if', 'yes', 'true'],
          ['if', 'no', 'false'],
          ['yes', 'e'],
          ['no', 'e'],
        ]),
        'reference_not_upstream',
      );
      expect(problem.message).toBe(
        'template-transform node "no" ("NO") reads "yes.output", but template-transform node "yes" ("YES") does not run before it (no path of edges leads from it to this node)',
      );
    });

    it('reports a reference to a node that runs later, and to the node itself', () => {
      const nodes = [
        start(),
        template('a', '', undefined, [
          ['b', 'output'],
          ['a', 'output'],
        ]),
        template('b'),
        end(),
      ];
      const problems = problemsOf(
        dsl(nodes, [
          ['s', 'a'],
          ['a', 'b'],
          ['b', 'e'],
        ]),
      );
      expect(problems.map((problem) => [problem.code, problem.path])).toEqual([
        ['reference_not_upstream', 'workflow.graph.nodes[1].data.variables[0].value_selector'],
        ['reference_not_upstream', 'workflow.graph.nodes[1].data.variables[1].value_selector'],
      ]);
    });

    it('reports a malformed selector', () => {
      const problems = problemsOf(dsl([start(), end('s.q', ['s'], ['s', { q: 1 }])], [['s', 'e']]));
      expect(problems.map((problem) => problem.message)).toEqual([
        'end node "e" ("E") has an invalid variable selector at data.outputs[0].value_selector: expected a list such as ["node_id", "variable"], got "s.q"',
        'end node "e" ("E") has an invalid variable selector at data.outputs[1].value_selector: expected a list such as ["node_id", "variable"], got ["s"]',
        'end node "e" ("E") has an invalid variable selector at data.outputs[2].value_selector: expected a list such as ["node_id", "variable"], got ["s",{"q":1}]',
      ]);
      expect(problems.every((problem) => problem.code === 'invalid_selector')).toBe(true);
    });

    it('ignores selectors left empty, as the editor writes unset fields', () => {
      expectValid(
        dsl(
          [start(), node('llm', 'llm', { context: { enabled: false, variable_selector: [] } }), end([])],
          [
            ['s', 'llm'],
            ['llm', 'e'],
          ],
        ),
      );
    });

    it('finds references in every field that holds one', () => {
      // Each entry is a node whose data reads "ghost.x"; the path says where.
      const cases: [TestNode, string][] = [
        [node('n', 'end', { outputs: [{ value_selector: ['ghost', 'x'], variable: 'o' }] }), 'outputs[0].value_selector'],
        [node('n', 'answer', { answer: '{{#ghost.x#}}' }), 'answer'],
        [node('n', 'llm', { context: { enabled: true, variable_selector: ['ghost', 'x'] } }), 'context.variable_selector'],
        [
          node('n', 'llm', {
            prompt_template: [
              { role: 'system', text: 'a' },
              { role: 'user', text: '{{#ghost.x#}}' },
            ],
          }),
          'prompt_template[1].text',
        ],
        [node('n', 'llm', { prompt_template: { text: '{{#ghost.x#}}' } }), 'prompt_template.text'],
        [
          node('n', 'llm', { prompt_config: { jinja2_variables: [{ value_selector: ['ghost', 'x'], variable: 'v' }] } }),
          'prompt_config.jinja2_variables[0].value_selector',
        ],
        [
          node('n', 'llm', { vision: { configs: { variable_selector: ['ghost', 'x'] }, enabled: true } }),
          'vision.configs.variable_selector',
        ],
        [node('n', 'llm', { memory: { query_prompt_template: '{{#ghost.x#}}' } }), 'memory.query_prompt_template'],
        [
          node('n', 'if-else', {
            cases: [{ case_id: 'true', conditions: [{ comparison_operator: 'is', value: '1', variable_selector: ['ghost', 'x'] }] }],
          }),
          'cases[0].conditions[0].variable_selector',
        ],
        [
          node('n', 'if-else', {
            cases: [
              { case_id: 'true', conditions: [{ comparison_operator: 'is', value: '{{#ghost.x#}}', variable_selector: ['s', 'q'] }] },
            ],
          }),
          'cases[0].conditions[0].value',
        ],
        [node('n', 'code', { variables: [{ value_selector: ['ghost', 'x'], variable: 'v' }] }), 'variables[0].value_selector'],
        [
          node('n', 'template-transform', { variables: [{ value_selector: ['ghost', 'x'], variable: 'v' }] }),
          'variables[0].value_selector',
        ],
        [
          node('n', 'variable-aggregator', {
            variables: [
              ['s', 'q'],
              ['ghost', 'x'],
            ],
          }),
          'variables[1]',
        ],
        [
          node('n', 'variable-aggregator', {
            advanced_settings: { group_enabled: true, groups: [{ group_name: 'g', variables: [['ghost', 'x']] }] },
          }),
          'advanced_settings.groups[0].variables[0]',
        ],
        [node('n', 'knowledge-retrieval', { query_variable_selector: ['ghost', 'x'] }), 'query_variable_selector'],
        [node('n', 'question-classifier', { query_variable_selector: ['ghost', 'x'] }), 'query_variable_selector'],
        [node('n', 'question-classifier', { instruction: 'Consider {{#ghost.x#}}', query_variable_selector: ['s', 'q'] }), 'instruction'],
        [node('n', 'parameter-extractor', { query: ['ghost', 'x'] }), 'query'],
        [node('n', 'parameter-extractor', { instruction: '{{#ghost.x#}}', query: ['s', 'q'] }), 'instruction'],
        [node('n', 'http-request', { url: 'https://x/{{#ghost.x#}}' }), 'url'],
        [node('n', 'http-request', { params: 'q:{{#ghost.x#}}' }), 'params'],
        [
          node('n', 'http-request', { body: { data: [{ type: 'text', value: '{"a": "{{#ghost.x#}}"}' }], type: 'json' } }),
          'body.data[0].value',
        ],
        [
          node('n', 'http-request', { body: { data: [{ file: ['ghost', 'x'], key: 'f', type: 'file' }], type: 'form-data' } }),
          'body.data[0].file',
        ],
        [node('n', 'http-request', { body: { data: '{{#ghost.x#}}', type: 'raw-text' } }), 'body.data'],
        [
          node('n', 'http-request', { authorization: { config: { api_key: '{{#ghost.x#}}', type: 'bearer' }, type: 'api-key' } }),
          'authorization.config.api_key',
        ],
        [
          node('n', 'assigner', {
            items: [{ input_type: 'variable', operation: 'over-write', value: ['s', 'q'], variable_selector: ['ghost', 'x'] }],
          }),
          'items[0].variable_selector',
        ],
        [
          node('n', 'assigner', {
            items: [{ input_type: 'variable', operation: 'over-write', value: ['ghost', 'x'], variable_selector: ['s', 'q'] }],
          }),
          'items[0].value',
        ],
        [
          node('n', 'assigner', {
            assigned_variable_selector: ['ghost', 'x'],
            input_variable_selector: ['s', 'q'],
            version: '1',
            write_mode: 'over-write',
          }),
          'assigned_variable_selector',
        ],
        [node('n', 'document-extractor', { variable_selector: ['ghost', 'x'] }), 'variable_selector'],
        [node('n', 'list-operator', { variable: ['ghost', 'x'] }), 'variable'],
      ];
      for (const [subject, path] of cases) {
        const problems = problemsOf(dsl([start(), subject], [['s', 'n']], { mode: 'advanced-chat' }));
        expect([subject.type, problems.map((problem) => [problem.code, problem.path])]).toEqual([
          subject.type,
          [['unknown_node_reference', `workflow.graph.nodes[1].data.${path}`]],
        ]);
      }
    });

    it('does not read constants, disabled context or vision, or jinja2 prompt text as references', () => {
      const nodes = [
        start(),
        node('llm', 'llm', {
          context: { enabled: false, variable_selector: ['ghost', 'x'] },
          prompt_template: [{ edition_type: 'jinja2', jinja2_text: '{{ x }}', role: 'user', text: '{{#ghost.x#}}' }],
          vision: { configs: { variable_selector: ['ghost', 'x'] }, enabled: false },
        }),
        node('as', 'assigner', {
          items: [{ input_type: 'constant', operation: 'over-write', value: ['ghost', 'x'], variable_selector: ['conversation', 'c'] }],
        }),
        node('a', 'answer', { answer: 'Context: {{#context#}}' }),
      ];
      expectValid(
        dsl(
          nodes,
          [
            ['s', 'llm'],
            ['llm', 'as'],
            ['as', 'a'],
          ],
          { conversation: ['c'], mode: 'advanced-chat' },
        ),
      );
    });
  });

  describe('references inside containers', () => {
    const iterationNodes = (childVariables: unknown[], outputSelector: unknown = ['in', 'output']): TestNode[] => [
      start(),
      node('code', 'code', { outputs: { list: { type: 'array[string]' } } }),
      node('it', 'iteration', { iterator_selector: ['code', 'list'], output_selector: outputSelector, start_node_id: 'its' }),
      node('its', 'iteration-start', {}, 'it'),
      template('in', '', 'it', childVariables),
      end(['it', 'output']),
    ];
    const iterationEdges: TestEdge[] = [
      ['s', 'code'],
      ['code', 'it'],
      ['its', 'in'],
      ['it', 'e'],
    ];

    it('lets a child read the current item and index, and anything that runs before the iteration', () => {
      expectValid(
        dsl(
          iterationNodes([
            ['it', 'item'],
            ['it', 'index'],
            ['code', 'list'],
            ['s', 'q'],
            ['it', 'item', 'name'],
          ]),
          iterationEdges,
        ),
      );
    });

    it("refuses a child reading the iteration's output, which exists only when it finishes", () => {
      expectOnly(
        dsl(iterationNodes([['it', 'output']]), iterationEdges),
        'reference_not_upstream',
        'iteration node "it" ("IT") has its "output" only after it finishes, and this node is inside it',
      );
    });

    it('refuses item and index outside the iteration', () => {
      const nodes = iterationNodes([]);
      nodes[5] = end(['it', 'item']);
      expectOnly(
        dsl(nodes, iterationEdges),
        'reference_not_upstream',
        'reads "it.item", but "item" is available only to nodes inside iteration node "it" ("IT")',
      );
    });

    it('refuses a node after the iteration reading a node inside it', () => {
      const nodes = iterationNodes([]);
      nodes[5] = end(['in', 'output']);
      expectOnly(dsl(nodes, iterationEdges), 'reference_not_upstream', 'does not run before it');
    });

    it("checks that the iteration's output_selector names a node inside it", () => {
      expectOnly(
        dsl(iterationNodes([], ['code', 'list']), iterationEdges),
        'reference_not_upstream',
        "is not inside the iteration, so it cannot supply the iteration's output",
      );
      expectOnly(dsl(iterationNodes([], ['in', 'text']), iterationEdges), 'unknown_output', 'has no output "text" (it has output)');
    });

    const loopNodes = (breakSelector: string[], childSelector: string[]): TestNode[] => [
      start(),
      node('l', 'loop', {
        break_conditions: [{ comparison_operator: '≥', value: '3', variable_selector: breakSelector }],
        loop_variables: [
          { label: 'n', value: '0', value_type: 'constant', var_type: 'number' },
          { label: 'seed', value: ['s', 'q'], value_type: 'variable', var_type: 'string' },
        ],
        start_node_id: 'ls',
      }),
      node('ls', 'loop-start', {}, 'l'),
      node(
        'inc',
        'assigner',
        { items: [{ input_type: 'constant', operation: '+=', value: 1, variable_selector: childSelector }], version: '2' },
        'l',
      ),
      template('t', '', 'l', [['l', 'seed']]),
      node('le', 'loop-end', {}, 'l'),
      end(['l', 'n'], ['l', 'loop_round']),
    ];
    const loopEdges: TestEdge[] = [
      ['s', 'l'],
      ['ls', 'inc'],
      ['inc', 't'],
      ['t', 'le'],
      ['l', 'e'],
    ];

    it('lets loop children read and write loop variables, and break conditions read them and inner nodes', () => {
      expectValid(dsl(loopNodes(['l', 'n'], ['l', 'n']), loopEdges));
      expectValid(dsl(loopNodes(['t', 'output'], ['l', 'n']), loopEdges));
    });

    it('refuses loop variables that are not declared', () => {
      const problems = problemsOf(dsl(loopNodes(['l', 'm'], ['l', 'count']), loopEdges));
      expect(problems.map((problem) => [problem.code, problem.message])).toEqual([
        ['unknown_output', 'loop node "l" ("L") reads "l.m", but loop node "l" ("L") has no output "m" (it has n, seed)'],
        ['unknown_output', 'assigner node "inc" ("INC") reads "l.count", but loop node "l" ("L") has no output "count" (it has n, seed)'],
      ]);
    });

    it('checks the selector of a loop variable fed from another node', () => {
      const nodes = loopNodes(['l', 'n'], ['l', 'n']);
      (nodes[1].data as { loop_variables: unknown[] }).loop_variables.push({
        label: 'x',
        value: ['ghost', 'v'],
        value_type: 'variable',
        var_type: 'string',
      });
      expectOnly(dsl(nodes, loopEdges), 'unknown_node_reference', 'loop node "l" ("L") reads "ghost.v", but there is no node "ghost"');
    });
  });

  describe('warnings', () => {
    it('warns about nodes no edge leads to, at the top level and inside containers', () => {
      const nodes = [
        start(),
        template('lonely'),
        node('l', 'loop', { start_node_id: 'ls' }),
        node('ls', 'loop-start', {}, 'l'),
        template('stray', '', 'l'),
        end(),
      ];
      expect(
        expectValid(
          dsl(nodes, [
            ['s', 'l'],
            ['l', 'e'],
          ]),
        ),
      ).toEqual([
        'template-transform node "lonely" ("LONELY") is not connected to the start node and will never run',
        'template-transform node "stray" ("STRAY") is not connected to the start of its iteration or loop and will never run',
      ]);
    });
  });

  describe('a document with every problem at once', () => {
    const result = parseDsl(readFileSync(join(__dirname, 'fixtures', 'broken-everything.yml'), 'utf8'));
    const errors = result.ok ? [] : result.errors;

    it('fails', () => {
      expect(result.ok).toBe(false);
    });

    it.each<[DslProblemCode, string]>([
      ['unsupported_version', 'DSL version 0.9.0 is newer than Weft understands (0.1.0 to 0.7.x)'],
      ['unknown_node_type', 'unknown node type "foo" in node "1754700000003"'],
      ['unsupported_node_type', 'node "1754700000004" ("Search the web") is a "human-input" node, which Weft cannot run'],
      ['duplicate_node_id', 'Two nodes have the id "1754700000005"'],
      ['invalid_structure', 'node "1754700000014" ("Bad outputs"): data.outputs should be a mapping, not a string'],
      ['invalid_container', 'loop node "1754700000007" ("Repeat") starts at node "1754700000099", which does not exist'],
      ['multiple_start_nodes', 'The workflow has 2 start nodes ("1754700000001", "1754700000002")'],
      ['invalid_source_handle', 'by handle "maybe", which is not one of its cases ("true", "false")'],
      [
        'edge_crosses_container',
        'joins template-transform node "1754700000013" ("Inner"), inside node "1754700000012", to end node "1754700000010" ("End"), at the top level',
      ],
      ['unknown_edge_node', 'ends at node "ghost-node", which does not exist'],
      ['cycle', 'nodes "1754700000008", "1754700000009" form a cycle'],
      ['unknown_operator', 'uses the unknown comparison operator "equals" in case "true"'],
      ['unknown_operator', 'uses the unknown comparison operator "greater than" in its break conditions'],
      ['invalid_selector', 'got "not-a-selector"'],
      ['unknown_node_reference', 'reads "ghost.text", but there is no node "ghost"'],
      ['unknown_output', 'reads "1754700000001.nope", but start node "1754700000001" ("Start") has no output "nope" (it has q)'],
      ['unknown_variable', 'reads "env.MISSING_KEY", but no environment variable "MISSING_KEY" is declared'],
      [
        'reference_not_upstream',
        'reads "1754700000011.output", but template-transform node "1754700000011" ("Orphan") does not run before it',
      ],
    ])('lists %s: %s', (code, message) => {
      expect(errors.filter((problem) => problem.code === code).map((problem) => problem.message)).toEqual(
        expect.arrayContaining([expect.stringContaining(message)]),
      );
    });

    it('lists nothing else, and covers every code that can occur together with the others', () => {
      expect(errors).toHaveLength(18);
      // These exclude a readable graph, so each is tested on its own above or in dsl-parse.spec.ts.
      const alone: DslProblemCode[] = ['dsl_too_large', 'invalid_app_mode', 'missing_start_node', 'yaml_syntax'];
      expect(new Set(errors.map((problem) => problem.code))).toEqual(new Set(DSL_PROBLEM_CODES.filter((code) => !alone.includes(code))));
    });
  });
});

describe('lenient references (issue 17)', () => {
  // Dify imports graphs whose references point at nodes that do not run before the reader or are not
  // there, and reads them as empty values at run time; Weft does the same and lists them as warnings.
  const twoBranches = (reads: unknown[][]): string =>
    dsl(
      [
        start(),
        node('if', 'if-else', { cases: [{ case_id: 'true', conditions: [] }] }),
        template('yes'),
        template('no', '{{ v0 }}|{{ v1 }}|{{ v2 }}', undefined, reads),
        end(['no', 'output']),
      ],
      [
        ['s', 'if'],
        ['if', 'yes', 'true'],
        ['if', 'no', 'false'],
        ['yes', 'e'],
        ['no', 'e'],
      ],
    );

  it('accepts references to a node that is not upstream, to a missing node and to an unknown output, listing each as a warning', () => {
    const result = parseDsl(
      twoBranches([
        ['yes', 'output'],
        ['gone', 'text'],
        ['s', 'nope'],
      ]),
    );
    if (!result.ok) throw new Error(`expected the import to be accepted, got ${JSON.stringify(result.errors)}`);
    expect(result.app.graph?.nodes['no']).toBeDefined();
    expect(result.problems.map((problem) => [problem.code, problem.nodeId])).toEqual([
      ['reference_not_upstream', 'no'],
      ['unknown_node_reference', 'no'],
      ['unknown_output', 'no'],
    ]);
    expect(result.problems.every((problem) => isWarningProblem(problem) && problem.message !== '' && problem.path)).toBe(true);
  });

  it('names exactly the three reference problems as warnings', () => {
    expect([...WARNING_PROBLEM_CODES].sort()).toEqual(['reference_not_upstream', 'unknown_node_reference', 'unknown_output']);
  });

  it('has no warnings for a graph whose references all resolve', () => {
    const result = parseDsl(
      dsl(
        [start(), template('t', '', undefined, [['s', 'q']]), end(['t', 'output'])],
        [
          ['s', 't'],
          ['t', 'e'],
        ],
      ),
    );
    expect(result.ok && result.problems).toEqual([]);
  });

  it('still refuses a graph with an error, listing the warnings found beside it', () => {
    const result = parseDsl(dsl([template('t', '', undefined, [['gone', 'text']]), end(['t', 'output'])], [['t', 'e']]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((problem) => problem.code).sort()).toEqual(['missing_start_node', 'unknown_node_reference']);
  });

  it.each([
    ['no start node', dsl([template('t'), end()], [['t', 'e']]), 'missing_start_node'],
    [
      'a cycle outside containers',
      dsl(
        [start(), template('a'), template('b'), end()],
        [
          ['s', 'a'],
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'e'],
        ],
      ),
      'cycle',
    ],
    [
      'an unknown node type',
      dsl(
        [start(), node('x', 'foo'), end()],
        [
          ['s', 'x'],
          ['x', 'e'],
        ],
      ),
      'unknown_node_type',
    ],
    [
      'an unsupported node type',
      dsl(
        [start(), node('x', 'trigger-webhook'), end()],
        [
          ['s', 'x'],
          ['x', 'e'],
        ],
      ),
      'unsupported_node_type',
    ],
    [
      'malformed node data',
      dsl(
        [start(), node('t', 'template-transform', { template: 42 }), end()],
        [
          ['s', 't'],
          ['t', 'e'],
        ],
      ),
      'invalid_structure',
    ],
    [
      'an undeclared environment variable',
      dsl(
        [start(), template('t', '', undefined, [['env', 'NOPE']]), end()],
        [
          ['s', 't'],
          ['t', 'e'],
        ],
      ),
      'unknown_variable',
    ],
  ])('still refuses %s', (_what, yaml, code) => {
    const result = parseDsl(yaml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((problem) => problem.code)).toContain(code);
  });
});
