import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { EXTRACTOR_FUNCTION_NAME, ParameterExtractorExecutor } from './parameter-extractor.executor';
import { outputsOf, replyOpenAi, testChatProviders, testContext, testJob } from '../node-test.util';

const parameters = [
  { name: 'city', type: 'string', description: 'Destination city', required: true },
  { name: 'days', type: 'number', description: 'Trip length', required: true },
  { name: 'mode', type: 'select', options: ['train', 'plane'], description: 'Transport', required: false },
  { name: 'tags', type: 'array[string]', description: 'Keywords', required: false },
];
const variables = { start: { query: 'city: Paris, days: 3', note: 'be exact' } };
const node = (model: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  model: { mode: 'chat', ...model },
  query: ['start', 'query'],
  parameters,
  instruction: 'Extract the trip, {{#start.note#}}',
  reasoning_mode: 'function_call',
  ...extra,
});

describe('ParameterExtractorExecutor with the weft-mock provider', () => {
  const executor = new ParameterExtractorExecutor(testChatProviders().providers);

  it.each(['function_call', 'prompt'])('extracts typed parameters in %s mode', async (mode) => {
    const job = testJob('parameter-extractor', node({ provider: 'weft-mock', name: 'mock-1' }, { reasoning_mode: mode }), variables);
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toMatchObject({ city: 'Paris', days: 3, mode: 'train', tags: [], __is_success: 1, __reason: null });
    expect(outputsOf(result)['__usage']).toMatchObject({ total_tokens: expect.any(Number) });
    expect(result.inputs).toMatchObject({ query: 'city: Paris, days: 3', instruction: 'Extract the trip, be exact' });
    const prompts = (result.processData as { prompts: { text: string }[] }).prompts;
    expect(prompts[0].text).toContain('Extract the trip, be exact');
    expect(result.processData).toMatchObject(
      mode === 'function_call'
        ? { function: { name: EXTRACTOR_FUNCTION_NAME }, tool_call: { name: EXTRACTOR_FUNCTION_NAME } }
        : { function: {}, tool_call: null },
    );
  });
});

describe('ParameterExtractorExecutor with an OpenAI-compatible server', () => {
  let server: TestHttpServer;
  let answer: { content?: string; tool_calls?: unknown[] } = {};
  let lastBody: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      lastBody = JSON.parse(req.body.toString()) as Record<string, unknown>;
      replyOpenAi(res, lastBody, answer);
    });
  });
  afterAll(() => server.close());

  const run = async (reasoningMode: string) => {
    const { providers } = testChatProviders({ openai_api_compatible: { endpoint_url: `${server.url}/v1` } });
    const job = testJob(
      'parameter-extractor',
      node({ provider: 'openai_api_compatible', name: 'local' }, { reasoning_mode: reasoningMode }),
      variables,
    );
    return new ParameterExtractorExecutor(providers).execute(job, testContext(job));
  };
  const toolCall = (args: unknown) => ({
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: EXTRACTOR_FUNCTION_NAME, arguments: JSON.stringify(args) } }],
  });

  it('offers the parameters as a function and coerces the arguments', async () => {
    answer = toolCall({ city: 'Rome', days: '5', mode: 'plane', tags: ['art', 7, 'food'] });
    const result = await run('function_call');
    expect(result.outputs).toMatchObject({ city: 'Rome', days: 5, mode: 'plane', tags: ['art', 'food'] });
    const tools = lastBody['tools'] as { function: { name: string; parameters: Record<string, unknown> } }[];
    expect(tools[0].function.name).toBe(EXTRACTOR_FUNCTION_NAME);
    expect(tools[0].function.parameters).toEqual({
      type: 'object',
      properties: {
        city: { type: 'string', description: 'Destination city' },
        days: { type: 'number', description: 'Trip length' },
        mode: { type: 'string', description: 'Transport', enum: ['train', 'plane'] },
        tags: { type: 'array', items: { type: 'string' }, description: 'Keywords' },
      },
      required: ['city', 'days'],
    });
    // "5" is not a number: Dify reports it but still converts it.
    expect(result.outputs).toMatchObject({ __is_success: 0, __reason: 'Invalid `number` value for parameter days' });
  });

  it('reports a missing required parameter and fills defaults, still succeeding as Dify does', async () => {
    answer = toolCall({ city: 'Oslo' });
    const result = await run('function_call');
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toMatchObject({
      city: 'Oslo',
      days: 0,
      mode: '',
      tags: [],
      __is_success: 0,
      __reason: 'Parameter days is required',
    });
    expect(result.processData).toMatchObject({ error: 'Parameter days is required' });
  });

  it('reads a JSON answer in prompt mode, and says so when there is none', async () => {
    answer = { content: '```json\n{"city": "Nice", "days": 2, "mode": "train"}\n```' };
    const ok = await run('prompt');
    expect(ok.outputs).toMatchObject({ city: 'Nice', days: 2, mode: 'train', __is_success: 1 });
    expect(lastBody['response_format']).toMatchObject({ type: 'json_schema', json_schema: { name: EXTRACTOR_FUNCTION_NAME } });

    answer = { content: 'I could not find anything.' };
    const none = await run('prompt');
    expect(none.outputs).toMatchObject({
      __is_success: 0,
      __reason: expect.stringContaining('Failed to extract result'),
      city: '',
      days: 0,
    });
  });
});
