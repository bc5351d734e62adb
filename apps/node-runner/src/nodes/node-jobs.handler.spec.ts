import type { NodeResult } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { ServiceNotices } from '@weft/platform';
import { Counter, Registry } from 'prom-client';
import { NODE_JOBS_CONSUMER, NodeJobContext, NodeJobsHandler } from './node-jobs.handler';
import { ToolRegistry } from '../tools/tool-registry.service';
import { NodeJobExecutorFactory } from './node-job-executor-factory.service';
import { testChatProviders, testConfig, testJob, testToolFiles, testUploads, testKnowledge } from './node-test.util';
import { ProviderCredentialsService } from '../providers/provider-credentials.service';

type Published = { subject: string; key: string | null; payload: Record<string, unknown> };

/** Stands in for NATS: records what the handler publishes and lets the test deliver jobs and cancels. */
class RecordingBus {
  connected = true;
  published: Published[] = [];
  listeners = new Map<string, (payload: unknown) => void>();
  worker?: { subject: string; durable: string; options: unknown; handler: (job: unknown, ctx: NodeJobContext) => Promise<void> };
  async start(): Promise<void> {}
  isConnected(): boolean {
    return this.connected;
  }
  publish(subject: string, key: string | null, payload: Record<string, unknown>): void {
    this.published.push({ subject, key, payload });
  }
  listen(subject: string, _key: string | null, handler: (payload: unknown) => void): () => void {
    this.listeners.set(subject, handler);
    return () => this.listeners.delete(subject);
  }
  work(subject: string, durable: string, options: unknown, handler: (job: unknown, ctx: NodeJobContext) => Promise<void>): void {
    this.worker = { subject, durable, options, handler };
  }
  results(): NodeResult[] {
    return this.published.filter((p) => p.subject === 'wf.node.result.v1').map((p) => p.payload as unknown as NodeResult);
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NodeJobsHandler', () => {
  let server: TestHttpServer;
  let bus: RecordingBus;
  let handler: NodeJobsHandler;
  let cost: Counter<string>;
  const executors = new NodeJobExecutorFactory(
    testConfig(),
    testChatProviders().providers,
    testUploads(),
    testKnowledge(),
    new ServiceNotices(),
    new ToolRegistry(undefined as unknown as MessageBus, testConfig()),
    testToolFiles(),
    new ProviderCredentialsService(undefined as unknown as MessageBus),
  );
  const ctx = (): NodeJobContext & { beats: number } => {
    const c = { beats: 0, deliveryCount: 1, working: () => void c.beats++ };
    return c;
  };

  beforeAll(async () => {
    // Answers nothing on /hang, so a node stays running until it is cancelled or times out.
    server = await startTestHttpServer((req, res) => {
      if (req.url !== '/hang') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  afterAll(async () => {
    await server.close();
    await executors.onModuleDestroy();
  });
  beforeEach(async () => {
    bus = new RecordingBus();
    cost = new Counter({ help: 'test', labelNames: ['provider', 'currency'], name: 'test_cost_total', registers: [new Registry()] });
    handler = new NodeJobsHandler(testConfig({ concurrency: 3 }), bus as unknown as MessageBus, executors, cost);
    handler.onModuleInit();
    await until(() => bus.worker !== undefined);
  });
  afterEach(() => handler.onApplicationShutdown());

  it('takes jobs from the shared work queue and hears cancels', () => {
    expect(bus.worker).toMatchObject({
      subject: 'wf.node.execute.v1',
      durable: NODE_JOBS_CONSUMER,
      options: { concurrency: 3, ackWaitMs: 30_000, maxDeliver: 3 },
    });
    expect([...bus.listeners.keys()]).toEqual(['wf.node.cancel.v1']);
  });

  it('runs a job over its variables, streams its chunks and answers on the reply key', async () => {
    const job = testJob(
      'llm',
      {
        model: { provider: 'weft-mock', name: 'mock', mode: 'chat' },
        prompt_template: [{ role: 'user', text: 'tell me about {{#start.topic#}} please now' }],
      },
      { start: { topic: 'weaving' } },
    );
    await bus.worker!.handler(job, ctx());
    const chunks = bus.published.filter((p) => p.subject === 'wf.node.chunk.v1');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.key === job.replyTo && c.payload['jobId'] === job.jobId)).toBe(true);
    expect(chunks.map((c) => c.payload['text']).join('')).toBe('Mock reply to: tell me about weaving please now');
    const [result] = bus.results();
    expect(bus.published[bus.published.length - 1]).toMatchObject({ subject: 'wf.node.result.v1', key: job.replyTo });
    expect(result).toMatchObject({
      jobId: job.jobId,
      status: 'succeeded',
      outputs: { text: 'Mock reply to: tell me about weaving please now' },
    });
  });

  it("sends an agent's steps on the chunk subject, in order with its text, and loses only a step too large to send", async () => {
    const job = testJob('agent', {
      agent_parameters: {
        maximum_iterations: { type: 'constant', value: 3 },
        model: { type: 'constant', value: { completion_params: {}, mode: 'chat', model: 'mock-1', provider: 'weft-mock' } },
        query: { type: 'constant', value: 'expression: 6*7' },
        tools: {
          type: 'constant',
          value: [{ enabled: true, parameters: {}, provider_name: 'maths', settings: {}, tool_name: 'eval_expression', type: 'builtin' }],
        },
      },
      agent_strategy_name: 'function_calling',
    });
    const publish = bus.publish.bind(bus);
    bus.publish = (subject, key, payload) => {
      // NATS refuses a message over its payload limit; here, the tool's answer.
      if ((payload['step'] as { tools?: { observation: string | null }[] } | undefined)?.tools?.[0]?.observation === '42')
        throw new Error('MAX_PAYLOAD_EXCEEDED');
      publish(subject, key, payload);
    };
    await bus.worker!.handler(job, ctx());
    const chunks = bus.published.filter((p) => p.subject === 'wf.node.chunk.v1');
    expect(chunks.every((c) => c.key === job.replyTo && c.payload['jobId'] === job.jobId)).toBe(true);
    const seen = chunks.map((c) => {
      const step = c.payload['step'] as { position: number; tools: unknown[] } | undefined;
      return step ? `step:${step.position}:${step.tools.length}` : 'text';
    });
    expect(seen.slice(0, 3)).toEqual(['step:1:0', 'step:1:1', 'step:2:0']);
    expect(seen.at(-1)).toBe('step:2:0');
    expect(seen.slice(3, -1).every((s) => s === 'text')).toBe(true);
    expect(bus.results()).toEqual([
      expect.objectContaining({ status: 'succeeded', outputs: expect.objectContaining({ text: 'Mock reply to: expression: 6*7' }) }),
    ]);
  });

  it('stops a running job when its cancel arrives', async () => {
    const job = testJob('http-request', { method: 'get', url: `${server.url}/hang` });
    const before = server.requests.length;
    const done = bus.worker!.handler(job, ctx());
    await until(() => server.requests.length > before);
    bus.listeners.get('wf.node.cancel.v1')!({ jobId: job.jobId });
    await done;
    expect(bus.results()).toEqual([
      expect.objectContaining({ jobId: job.jobId, status: 'failed', errorType: 'Stopped', error: 'Workflow execution stopped.' }),
    ]);
  });

  it('skips a job cancelled before it started', async () => {
    const job = testJob('http-request', { method: 'get', url: `${server.url}/never` });
    bus.listeners.get('wf.node.cancel.v1')!({ jobId: job.jobId });
    const before = server.requests.length;
    await bus.worker!.handler(job, ctx());
    expect(server.requests.length).toBe(before);
    expect(bus.results()).toEqual([expect.objectContaining({ status: 'failed', errorType: 'Stopped' })]);
  });

  it('stops a job at its timeoutMs', async () => {
    const job = { ...testJob('http-request', { method: 'get', url: `${server.url}/hang` }), timeoutMs: 300 };
    await bus.worker!.handler(job, ctx());
    expect(bus.results()).toEqual([
      expect.objectContaining({ status: 'failed', errorType: 'TimeoutError', error: 'Node did not finish within 0.3 s' }),
    ]);
  });

  it('answers an unknown node type with a failure', async () => {
    await bus.worker!.handler(testJob('human-input', {}), ctx());
    expect(bus.results()).toEqual([
      expect.objectContaining({
        status: 'failed',
        errorType: 'UnsupportedNodeTypeError',
        error: 'Node type "human-input" is not run by node runners.',
      }),
    ]);
  });

  it('answers knowledge retrieval with an empty result until the rag service retrieves', async () => {
    await bus.worker!.handler(
      testJob('knowledge-retrieval', { query_variable_selector: ['sys', 'query'], dataset_ids: ['d1'] }, { sys: { query: 'looms' } }),
      ctx(),
    );
    expect(bus.results()).toEqual([expect.objectContaining({ status: 'succeeded', outputs: { result: [] }, inputs: { query: 'looms' } })]);
  });

  it('leaves the job for redelivery when it cannot send the answer', async () => {
    bus.connected = false;
    await expect(
      bus.worker!.handler(testJob('knowledge-retrieval', { query_variable_selector: ['sys', 'query'] }, { sys: { query: 'q' } }), ctx()),
    ).rejects.toThrow(/not connected to NATS/);
    expect(bus.results()).toEqual([]);
  });
});
