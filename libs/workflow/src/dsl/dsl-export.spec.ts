import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { exportDsl } from './dsl-export.util';
import { parseDsl } from './dsl-parse.util';
import type { ParsedApp, WorkflowGraph } from './dsl.types';

const VALID_FIXTURES = ['simple-template.yml', 'if-else-join.yml', 'chatflow-llm.yml', 'iteration.yml', 'loop.yml', 'all-node-types.yml'];

function parsed(text: string): ParsedApp {
  const result = parseDsl(text);
  if (!result.ok)
    throw new Error(`expected a valid DSL, got:\n${result.errors.map((problem) => `${problem.code}: ${problem.message}`).join('\n')}`);
  return result.app;
}

const fixture = (name: string): ParsedApp => parsed(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

// What the engine reads: nodes with their data, and edges with their handles.
function engineView(graph: WorkflowGraph | null): unknown {
  if (!graph) return null;
  return {
    containers: graph.containers,
    edges: graph.edges.map(({ id, source, sourceHandle, target }) => ({ id, source, sourceHandle, target })),
    nodes: Object.values(graph.nodes).map(({ data, id, parentId, title, type }) => ({ data, id, parentId, title, type })),
    startNodeId: graph.startNodeId,
  };
}

describe('exportDsl', () => {
  describe.each(VALID_FIXTURES)('round trip of %s', (name) => {
    const original = fixture(name);
    const exported = exportDsl(original, { includeSecrets: true });
    const again = parsed(exported);

    it('gives back an equal graph: nodes, edges, data and editor keys', () => {
      expect(engineView(again.graph)).toEqual(engineView(original.graph));
      expect(again.graph).toEqual(original.graph);
    });

    it('gives back the same app fields and variables', () => {
      const fields = (app: ParsedApp): unknown => ({ ...app, raw: undefined, version: undefined });
      expect(fields(again)).toEqual(fields(original));
    });

    it('is stable: exporting the re-imported app writes the same text', () => {
      expect(exportDsl(again, { includeSecrets: true })).toBe(exported);
    });
  });

  it('writes version 0.6.0 and kind app, with keys sorted as PyYAML writes them', () => {
    const text = exportDsl(fixture('loop.yml'));
    const document = parse(text) as Record<string, unknown>;
    expect(document.version).toBe('0.6.0');
    expect(document.kind).toBe('app');
    expect(Object.keys(document)).toEqual(['app', 'dependencies', 'kind', 'version', 'workflow']);
    expect(Object.keys(document.workflow as object)).toEqual(['conversation_variables', 'environment_variables', 'features', 'graph']);
    expect(document.app).toEqual({
      description: 'Counts up in a loop until a break condition or the limit is reached.',
      icon: '🤖',
      icon_background: '#FFEAD5',
      icon_type: 'emoji',
      mode: 'workflow',
      name: 'Count up',
      use_icon_as_answer_icon: false,
    });
  });

  it('keeps the ReactFlow shape and the editor keys from the import', () => {
    const document = parse(exportDsl(fixture('iteration.yml'))) as {
      workflow: { graph: { edges: Record<string, unknown>[]; nodes: Record<string, unknown>[] } };
    };
    const inner = document.workflow.graph.nodes.find((entry) => entry.id === '1754520311846start');
    expect(inner).toEqual({
      data: {
        desc: '',
        isInIteration: true,
        isInLoop: false,
        iteration_id: '1754520311846',
        selected: false,
        title: '',
        type: 'iteration-start',
      },
      draggable: false,
      height: 48,
      id: '1754520311846start',
      parentId: '1754520311846',
      position: { x: 24, y: 68 },
      positionAbsolute: { x: 662, y: 350 },
      selectable: false,
      selected: false,
      sourcePosition: 'right',
      targetPosition: 'left',
      type: 'custom-iteration-start',
      width: 44,
      zIndex: 1002,
    });
    expect(document.workflow.graph.edges[2]).toEqual({
      data: {
        isInIteration: true,
        isInLoop: false,
        iteration_id: '1754520311846',
        sourceType: 'iteration-start',
        targetType: 'template-transform',
      },
      id: '1754520311846start-source-1754520327450-target',
      source: '1754520311846start',
      sourceHandle: 'source',
      target: '1754520327450',
      targetHandle: 'target',
      type: 'custom',
      zIndex: 1002,
    });
  });

  it('blanks secret environment values unless secrets are included', () => {
    const app = fixture('chatflow-llm.yml');
    const values = (text: string): unknown[] =>
      (parse(text) as { workflow: { environment_variables: { value: unknown }[] } }).workflow.environment_variables.map(
        (variable) => variable.value,
      );
    expect(values(exportDsl(app))).toEqual(['Weft', '']);
    expect(values(exportDsl(app, { includeSecrets: false }))).toEqual(['Weft', '']);
    expect(values(exportDsl(app, { includeSecrets: true }))).toEqual(['Weft', 'sk-live-0123456789']);
    expect(app.environmentVariables[1].value).toBe('sk-live-0123456789');
  });

  it('writes model_config instead of workflow for chat, agent-chat and completion apps', () => {
    const app = parsed(
      'version: "0.1.2"\napp: {mode: completion, name: Writer, icon: ✍️}\nmodel_config: {pre_prompt: "Write about {{topic}}", user_input_form: []}\n',
    );
    const document = parse(exportDsl(app)) as Record<string, unknown>;
    expect(document).not.toHaveProperty('workflow');
    expect(document.model_config).toEqual({ pre_prompt: 'Write about {{topic}}', user_input_form: [] });
    expect(parsed(exportDsl(app)).modelConfig).toEqual(app.modelConfig);
  });

  it('does not write note nodes', () => {
    const text = exportDsl(fixture('if-else-join.yml'));
    expect(text).not.toContain('custom-note');
    expect(text).not.toContain('1754300221409');
  });

  it('writes a legacy if-else in the cases form', () => {
    const app = parsed(`version: "0.2.0"
app: {mode: workflow}
workflow:
  graph:
    nodes:
    - {id: s, data: {type: start, variables: [{variable: q, type: text-input, label: Q}]}}
    - {id: c, data: {type: if-else, logical_operator: and, conditions: [{comparison_operator: '=', value: '1', variable_selector: [s, q]}]}}
    - {id: e, data: {type: end, outputs: []}}
    edges:
    - {source: s, target: c}
    - {source: c, sourceHandle: 'true', target: e}
`);
    const text = exportDsl(app);
    const node = (parse(text) as { workflow: { graph: { nodes: { data: Record<string, unknown> }[] } } }).workflow.graph.nodes[1];
    expect(node.data).toEqual({
      cases: [
        { case_id: 'true', conditions: [{ comparison_operator: '=', value: '1', variable_selector: ['s', 'q'] }], logical_operator: 'and' },
      ],
      type: 'if-else',
    });
    expect(engineView(parsed(text).graph)).toEqual(engineView(app.graph));
  });

  it('quotes strings that PyYAML would read as something else, so Dify reads them back as strings', () => {
    const app = fixture('simple-template.yml');
    const tricky = ['=', 'yes', 'off', '2024-01-01', '0123', '1:20', 'null', '~', '', '3.5', '<<'];
    app.features = { values: tricky };
    const text = exportDsl(app);
    for (const value of tricky) expect(text).toContain(`- '${value}'`);
    expect(text).toMatch(/\n +y: 282\n/);
    expect((parsed(text).features as { values: string[] }).values).toEqual(tricky);
  });

  it('fills in editor keys for nodes and edges built without them', () => {
    const app = fixture('iteration.yml');
    const graph = app.graph as WorkflowGraph;
    for (const node of Object.values(graph.nodes)) node.ui = {};
    for (const edge of graph.edges) edge.ui = {};
    graph.viewport = null;
    const text = exportDsl(app);
    const document = parse(text) as {
      workflow: { graph: { edges: Record<string, unknown>[]; nodes: Record<string, unknown>[]; viewport: unknown } };
    };
    const inner = document.workflow.graph.nodes.find((entry) => entry.id === '1754520311846start');
    expect(inner).toMatchObject({ parentId: '1754520311846', position: { x: 0, y: 0 }, type: 'custom-iteration-start', zIndex: 1002 });
    expect(document.workflow.graph.nodes[0]).toMatchObject({
      position: { x: 0, y: 0 },
      sourcePosition: 'right',
      targetPosition: 'left',
      type: 'custom',
    });
    expect(document.workflow.graph.edges[2]).toMatchObject({
      data: {
        isInIteration: true,
        isInLoop: false,
        iteration_id: '1754520311846',
        sourceType: 'iteration-start',
        targetType: 'template-transform',
      },
      targetHandle: 'target',
      type: 'custom',
      zIndex: 1002,
    });
    expect(document.workflow.graph.viewport).toEqual({ x: 0, y: 0, zoom: 1 });
    expect(engineView(parsed(text).graph)).toEqual(engineView(app.graph));
  });
});
