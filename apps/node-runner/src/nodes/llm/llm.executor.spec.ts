import type { MessageBus } from '@weft/messaging';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { JinjaRenderer } from '@weft/workflow';
import { ChatProviderService } from '../../providers/chat-providers.service';
import { ProviderCredentialsService } from '../../providers/provider-credentials.service';
import { LlmExecutor } from './llm.executor';
import { failureOf, outputsOf, replyOpenAi, testChatProviders, testConfig, testContext, testJob } from '../node-test.util';

const mockModel = { provider: 'weft-mock', name: 'mock-1', mode: 'chat', completion_params: { temperature: 0.3 } };
const variables = {
  start: { question: 'What is Weft?', topic: 'looms' },
  kr: {
    result: [
      { content: 'Weft is the crosswise thread.', title: 'a' },
      { content: 'Warp runs lengthwise.', title: 'b' },
    ],
  },
};
// One renderer for every executor of this file; its worker starts on the first jinja2 prompt.
const jinja = new JinjaRenderer({ timeoutMs: 2000 });
afterAll(() => jinja.close());

describe('LlmExecutor with the weft-mock provider', () => {
  const executor = new LlmExecutor(testChatProviders().providers, jinja);

  it('renders chat prompts with variables and context, streams the answer and reports Dify outputs', async () => {
    const job = testJob(
      'llm',
      {
        model: mockModel,
        prompt_template: [
          { role: 'system', text: 'Answer about {{#start.topic#}} using: {{#context#}}' },
          { role: 'user', text: 'Q: {{#start.question#}}' },
        ],
        context: { enabled: true, variable_selector: ['kr', 'result'] },
      },
      variables,
    );
    const ctx = testContext(job);
    const result = await executor.execute(job, ctx);

    expect(result.status).toBe('succeeded');
    expect(outputsOf(result)['text']).toBe('Mock reply to: Q: What is Weft?');
    expect(ctx.chunks.join('')).toBe('Mock reply to: Q: What is Weft?');
    expect(ctx.chunks.length).toBeGreaterThan(1);
    expect(outputsOf(result)['finish_reason']).toBe('stop');
    expect(outputsOf(result)['usage']).toMatchObject({
      prompt_tokens: 16,
      completion_tokens: 7,
      total_tokens: 23,
      currency: 'USD',
      total_price: '0',
    });
    expect(result.metadata).toEqual({ currency: 'USD', total_price: '0', total_tokens: 23 });
    expect(result.inputs).toEqual({
      '#start.topic#': 'looms',
      '#start.question#': 'What is Weft?',
      '#context#': 'Weft is the crosswise thread.\nWarp runs lengthwise.',
    });
    expect(result.processData).toMatchObject({
      model_mode: 'chat',
      model_provider: 'weft-mock',
      model_name: 'mock-1',
      finish_reason: 'stop',
      prompts: [
        { role: 'system', text: 'Answer about looms using: Weft is the crosswise thread.\nWarp runs lengthwise.', files: [] },
        { role: 'user', text: 'Q: What is Weft?', files: [] },
      ],
    });
  });

  it('renders jinja2 prompts from prompt_config variables and completion prompts as one user message', async () => {
    const jinja = testJob(
      'llm',
      {
        model: mockModel,
        prompt_template: [{ role: 'user', edition_type: 'jinja2', text: '', jinja2_text: '{{ q | upper }} x{{ n * 2 }}' }],
        prompt_config: {
          jinja2_variables: [
            { variable: 'q', value_selector: ['start', 'question'] },
            { variable: 'n', value_selector: ['start', 'n'] },
          ],
        },
      },
      { start: { question: 'hi there', n: 21 } },
    );
    const jinjaResult = await executor.execute(jinja, testContext(jinja));
    expect(outputsOf(jinjaResult)['text']).toBe('Mock reply to: HI THERE x42');
    expect(jinjaResult.inputs).toEqual({ q: 'hi there', n: 21 });

    const completion = testJob(
      'llm',
      { model: { ...mockModel, mode: 'completion' }, prompt_template: { text: 'Complete: {{#start.question#}}' } },
      variables,
    );
    const completionResult = await executor.execute(completion, testContext(completion));
    expect(outputsOf(completionResult)['text']).toBe('Mock reply to: Complete: What is Weft?');
    expect(completionResult.processData).toMatchObject({
      model_mode: 'completion',
      prompts: [{ role: 'user', text: 'Complete: What is Weft?' }],
    });
  });

  it('fails the node, without calling the model, when a jinja2 prompt does not render', async () => {
    const { providers, lookups } = testChatProviders({});
    const prompt = (jinja2_text: string) =>
      testJob(
        'llm',
        {
          // A real provider, so that reaching the model would show up as a credentials lookup.
          model: { ...mockModel, provider: 'langgenius/openai/openai', name: 'gpt-4o-mini' },
          prompt_template: [
            { role: 'system', text: 'Be brief.' },
            { role: 'user', edition_type: 'jinja2', text: '', jinja2_text },
          ],
          prompt_config: { jinja2_variables: [{ variable: 'q', value_selector: ['start', 'question'] }] },
        },
        { start: { question: 'hi' } },
      );
    const bomb = prompt('{{ q }}{% for i in range(3000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}');
    const shortBudget = new JinjaRenderer({ timeoutMs: 300 });
    try {
      await expect(new LlmExecutor(providers, shortBudget).execute(bomb, testContext(bomb))).resolves.toMatchObject({
        status: 'failed',
        errorType: 'TemplateRenderError',
        error: 'Failed to render the prompt: Template rendering took longer than the 300 ms limit',
        inputs: { q: 'hi' },
      });
    } finally {
      await shortBudget.close();
    }
    const broken = prompt('{{ q }}{% for %}');
    await expect(new LlmExecutor(providers, jinja).execute(broken, testContext(broken))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'TemplateRenderError',
      error: 'Failed to render the prompt: Unexpected token: CloseStatement',
    });
    expect(lookups).toEqual([]);
  });

  it('parses structured output against the schema when the switch is on', async () => {
    const job = testJob(
      'llm',
      {
        model: mockModel,
        prompt_template: [{ role: 'user', text: 'city: Lyon, days: 4' }],
        structured_output_switch_on: true,
        structured_output: { schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
      },
      variables,
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(outputsOf(result)['structured_output']).toEqual({ city: 'Lyon', days: 4 });
    expect(JSON.parse(outputsOf(result)['text'] as string)).toEqual({ city: 'Lyon', days: 4 });
  });

  it('fails with Dify error types for a missing prompt and an unknown provider', async () => {
    const empty = testJob('llm', { model: mockModel, prompt_template: [{ role: 'user', text: '  ' }] }, variables);
    await expect(executor.execute(empty, testContext(empty))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'NoPromptFoundError',
      error: expect.stringContaining('No prompt found'),
    });
    const unknown = testJob('llm', {
      model: { ...mockModel, provider: 'langgenius/nope/nope' },
      prompt_template: [{ role: 'user', text: 'hi' }],
    });
    await expect(executor.execute(unknown, testContext(unknown))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'ProviderNotInitializeError',
      error: 'Provider nope does not exist.',
    });
  });

  it('fails when the workspace has no credentials for a real provider', async () => {
    const { providers, lookups } = testChatProviders({});
    const job = testJob('llm', {
      model: { ...mockModel, provider: 'langgenius/openai/openai', name: 'gpt-4o-mini' },
      prompt_template: [{ role: 'user', text: 'hi' }],
    });
    const result = await new LlmExecutor(providers, jinja).execute(job, testContext(job));
    expect(result).toMatchObject({
      status: 'failed',
      errorType: 'ProviderNotInitializeError',
      error: 'Provider openai credentials not initialized.',
    });
    expect(lookups).toEqual(['openai']);
  });

  it('fails clearly when the gateway cannot be asked for credentials', async () => {
    const unreachable = { request: () => Promise.reject(new Error('no responders')) } as unknown as MessageBus;
    const providers = new ChatProviderService(testConfig(), new ProviderCredentialsService(unreachable));
    const job = testJob('llm', {
      model: { ...mockModel, provider: 'openai', name: 'gpt-4o-mini' },
      prompt_template: [{ role: 'user', text: 'hi' }],
    });
    await expect(new LlmExecutor(providers, jinja).execute(job, testContext(job))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'ProviderNotInitializeError',
      error: 'Could not load the credentials of provider openai: the gateway did not answer (no responders)',
    });
  });
});

describe('LlmExecutor with an OpenAI-compatible server', () => {
  let server: TestHttpServer;
  const bodies: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
      bodies.push(body);
      if (req.url.startsWith('/denied/')) {
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
        return;
      }
      const messages = body['messages'] as { content: string }[];
      replyOpenAi(
        res,
        body,
        { content: `You said ${messages[messages.length - 1].content} to ${String(body['model'])}` },
        { prompt_tokens: 1000, completion_tokens: 500 },
      );
    });
  });
  afterAll(() => server.close());

  const providerFor = (path: string) =>
    testChatProviders({ openai_api_compatible: { endpoint_url: `${server.url}/${path}/v1`, api_key: 'sk-local-test-key' } }).providers;

  it('streams deltas from the server, and passes completion params through', async () => {
    const job = testJob(
      'llm',
      {
        model: {
          provider: 'langgenius/openai_api_compatible/openai_api_compatible',
          name: 'local-model',
          mode: 'chat',
          completion_params: { temperature: 0.1, max_tokens: 64 },
        },
        prompt_template: [{ role: 'user', text: 'hello {{#start.topic#}}' }],
      },
      variables,
    );
    const ctx = testContext(job);
    const result = await new LlmExecutor(providerFor('ok'), jinja).execute(job, ctx);

    expect(result.status).toBe('succeeded');
    expect(outputsOf(result)['text']).toBe('You said hello looms to local-model');
    expect(ctx.chunks).toEqual(['You ', 'said ', 'hello ', 'looms ', 'to ', 'local-model']);
    expect(outputsOf(result)['usage']).toMatchObject({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 });
    expect(result.metadata).toMatchObject({ total_tokens: 1500 });
    const sent = bodies[bodies.length - 1];
    expect(sent).toMatchObject({
      model: 'local-model',
      temperature: 0.1,
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'hello looms' }],
    });
  });

  it('prices usage from the price table for a known model (openai with its base URL set)', async () => {
    const { providers } = testChatProviders({ openai: { openai_api_key: 'sk-local-test-key', openai_api_base: `${server.url}/ok` } });
    const job = testJob('llm', {
      model: { provider: 'langgenius/openai/openai', name: 'gpt-4.1-mini', mode: 'chat' },
      prompt_template: [{ role: 'user', text: 'price me' }],
    });
    const result = await new LlmExecutor(providers, jinja).execute(job, testContext(job));
    expect(outputsOf(result)['usage']).toMatchObject({
      prompt_price: '0.0004000',
      completion_price: '0.0008000',
      total_price: '0.0012000',
      currency: 'USD',
    });
    expect(result.metadata).toEqual({ currency: 'USD', total_price: '0.0012000', total_tokens: 1500 });
  });

  it('prices a model from MODEL_PRICE_TABLE when configured (test-priced: 1 and 2 per million)', async () => {
    const { providers } = testChatProviders({ openai: { openai_api_key: 'sk-local-test-key', openai_api_base: `${server.url}/ok` } });
    const job = testJob('llm', {
      model: { provider: 'openai', name: 'test-priced', mode: 'chat' },
      prompt_template: [{ role: 'user', text: 'price me' }],
    });
    const result = await new LlmExecutor(providers, jinja).execute(job, testContext(job));
    expect(result.metadata).toEqual({ currency: 'USD', total_price: '0.0020000', total_tokens: 1500 });
  });

  it('turns Dify response_format params into the provider format', async () => {
    const job = testJob('llm', {
      model: {
        provider: 'openai_api_compatible',
        name: 'local-model',
        mode: 'chat',
        completion_params: { response_format: 'json_object' },
      },
      prompt_template: [{ role: 'user', text: 'json please' }],
    });
    const result = await new LlmExecutor(providerFor('ok'), jinja).execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(bodies[bodies.length - 1]['response_format']).toEqual({ type: 'json_object' });
  });

  it('reports a rejected key as InvokeAuthorizationError without leaking it', async () => {
    const job = testJob('llm', {
      model: { provider: 'openai_api_compatible', name: 'm', mode: 'chat' },
      prompt_template: [{ role: 'user', text: 'hi' }],
    });
    const result = await new LlmExecutor(providerFor('denied'), jinja).execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'failed', errorType: 'InvokeAuthorizationError' });
    expect(failureOf(result).error).toContain('Incorrect API key');
    expect(failureOf(result).error).not.toContain('sk-local-test-key');
    expect(result.processData).toMatchObject({ prompts: [{ role: 'user', text: 'hi' }] });
  });
});

describe('LlmExecutor memory', () => {
  const turns = [
    { answer: 'A1', query: 'Q1' },
    { answer: 'A2', query: 'Q2' },
    { answer: 'A3', query: 'Q3' },
  ];
  const chatVariables = { sys: { conversation_id: 'c0ffee00-0000-4000-8000-000000000001', query: 'Q4' } };

  it('puts the window of last turns the job carries after the prompt and the query last', async () => {
    const executor = new LlmExecutor(testChatProviders().providers, jinja);
    const job = testJob(
      'llm',
      {
        memory: { query_prompt_template: '{{#sys.query#}}', window: { enabled: true, size: 2 } },
        model: mockModel,
        prompt_template: [{ role: 'system', text: 'Be brief.' }],
      },
      chatVariables,
      turns,
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect((result.processData!['prompts'] as { role: string; text: string }[]).map((p) => `${p.role}:${p.text}`)).toEqual([
      'system:Be brief.',
      'user:Q2',
      'assistant:A2',
      'user:Q3',
      'assistant:A3',
      'user:Q4',
    ]);
    expect(outputsOf(result)['text']).toBe('Mock reply to: Q4');
  });

  it('feeds no history to a node without a memory block', async () => {
    const executor = new LlmExecutor(testChatProviders().providers, jinja);
    const plain = testJob('llm', { model: mockModel, prompt_template: [{ role: 'user', text: 'hi' }] }, chatVariables, turns);
    const result = await executor.execute(plain, testContext(plain));
    expect(result.status).toBe('succeeded');
    expect((result.processData!['prompts'] as { role: string; text: string }[]).map((p) => `${p.role}:${p.text}`)).toEqual(['user:hi']);
  });

  it('fills the histories marker of a completion prompt with role-prefixed turns', async () => {
    const executor = new LlmExecutor(testChatProviders().providers, jinja);
    const job = testJob(
      'llm',
      {
        memory: { role_prefix: { assistant: 'Bot', user: 'Me' }, window: { enabled: false, size: 10 } },
        model: { ...mockModel, mode: 'completion' },
        prompt_template: { text: 'History:\n{{#histories#}}\nNow: {{#sys.query#}}' },
      },
      chatVariables,
      turns.slice(0, 1),
    );
    const result = await executor.execute(job, testContext(job));
    expect((result.processData!['prompts'] as { text: string }[])[0]!.text).toBe('History:\nMe: Q1\nBot: A1\nNow: Q4');
  });
});
