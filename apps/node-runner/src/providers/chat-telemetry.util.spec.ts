import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { METRIC, ModelLabels, ModelMetrics } from '@weft/metrics';
import type { MessageBus } from '@weft/messaging';
import { recordSpans, startTestHttpServer, type SpanRecorder, type TestHttpServer } from '@weft/testing';
import { JinjaRenderer } from '@weft/workflow';
import { Counter, Histogram, Registry } from 'prom-client';
import { LlmExecutor } from '../nodes/llm/llm.executor';
import { callModel } from '../nodes/model-call.util';
import { outputsOf, replyOpenAi, testConfig, testContext, testJob } from '../nodes/node-test.util';
import type { NodeRunnerConfig } from '../node-runner.config';
import { ChatProviderService, type ChatProviderSource } from './chat-providers.service';
import { ProviderCredentialsService } from './provider-credentials.service';
import type { ChatProvider } from './provider.types';

let recorder: SpanRecorder;
let server: TestHttpServer;
const jinja = new JinjaRenderer({ timeoutMs: 2000 });
const SECRET = 'tok-very-secret-42';

beforeAll(async () => {
  recorder = recordSpans();
  server = await startTestHttpServer((req, res) => {
    const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
    if (req.url.startsWith('/denied/')) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
      return;
    }
    const messages = body['messages'] as { content: string }[];
    replyOpenAi(res, body, { content: `Echo: ${messages[messages.length - 1]!.content}` }, { prompt_tokens: 1000, completion_tokens: 500 });
  });
});
afterAll(async () => {
  await server.close();
  await jinja.close();
  await recorder.stop();
});
beforeEach(() => recorder.reset());

/** The node runner's providers with real prom-client metrics in a registry of their own. */
function providers(path: string, captureMessageContent = false): { providers: ChatProviderService; registry: Registry } {
  const registry = new Registry();
  const metrics = new ModelMetrics(
    new Counter({ help: 'tokens', labelNames: ['provider', 'model', 'type'], name: METRIC.llmTokens, registers: [registry] }),
    new Histogram({
      buckets: [1, 10],
      help: 'duration',
      labelNames: ['provider', 'model'],
      name: METRIC.llmRequestDuration,
      registers: [registry],
    }),
  );
  const base = testConfig();
  const config = { ...base, models: { ...base.models, captureMessageContent } } as NodeRunnerConfig;
  const bus = { request: async () => ({ credentials: { api_key: 'sk-local-test-key', endpoint_url: `${server.url}/${path}/v1` } }) };
  return { providers: new ChatProviderService(config, new ProviderCredentialsService(bus as unknown as MessageBus), metrics), registry };
}

const llmJob = (prompt: string) =>
  testJob(
    'llm',
    {
      model: {
        completion_params: { max_tokens: 64, temperature: 0.2 },
        mode: 'chat',
        name: 'Local-Model',
        provider: 'langgenius/openai_api_compatible/openai_api_compatible',
      },
      prompt_template: [
        { role: 'system', text: 'Use the token {{#env.API_TOKEN#}} for nothing.' },
        { role: 'user', text: prompt },
      ],
    },
    { env: { API_TOKEN: SECRET } },
  );

/** Runs the LLM node inside a parent span, as the bus's span for the job would be. */
async function runLlm(chat: ChatProviderService, prompt = 'hello'): Promise<{ chat: ReadableSpan; job: ReadableSpan; text: unknown }> {
  const job = llmJob(prompt);
  const result = await trace.getTracer('test').startActiveSpan('job', async (span) => {
    try {
      return await new LlmExecutor(chat, jinja).execute(job, testContext(job));
    } finally {
      span.end();
    }
  });
  const [chatSpan] = recorder.named('chat Local-Model');
  const [jobSpan] = recorder.named('job');
  return { chat: chatSpan!, job: jobSpan!, text: result.status === 'succeeded' ? outputsOf(result)['text'] : null };
}

describe('model call spans', () => {
  it('records a streamed call as chat {model} with the GenAI attributes, under the job span, without content by default', async () => {
    const { chat, job, text } = await runLlm(providers('ok').providers);
    expect(text).toBe('Echo: hello');
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.parentSpanContext?.spanId).toBe(job.spanContext().spanId);
    expect(chat.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai_api_compatible',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.model': 'Local-Model',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'Local-Model',
      'gen_ai.system': 'openai_api_compatible',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(chat.status.code).toBe(SpanStatusCode.UNSET);
    expect(JSON.stringify(recorder.spans().map((s) => s.attributes))).not.toContain('hello');
  });

  it('puts prompts and completions on the span when content capture is on, with environment values masked', async () => {
    const { chat } = await runLlm(providers('ok', true).providers, `repeat ${SECRET}`);
    const input = JSON.parse(chat.attributes['gen_ai.input.messages'] as string) as unknown;
    const output = JSON.parse(chat.attributes['gen_ai.output.messages'] as string) as unknown;
    expect(input).toEqual([
      { parts: [{ content: 'Use the token ****** for nothing.', type: 'text' }], role: 'system' },
      { parts: [{ content: 'repeat ******', type: 'text' }], role: 'user' },
    ]);
    expect(output).toEqual([{ finish_reason: 'stop', parts: [{ content: 'Echo: repeat ******', type: 'text' }], role: 'assistant' }]);
    expect(JSON.stringify(recorder.spans().map((s) => s.attributes))).not.toContain(SECRET);
  });

  it('marks a failed call as an error with its type, and counts no tokens for it', async () => {
    const { providers: chat, registry } = providers('denied');
    const { chat: span } = await runLlm(chat);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toContain('Incorrect API key provided');
    expect(span.attributes['error.type']).toBe('401');
    expect(await registry.getSingleMetricAsString(METRIC.llmTokens)).not.toContain('model=');
  });

  it('runs the provider call inside the chat span, so the provider HTTP span is its child', async () => {
    let active: string | undefined;
    const client: ChatProvider = {
      chat: async () => {
        active = trace.getActiveSpan()?.spanContext().spanId;
        return {
          finishReason: 'length',
          responseModel: 'gpt-4o-2024-08-06',
          text: 'ok',
          toolCalls: [],
          usage: { completionTokens: 3, promptTokens: 2 },
        };
      },
    };
    const source: ChatProviderSource = { forProvider: async () => client };
    const job = testJob('llm', {});
    await callModel(
      source,
      job,
      { completionParams: {}, mode: 'chat', name: 'gpt-4o', provider: 'openai' },
      { messages: [] },
      {
        signal: new AbortController().signal,
      },
    );
    const [span] = recorder.named('chat gpt-4o');
    expect(active).toBe(span!.spanContext().spanId);
    expect(span!.attributes).toMatchObject({ 'gen_ai.response.finish_reasons': ['length'], 'gen_ai.response.model': 'gpt-4o-2024-08-06' });
  });
});

describe('model call metrics', () => {
  it('counts prompt and completion tokens and times the call per provider and (normalised) model', async () => {
    const { providers: chat, registry } = providers('ok');
    await runLlm(chat);
    await runLlm(chat);
    const tokens = await registry.getSingleMetricAsString(METRIC.llmTokens);
    expect(tokens).toContain('dify_llm_tokens_total{provider="openai_api_compatible",model="local-model",type="prompt"} 2000');
    expect(tokens).toContain('dify_llm_tokens_total{provider="openai_api_compatible",model="local-model",type="completion"} 1000');
    const duration = await registry.getSingleMetricAsString(METRIC.llmRequestDuration);
    expect(duration).toContain('dify_llm_request_duration_seconds_count{provider="openai_api_compatible",model="local-model"} 2');
  });

  it('keeps the model label bounded: normalised, cut to 64 characters, and "other" past 50 names', () => {
    const labels = new ModelLabels(3);
    expect(labels.label('  GPT-4o Mini!  ')).toBe('gpt-4o_mini_');
    expect(labels.label('x'.repeat(100))).toHaveLength(64);
    expect(labels.label('claude-3-5-sonnet')).toBe('claude-3-5-sonnet');
    expect(labels.label('fourth-model')).toBe('other');
    expect(labels.label('gpt-4o mini!')).toBe('gpt-4o_mini_');
    expect(labels.label('')).toBe('other');
  });
});
