import { classicAppWorkflow, convertTemplate } from './classic-app.util';
import { readDocument } from './dsl-parse.util';

const modelConfig = {
  dataset_configs: {
    datasets: { datasets: [{ dataset: { enabled: true, id: 'd1' } }, { dataset: { enabled: false, id: 'd2' } }] },
    retrieval_model: 'multiple',
    top_k: 3,
  },
  model: { completion_params: { temperature: 0.2 }, mode: 'chat', name: 'gpt-4o-mini', provider: 'langgenius/openai/openai' },
  opening_statement: 'Hello {{name}}!',
  pre_prompt: 'You help {{name}} with {{topic}}. Ignore {{unknown}}.',
  prompt_type: 'simple',
  suggested_questions: ['What can you do?'],
  user_input_form: [
    { 'text-input': { label: 'Name', max_length: 48, required: true, variable: 'name' } },
    { select: { label: 'Topic', options: ['a', 'b'], required: false, variable: 'topic' } },
    { external_data_tool: { variable: 'ext' } },
  ],
};

describe('classicAppWorkflow', () => {
  it('builds a valid chatflow: start → knowledge retrieval → llm with memory → answer', () => {
    const { document, warnings } = classicAppWorkflow('chat', 'Helper', modelConfig);
    const parsed = readDocument(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const graph = parsed.app.graph!;
    expect(parsed.app.mode).toBe('advanced-chat');
    expect(Object.values(graph.nodes).map((n) => n.type)).toEqual(['start', 'knowledge-retrieval', 'llm', 'answer']);
    expect(graph.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['start>knowledge', 'knowledge>llm', 'llm>answer']);
    expect(graph.nodes['start']!.data['variables']).toEqual([
      { label: 'Name', max_length: 48, options: [], required: true, type: 'text-input', variable: 'name' },
      { label: 'Topic', options: ['a', 'b'], required: false, type: 'select', variable: 'topic' },
    ]);
    expect(graph.nodes['knowledge']!.data).toMatchObject({
      dataset_ids: ['d1'],
      query_variable_selector: ['sys', 'query'],
      retrieval_mode: 'multiple',
    });
    const llm = graph.nodes['llm']!.data;
    expect(llm['memory']).toMatchObject({ query_prompt_template: '{{#sys.query#}}', window: { enabled: false } });
    expect(llm['context']).toEqual({ enabled: true, variable_selector: ['knowledge', 'result'] });
    const system = (llm['prompt_template'] as { role: string; text: string }[])[0]!;
    expect(system.role).toBe('system');
    expect(system.text).toContain('{{#context#}}');
    expect(system.text).toContain('You help {{#start.name#}} with {{#start.topic#}}. Ignore {{unknown}}.');
    expect(parsed.app.features).toMatchObject({ opening_statement: 'Hello {{name}}!', suggested_questions: ['What can you do?'] });
    expect(warnings).toEqual(['Input "ext" of type external_data_tool is not supported and was left out.']);
  });

  it('gives a completion app no memory and its prompt as the user message', () => {
    const { document } = classicAppWorkflow('completion', 'Writer', {
      model: { mode: 'chat', name: 'm', provider: 'weft-mock' },
      pre_prompt: 'Write about {{topic}}',
      user_input_form: [{ 'text-input': { label: 't', variable: 'topic' } }],
    });
    const parsed = readDocument(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const llm = parsed.app.graph!.nodes['llm']!.data;
    expect(llm['memory']).toBeUndefined();
    expect(llm['prompt_template']).toEqual([{ role: 'user', text: 'Write about {{#start.topic#}}' }]);
    expect(Object.keys(parsed.app.graph!.nodes)).toEqual(['start', 'llm', 'answer']);
  });

  it('keeps an advanced chat prompt', () => {
    const { document, warnings } = classicAppWorkflow('chat', 'Chat', {
      chat_prompt_config: {
        prompt: [
          { role: 'system', text: 'Sys {{#query#}}' },
          { role: 'bogus', text: 'x' },
        ],
      },
      model: { mode: 'chat', name: 'm', provider: 'weft-mock' },
      prompt_type: 'advanced',
    });
    const parsed = readDocument(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.app.graph!.nodes['llm']!.data['prompt_template']).toEqual([
      { role: 'system', text: 'Sys {{#sys.query#}}' },
      { role: 'user', text: 'x' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('runs an agent app as an agent node with its tools, strategy, instruction and iteration bound', () => {
    const { document } = classicAppWorkflow('agent-chat', 'Agent', {
      agent_mode: {
        enabled: true,
        max_iteration: 4,
        strategy: 'react',
        tools: [
          {
            enabled: true,
            provider_id: 'time',
            provider_type: 'builtin',
            tool_name: 'current_time',
            tool_parameters: { timezone: 'Asia/Tokyo', format: '' },
          },
          { enabled: false, provider_id: 'maths', provider_type: 'builtin', tool_name: 'eval_expression', tool_parameters: {} },
        ],
      },
      model: { completion_params: { temperature: 0 }, mode: 'chat', name: 'm', provider: 'weft-mock' },
      pre_prompt: 'You help {{name}}.',
      user_input_form: [{ 'text-input': { label: 'Name', required: false, variable: 'name' } }],
    });
    const parsed = readDocument(document);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.keys(parsed.app.graph!.nodes)).toEqual(['start', 'agent', 'answer']);
    expect(parsed.app.graph!.nodes['answer']!.data['answer']).toBe('{{#agent.text#}}');
    const agent = parsed.app.graph!.nodes['agent']!.data;
    expect(agent['agent_strategy_name']).toBe('ReAct');
    expect(agent['agent_parameters']).toEqual({
      instruction: { type: 'mixed', value: 'You help {{#start.name#}}.' },
      maximum_iterations: { type: 'constant', value: 4 },
      model: { type: 'constant', value: expect.objectContaining({ model: 'm', provider: 'weft-mock' }) },
      query: { type: 'mixed', value: '{{#sys.query#}}' },
      tools: {
        type: 'constant',
        value: [
          expect.objectContaining({
            parameters: { timezone: { auto: 0, value: { type: 'mixed', value: 'Asia/Tokyo' } } },
            provider_name: 'time',
            tool_name: 'current_time',
            type: 'builtin',
          }),
        ],
      },
    });
  });

  it('warns at import about an agent tool Weft does not provide', () => {
    const { document } = classicAppWorkflow('agent-chat', 'Agent', {
      agent_mode: { enabled: true, tools: [{ provider_id: 'google', provider_type: 'builtin', tool_name: 'google_search' }] },
      model: { mode: 'chat', name: 'm', provider: 'weft-mock' },
    });
    const parsed = readDocument(document);
    expect(parsed.ok && parsed.warnings.join('\n')).toContain(
      'has an agent tool that uses the tool "google_search" of provider "google", which Weft does not provide',
    );
  });
});

describe('convertTemplate', () => {
  it('rewrites only known form variables and the legacy query marker', () => {
    expect(convertTemplate('{{a}} {{b}} {{#query#}} {{#context#}}', new Set(['a']))).toBe(
      '{{#start.a#}} {{b}} {{#sys.query#}} {{#context#}}',
    );
  });
});
