import { readFileSync } from 'fs';
import { join } from 'path';
import { parseDsl, readDocument } from './dsl-parse.util';
import { DSL_MAX_BYTES, type DslProblem, type ParsedApp } from './dsl.types';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

function errorsOf(yaml: string, options?: { maxBytes?: number }): DslProblem[] {
  const result = parseDsl(yaml, options);
  if (result.ok) throw new Error('expected the DSL to be refused');
  return result.errors;
}

function appOf(yaml: string): { app: ParsedApp; warnings: string[] } {
  const result = parseDsl(yaml);
  if (!result.ok)
    throw new Error(`expected a valid DSL, got:\n${result.errors.map((problem) => `${problem.code}: ${problem.message}`).join('\n')}`);
  return { app: result.app, warnings: result.warnings };
}

// The smallest workflow that passes validation; tests change one thing at a time.
const minimal = (header: string, extra = ''): string => `${header}
app:
  mode: workflow
  name: Minimal
workflow:
  graph:
    nodes:
    - id: start
      type: custom
      data: {type: start, title: Start, variables: []}
    - id: end
      type: custom
      data: {type: end, title: End, outputs: []}
${extra}    edges:
    - {id: e1, source: start, sourceHandle: source, target: end, targetHandle: target}
`;

describe('parseDsl', () => {
  describe('size limit', () => {
    it('refuses a document over 10 MB by default, before reading it', () => {
      const text = `a: '${'x'.repeat(DSL_MAX_BYTES)}'`;
      expect(errorsOf(text)).toEqual([
        { code: 'dsl_too_large', message: `The DSL is ${DSL_MAX_BYTES + 5} bytes; the limit is ${DSL_MAX_BYTES} bytes (10 MB)` },
      ]);
    });

    it('counts bytes, not characters, against a custom limit', () => {
      const text = minimal('version: "0.6.0"');
      const bytes = Buffer.byteLength(text, 'utf8');
      expect(parseDsl(text, { maxBytes: bytes }).ok).toBe(true);
      expect(errorsOf(`${text}# ≥\n`, { maxBytes: bytes + 4 })[0].code).toBe('dsl_too_large');
      expect(parseDsl(`${text}# ≥\n`, { maxBytes: bytes + 6 }).ok).toBe(true);
    });
  });

  describe('YAML reading', () => {
    it('reports a syntax error with its line and column, without throwing', () => {
      const errors = errorsOf('app:\n  mode: workflow\n  name: [unclosed\nworkflow: {}\n');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0].code).toBe('yaml_syntax');
      expect(errors[0].message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
      expect(errors.some((problem) => problem.message.includes('line 3') || problem.message.includes('line 4'))).toBe(true);
    });

    it('reports tabs used for indentation as a syntax error', () => {
      expect(errorsOf('app:\n\tmode: workflow\n')[0]).toMatchObject({ code: 'yaml_syntax', message: expect.stringContaining('line 2') });
    });

    it('refuses an alias bomb quickly instead of expanding it', () => {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++) {
        const name = String.fromCharCode(97 + i);
        const previous = String.fromCharCode(96 + i);
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
      }
      const startedAt = Date.now();
      const errors = errorsOf(levels.join('\n'));
      expect(Date.now() - startedAt).toBeLessThan(2000);
      expect(errors).toEqual([{ code: 'yaml_syntax', message: expect.stringContaining('too many aliases') }]);
    });

    it('still accepts a few aliases, as PyYAML does', () => {
      const text = minimal('version: "0.6.0"').replace(
        'data: {type: end, title: End, outputs: []}',
        'data: &end {type: end, title: End, outputs: []}',
      );
      expect(appOf(`${text}  features: {shared: *end}\n`).app.features).toEqual({ shared: { outputs: [], title: 'End', type: 'end' } });
    });

    it('refuses a document that is not a mapping', () => {
      for (const text of ['- a\n- b\n', 'just text', '', '42']) {
        expect(errorsOf(text)).toEqual([
          { code: 'invalid_structure', message: 'The DSL must be a YAML mapping with the keys version, kind, app and workflow' },
        ]);
      }
    });

    it('reads positions with a `y` key as numbers (YAML 1.2), not as booleans', () => {
      const { app } = appOf(fixture('simple-template.yml'));
      expect(app.graph?.nodes['1754154032319'].ui.position).toEqual({ x: 80, y: 282 });
    });
  });

  describe('version', () => {
    it('treats a missing version as 0.1.0 and warns that it is old', () => {
      const { app, warnings } = appOf(minimal(''));
      expect(app.version).toBe('0.1.0');
      expect(app.raw.version).toBe('0.1.0');
      expect(warnings).toEqual([
        'DSL version 0.1.0 is older than 0.6.0: the app was imported, but check it in the editor before publishing',
      ]);
    });

    it.each(['0.1.0', '0.1.5', '0.2.0', '0.3.1', '0.4.0', '0.5.0'])('accepts %s with a warning', (version) => {
      expect(appOf(minimal(`version: "${version}"`)).warnings).toEqual([
        expect.stringContaining(`DSL version ${version} is older than 0.6.0`),
      ]);
    });

    it.each(['0.6.0', '0.6.3', '0.7.0', '0.7.12'])('accepts %s without a warning', (version) => {
      const { app, warnings } = appOf(minimal(`version: "${version}"`));
      expect(warnings).toEqual([]);
      expect(app.version).toBe(version);
    });

    it.each([
      [
        '0.8.0',
        'DSL version 0.8.0 is newer than Weft understands (0.1.0 to 0.7.x); export the app from a Dify release that writes DSL 0.7 or older',
      ],
      [
        '1.0.0',
        'DSL version 1.0.0 is newer than Weft understands (0.1.0 to 0.7.x); export the app from a Dify release that writes DSL 0.7 or older',
      ],
      ['0.0.9', 'DSL version 0.0.9 is older than 0.1.0, which Weft cannot read'],
      ['latest', 'DSL version "latest" is not a version number; Weft imports DSL versions 0.1.0 to 0.7.x'],
    ])('refuses %s', (version, message) => {
      expect(errorsOf(minimal(`version: "${version}"`))).toEqual([{ code: 'unsupported_version', message, path: 'version' }]);
    });

    it('refuses a version written as a number, as Dify does', () => {
      expect(errorsOf(minimal('version: 0.6'))).toEqual([
        { code: 'unsupported_version', message: 'version must be a quoted string such as "0.6.0", not 0.6', path: 'version' },
      ]);
    });
  });

  describe('app section', () => {
    it('forces kind to app', () => {
      const { app } = appOf(minimal('version: "0.6.0"\nkind: dataset'));
      expect(app.raw.kind).toBe('app');
    });

    it('reads the app fields and fills Dify defaults for the missing ones', () => {
      const { app } = appOf(fixture('chatflow-llm.yml'));
      expect(app).toMatchObject({
        description: 'Answers with an LLM and remembers topics in conversation variables.',
        icon: '🤖',
        iconBackground: '#FFEAD5',
        iconType: 'emoji',
        mode: 'advanced-chat',
        modelConfig: null,
        name: 'Support chat',
        useIconAsAnswerIcon: false,
      });
      const bare = appOf(minimal('version: "0.6.0"')).app;
      expect([bare.icon, bare.iconBackground, bare.iconType, bare.description]).toEqual(['🤖', '#FFEAD5', 'emoji', '']);
    });

    it('refuses a document without an app section or without a mode', () => {
      expect(errorsOf('version: "0.6.0"\nworkflow: {graph: {nodes: []}}\n')).toEqual([
        { code: 'invalid_structure', message: 'The DSL has no app section (name, mode, icon, description)', path: 'app' },
      ]);
      expect(errorsOf('version: "0.6.0"\napp: {name: x}\n')).toEqual([
        { code: 'invalid_structure', message: 'The app section: mode is missing', path: 'app.mode' },
      ]);
    });

    it('refuses an unknown mode', () => {
      expect(errorsOf(minimal('version: "0.6.0"').replace('mode: workflow', 'mode: chatbot'))).toEqual([
        {
          code: 'invalid_app_mode',
          message: 'app.mode "chatbot" is not an app mode; expected one of workflow, advanced-chat, chat, agent-chat, completion',
          path: 'app.mode',
        },
      ]);
    });

    it.each(['chat', 'agent-chat', 'completion'])('keeps the model_config of a %s app and has no graph', (mode) => {
      const { app } = appOf(
        `version: "0.6.0"\napp: {mode: ${mode}, name: Bot}\nmodel_config:\n  model: {provider: openai, name: gpt-4o}\n  pre_prompt: Be brief.\n`,
      );
      expect(app.graph).toBeNull();
      expect(app.modelConfig).toEqual({ model: { name: 'gpt-4o', provider: 'openai' }, pre_prompt: 'Be brief.' });
    });

    it('refuses a chat app without a model_config mapping', () => {
      expect(errorsOf('version: "0.6.0"\napp: {mode: chat, name: Bot}\nmodel_config: [1]\n')).toEqual([
        { code: 'invalid_structure', message: 'A chat app needs a model_config mapping', path: 'model_config' },
      ]);
    });

    it('refuses a workflow app without a workflow section', () => {
      expect(errorsOf('version: "0.6.0"\napp: {mode: workflow, name: x}\n')).toEqual([
        { code: 'invalid_structure', message: 'A workflow app needs a workflow section with its graph', path: 'workflow' },
      ]);
    });

    it('refuses dependencies that are not a list of mappings', () => {
      expect(errorsOf(minimal('version: "0.6.0"\ndependencies: langgenius/openai'))).toEqual([
        { code: 'invalid_structure', message: 'dependencies must be a list of plugin dependencies', path: 'dependencies' },
      ]);
    });
  });

  describe('structure', () => {
    it('reports malformed workflow sections with their paths, without throwing', () => {
      const errors = errorsOf(
        'version: "0.6.0"\napp: {mode: workflow}\nworkflow:\n  graph: {nodes: 5}\n  environment_variables: [{value: 1}]\n',
      );
      expect(errors).toEqual([
        {
          code: 'invalid_structure',
          message: 'The workflow section: environment_variables[0].name is missing',
          path: 'workflow.environment_variables[0].name',
        },
        {
          code: 'invalid_structure',
          message: 'The workflow section: environment_variables[0].value_type is missing',
          path: 'workflow.environment_variables[0].value_type',
        },
        {
          code: 'invalid_structure',
          message: 'The workflow section: graph.nodes should be a list, not a number',
          path: 'workflow.graph.nodes',
        },
      ]);
    });

    it('names the node whose wrapper or data is malformed', () => {
      const errors = errorsOf(
        minimal(
          'version: "0.6.0"',
          `    - id: n1
      type: custom
    - id: n2
      data: {title: No type}
    - id: n3
      data: {type: ''}
    - id: n4
      data: {type: if-else, title: Check, cases: {case_id: 'true'}}
    - 17
`,
        ),
      );
      expect(errors.map((problem) => [problem.message, problem.path])).toEqual([
        ['node "n1": data is missing', 'workflow.graph.nodes[2].data'],
        ['node "n2": data.type is missing', 'workflow.graph.nodes[3].data.type'],
        ['node "n3": data.type is empty; it should name the node type', 'workflow.graph.nodes[4].data.type'],
        ['node "n4" ("Check"): data.cases should be a list, not a mapping', 'workflow.graph.nodes[5].data.cases'],
        ['workflow.graph.nodes[6] must be a mapping with id, type and data', 'workflow.graph.nodes[6]'],
      ]);
      expect(errors.slice(0, 4).map((problem) => problem.nodeId)).toEqual(['n1', 'n2', 'n3', 'n4']);
    });

    it('reads unquoted numeric ids as strings', () => {
      const { app } = appOf(
        'version: "0.6.0"\napp: {mode: workflow}\nworkflow:\n  graph:\n    nodes:\n    - {id: 1754154032319, data: {type: start, variables: []}}\n    - {id: 1754154047702, data: {type: end, outputs: []}}\n    edges:\n    - {source: 1754154032319, target: 1754154047702}\n',
      );
      expect(Object.keys(app.graph?.nodes ?? {})).toEqual(['1754154032319', '1754154047702']);
      expect(app.graph?.edges).toEqual([
        {
          id: '1754154032319-source-1754154047702-target',
          source: '1754154032319',
          sourceHandle: 'source',
          target: '1754154047702',
          ui: {},
        },
      ]);
    });

    it('never throws, whatever the shape of the input', () => {
      const inputs = [
        'app: {mode: workflow}\nworkflow: []\n',
        'app: {mode: workflow}\nworkflow: {graph: {nodes: [null, [], {id: {a: 1}}], edges: [1, null, {source: []}]}}\n',
        'app: {mode: workflow}\nworkflow: {graph: {nodes: [{id: a, data: {type: if-else, cases: [null, 3]}}], edges: []}}\n',
        'app: {mode: workflow}\nworkflow: {graph: {nodes: [{id: a, data: {type: llm, model: {}, prompt_template: 5}}]}}\n',
        'app: [1]\n',
        'app: {mode: 5}\n',
      ];
      for (const input of inputs) expect(() => parseDsl(input)).not.toThrow();
      for (const input of inputs) expect(parseDsl(input).ok).toBe(false);
    });
  });

  describe('note nodes', () => {
    it('drops custom-note nodes from the graph and from raw, silently', () => {
      const text = fixture('if-else-join.yml');
      expect(text).toContain('type: custom-note');
      const { app } = appOf(text);
      expect(app.graph?.nodes['1754300221409']).toBeUndefined();
      const rawNodes = (app.raw.workflow as { graph: { nodes: { id: string }[] } }).graph.nodes;
      expect(rawNodes.map((entry) => entry.id)).not.toContain('1754300221409');
      expect(rawNodes).toHaveLength(6);
    });

    it('drops edges a hand edit attached to a note', () => {
      const text = minimal(
        'version: "0.6.0"',
        `    - id: note1
      type: custom-note
      data: {type: '', text: remember}
`,
      ).replace('    edges:\n', '    edges:\n    - {id: e9, source: note1, target: end}\n');
      const { app } = appOf(text);
      expect(app.graph?.edges.map((entry) => entry.id)).toEqual(['e1']);
    });
  });

  describe('legacy if-else', () => {
    const legacy = (operator: string): string =>
      minimal(
        'version: "0.3.0"',
        `    - id: check
      type: custom
      data:
        type: if-else
        title: Check
        logical_operator: or
        conditions:
        - {comparison_operator: ${operator}, value: hi, variable_selector: [start, q]}
`,
      )
        .replace('variables: []', 'variables: [{variable: q, type: text-input, label: Q}]')
        .replace(
          '    - {id: e1, source: start, sourceHandle: source, target: end, targetHandle: target}\n',
          '    - {id: e1, source: start, target: check}\n    - {id: e2, source: check, sourceHandle: "true", target: end}\n    - {id: e3, source: check, sourceHandle: "false", target: end}\n',
        );

    it('normalizes the single-case form into one case with the handle "true"', () => {
      const { app } = appOf(legacy('contains'));
      const data = app.graph?.nodes.check.data;
      expect(data?.cases).toEqual([
        {
          case_id: 'true',
          conditions: [{ comparison_operator: 'contains', value: 'hi', variable_selector: ['start', 'q'] }],
          logical_operator: 'or',
        },
      ]);
      expect(data).not.toHaveProperty('conditions');
      expect(data).not.toHaveProperty('logical_operator');
    });

    it('leaves raw as written', () => {
      const { app } = appOf(legacy('contains'));
      const rawCheck = (app.raw.workflow as { graph: { nodes: Record<string, unknown>[] } }).graph.nodes[2];
      expect(rawCheck.data).toMatchObject({ conditions: [expect.any(Object)], logical_operator: 'or' });
    });
  });

  describe('the graph model', () => {
    it('keeps editor keys of nodes and edges for export', () => {
      const { app } = appOf(fixture('simple-template.yml'));
      const start = app.graph?.nodes['1754154032319'];
      expect(start?.ui).toEqual({
        height: 116,
        position: { x: 80, y: 282 },
        positionAbsolute: { x: 80, y: 282 },
        selected: false,
        sourcePosition: 'right',
        targetPosition: 'left',
        type: 'custom',
        width: 244,
      });
      expect(start?.data).toMatchObject({ desc: '', selected: false, title: 'Start', type: 'start' });
      expect(app.graph?.edges[0]).toEqual({
        id: '1754154032319-source-1754154047702-target',
        source: '1754154032319',
        sourceHandle: 'source',
        target: '1754154047702',
        ui: {
          data: { isInIteration: false, isInLoop: false, sourceType: 'start', targetType: 'template-transform' },
          targetHandle: 'target',
          type: 'custom',
          zIndex: 0,
        },
      });
    });

    it('gives each node its id, type, title and container, and each container its children', () => {
      const { app } = appOf(fixture('iteration.yml'));
      const graph = app.graph;
      expect(graph?.startNodeId).toBe('1754520280137');
      expect(graph?.nodes['1754520327450']).toMatchObject({
        id: '1754520327450',
        parentId: '1754520311846',
        title: 'Number it',
        type: 'template-transform',
      });
      expect(graph?.nodes['1754520280137']).not.toHaveProperty('parentId');
      expect(graph?.containers).toEqual({
        '1754520311846': {
          childIds: ['1754520311846start', '1754520327450'],
          id: '1754520311846',
          kind: 'iteration',
          startNodeId: '1754520311846start',
        },
      });
      expect(graph?.viewport).toEqual({ x: 12, y: 87.5, zoom: 0.8 });
    });

    it('reads environment and conversation variables and features', () => {
      const { app } = appOf(fixture('chatflow-llm.yml'));
      expect(app.environmentVariables.map((variable) => [variable.name, variable.value_type, variable.value])).toEqual([
        ['PRODUCT_NAME', 'string', 'Weft'],
        ['TICKETS_API_KEY', 'secret', 'sk-live-0123456789'],
      ]);
      expect(app.conversationVariables.map((variable) => variable.name)).toEqual(['language', 'topics', 'turns']);
      expect(app.features).toMatchObject({
        opening_statement: 'Hi! Ask me anything about your document.',
        retriever_resource: { enabled: true },
      });
    });

    it('keeps raw independent of the graph, so changing one does not change the other', () => {
      const { app } = appOf(fixture('simple-template.yml'));
      (app.graph?.nodes['1754154032319'].data as Record<string, unknown>).title = 'Changed';
      const rawStart = (app.raw.workflow as { graph: { nodes: { data: { title: string } }[] } }).graph.nodes[0];
      expect(rawStart.data.title).toBe('Start');
    });

    it('validates an already-loaded document the same way', () => {
      const result = readDocument({
        app: { mode: 'workflow' },
        version: '0.6.0',
        workflow: { graph: { edges: [], nodes: [{ data: { type: 'end', outputs: [] }, id: 'e' }] } },
      });
      expect(result.ok ? [] : result.errors.map((problem) => problem.code)).toEqual(['missing_start_node']);
    });
  });
});
