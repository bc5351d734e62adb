import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { QuestionClassifierExecutor } from './question-classifier.executor';
import { outputsOf, replyOpenAi, testChatProviders, testContext, testJob } from '../node-test.util';

const classes = [
  { id: '1', name: 'Billing question' },
  { id: '2', name: 'Technical problem', label: 'Tech' },
  { id: '3', name: 'Other' },
];
const variables = { sys: { query: 'My loom jams every morning' } };
const node = (model: Record<string, unknown>) => ({
  model: { mode: 'chat', ...model },
  query_variable_selector: ['sys', 'query'],
  classes,
  instruction: 'Prefer technical when unsure',
});

describe('QuestionClassifierExecutor', () => {
  let server: TestHttpServer;
  let answer = '';
  let lastBody: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      lastBody = JSON.parse(req.body.toString()) as Record<string, unknown>;
      replyOpenAi(res, lastBody, { content: answer });
    });
  });
  afterAll(() => server.close());

  const runOpenAi = () => {
    const { providers } = testChatProviders({ openai_api_compatible: { endpoint_url: `${server.url}/v1` } });
    const job = testJob('question-classifier', node({ provider: 'openai_api_compatible', name: 'local' }), variables);
    return new QuestionClassifierExecutor(providers).execute(job, testContext(job));
  };

  it('takes the edge of the class the model picks', async () => {
    answer = '{"keywords": ["loom", "jams"], "category_id": "2", "category_name": "Technical problem"}';
    const result = await runOpenAi();
    expect(result).toMatchObject({
      status: 'succeeded',
      edgeSourceHandle: '2',
      outputs: { class_id: '2', class_name: 'Technical problem', class_label: 'Tech' },
      inputs: { query: 'My loom jams every morning' },
    });
    expect(outputsOf(result)['usage']).toMatchObject({ prompt_tokens: 20, completion_tokens: 4 });
    expect(lastBody['response_format']).toMatchObject({
      type: 'json_schema',
      json_schema: { schema: { properties: { category_id: { enum: ['1', '2', '3'] } } } },
    });
    const user = (lastBody['messages'] as { role: string; content: string }[])[1];
    expect(JSON.parse(user.content)).toEqual({
      input_text: ['My loom jams every morning'],
      categories: classes.map((c) => ({ category_id: c.id, category_name: c.name })),
      classification_instructions: ['Prefer technical when unsure'],
    });
  });

  it('accepts a class named instead of numbered, and falls back to the first class for anything else', async () => {
    answer = 'Category: {"category_name": "other"}';
    await expect(runOpenAi()).resolves.toMatchObject({ edgeSourceHandle: '3', outputs: { class_name: 'Other', class_label: 'Other' } });
    answer = 'no idea';
    await expect(runOpenAi()).resolves.toMatchObject({
      status: 'succeeded',
      edgeSourceHandle: '1',
      outputs: { class_id: '1', class_name: 'Billing question' },
    });
  });

  it('classifies with the weft-mock provider deterministically', async () => {
    const job = testJob('question-classifier', node({ provider: 'weft-mock', name: 'mock' }), variables);
    const result = await new QuestionClassifierExecutor(testChatProviders().providers).execute(job, testContext(job));
    expect(result).toMatchObject({
      status: 'succeeded',
      edgeSourceHandle: '1',
      outputs: { class_id: '1', class_name: 'Billing question' },
    });
    expect(result.metadata).toMatchObject({ total_tokens: expect.any(Number), currency: 'USD' });
    expect(result.processData).toMatchObject({ model_provider: 'weft-mock', model_name: 'mock', finish_reason: 'stop' });
  });

  it('fails with a clear error when the provider is not configured', async () => {
    const job = testJob('question-classifier', node({ provider: 'langgenius/anthropic/anthropic', name: 'claude' }), variables);
    const result = await new QuestionClassifierExecutor(testChatProviders().providers).execute(job, testContext(job));
    expect(result).toMatchObject({
      status: 'failed',
      errorType: 'ProviderNotInitializeError',
      error: 'Provider anthropic credentials not initialized.',
      inputs: { query: 'My loom jams every morning' },
    });
  });
});

describe('QuestionClassifierExecutor memory', () => {
  it('puts the window of earlier turns before its own question', async () => {
    const executor = new QuestionClassifierExecutor(testChatProviders().providers);
    const job = testJob(
      'question-classifier',
      {
        classes: [
          { id: '1', name: 'tea' },
          { id: '2', name: 'coffee' },
        ],
        memory: { window: { enabled: true, size: 1 } },
        model: { completion_params: {}, mode: 'chat', name: 'm', provider: 'weft-mock' },
        query_variable_selector: ['sys', 'query'],
      },
      { sys: { conversation_id: 'c0ffee00-0000-4000-8000-000000000002', query: 'green please' } },
      [
        { answer: 'A1', query: 'Q1' },
        { answer: 'A2', query: 'Q2' },
      ],
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    const prompts = result.processData!['prompts'] as { role: string; text: string }[];
    expect(prompts.map((p) => p.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(prompts.slice(1, 3).map((p) => p.text)).toEqual(['Q2', 'A2']);
    expect(prompts[3]!.text).toContain('green please');
  });
});
