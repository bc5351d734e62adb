import type { StoredToolProvider } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { BUILTIN_TOOL_PROVIDERS } from '@weft/workflow';
import { builtinToolCalls } from '../../tools/builtin/builtin-tools';
import { ToolRegistry } from '../../tools/tool-registry.service';
import { failureOf, outputsOf, testConfig, testContext, testJob } from '../node-test.util';
import { ToolExecutor } from './tool.executor';

/** A registry whose gateway lookups answer from `stored` (by `type:name`), recording what was asked. */
function registryWith(
  stored: Record<string, StoredToolProvider>,
  tavilyBaseUrl = 'http://127.0.0.1:9',
): { registry: ToolRegistry; asked: unknown[] } {
  const asked: unknown[] = [];
  const bus = {
    request: (_subject: string, payload: { providerType: string; provider: string }) => {
      asked.push(payload);
      return Promise.resolve({ provider: stored[`${payload.providerType}:${payload.provider}`] ?? null });
    },
  } as unknown as MessageBus;
  const config = testConfig();
  return { asked, registry: new ToolRegistry(bus, { ...config, tools: { fileMaxMb: 1, tavilyBaseUrl, timeoutSeconds: 5 } }) };
}

const http = { guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5_000 };

describe('built-in tools', () => {
  it('has code for exactly the tools the catalog describes', () => {
    const calls = builtinToolCalls({ providerGuard: createSsrfGuard({ allowedHosts: [] }), tavilyBaseUrl: 'http://x' });
    const described = Object.values(BUILTIN_TOOL_PROVIDERS).flatMap((p) => p.tools.map((t) => `${p.name}/${t.name}`));
    const implemented = Object.entries(calls).flatMap(([provider, tools]) => Object.keys(tools).map((t) => `${provider}/${t}`));
    expect(implemented.sort()).toEqual(described.sort());
  });
});

describe('ToolExecutor', () => {
  let server: TestHttpServer;
  const received: { auth?: string; body: string; url: string }[] = [];

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      received.push({ auth: req.headers.authorization, body: req.body.toString(), url: req.url });
      if (req.url === '/search') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            answer: 'Wool is warm.',
            query: 'wool',
            results: [{ content: 'Sheep grow it.', score: 0.9, title: 'Wool', url: 'https://w.example' }],
          }),
        );
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(
          '<html><head><title>Shop</title><meta name="author" content="Ana"></head><body><h1>Hello</h1><script>x()</script><p>Wool socks</p></body></html>',
        );
    });
  });
  afterAll(() => server.close());

  it('fills parameters from variables, text templates and configurations, cast to their types', async () => {
    const { registry } = registryWith({});
    const job = testJob(
      'tool',
      {
        provider_id: 'langgenius/json_process/json_process',
        provider_type: 'builtin',
        tool_configurations: { ensure_ascii: 'false' },
        tool_name: 'parse',
        tool_parameters: {
          content: { type: 'variable', value: ['start', 'doc'] },
          json_filter: { type: 'mixed', value: '$.{{#start.field#}}' },
        },
      },
      { start: { doc: '{"name": "Zoë", "n": 2}', field: 'name' } },
    );
    const outcome = await new ToolExecutor(registry, http).execute(job, testContext(job));
    expect(outputsOf(outcome)).toEqual({ files: [], json: [], text: 'Zoë' });
    expect(outcome.inputs).toEqual({ content: '{"name": "Zoë", "n": 2}', ensure_ascii: false, json_filter: '$.name' });
    expect(outcome.metadata).toEqual({
      tool_info: { provider_id: 'langgenius/json_process/json_process', provider_type: 'builtin', tool_name: 'parse' },
    });
  });

  it('reads the legacy list form of tool_parameters', async () => {
    const { registry } = registryWith({});
    const job = testJob(
      'tool',
      {
        provider_id: 'maths',
        provider_type: 'builtin',
        tool_name: 'eval_expression',
        tool_parameters: [{ value_selector: ['start', 'expr'], variable: 'expression', variable_type: 'selector' }],
      },
      { start: { expr: '6 * 7' } },
    );
    expect(outputsOf(await new ToolExecutor(registry, http).execute(job, testContext(job))).text).toBe('42');
  });

  it('fails with Dify error classes: unknown provider or tool, a missing required variable, a failing tool', async () => {
    const { registry } = registryWith({});
    const run = (data: Record<string, unknown>, variables = {}) => {
      const job = testJob('tool', data, variables);
      return new ToolExecutor(registry, http).execute(job, testContext(job)).then(failureOf);
    };
    expect(await run({ provider_id: 'langgenius/google/google', provider_type: 'builtin', tool_name: 'google_search' })).toMatchObject({
      error: 'Failed to get tool runtime: builtin provider langgenius/google/google not found',
      errorType: 'ToolProviderNotFoundError',
    });
    expect(await run({ provider_id: 'time', provider_type: 'builtin', tool_name: 'sundial' })).toMatchObject({
      errorType: 'ToolNotFoundError',
    });
    expect(
      await run({
        provider_id: 'maths',
        provider_type: 'builtin',
        tool_name: 'eval_expression',
        tool_parameters: { expression: { type: 'variable', value: ['start', 'nope'] } },
      }),
    ).toMatchObject({ error: 'Variable ["start","nope"] does not exist', errorType: 'ToolParameterError' });
    expect(
      await run({
        provider_id: 'maths',
        provider_type: 'builtin',
        tool_name: 'eval_expression',
        tool_parameters: { expression: { type: 'constant', value: 'import("fs")' } },
      }),
    ).toMatchObject({ errorType: 'ToolInvokeError' });
    expect(await run({ provider_id: 'x', provider_type: 'workflow', tool_name: 'y' })).toMatchObject({
      errorType: 'ToolProviderNotFoundError',
    });
    expect(await run({ provider_type: 'builtin', tool_name: 'y' })).toMatchObject({ errorType: 'ToolNodeError' });
  });

  it('refuses a tool that needs credentials until the workspace has them, then calls it with them', async () => {
    const node = {
      provider_id: 'langgenius/tavily/tavily',
      provider_type: 'builtin',
      tool_configurations: { include_answer: true, max_results: 3 },
      tool_name: 'tavily_search',
      tool_parameters: { query: { type: 'mixed', value: '{{#start.q#}}' } },
    };
    const job = testJob('tool', node, { start: { q: 'wool' } });
    const without = registryWith({}, server.url);
    const refused = failureOf(await new ToolExecutor(without.registry, http).execute(job, testContext(job)));
    expect(refused.errorType).toBe('ToolProviderCredentialValidationError');
    expect(refused.error).toContain('provider_not_initialize');
    expect(refused.error).toContain('/console/api/workspaces/current/tool-provider/builtin/tavily/update');
    expect(without.asked).toEqual([{ provider: 'tavily', providerType: 'builtin', workspaceId: job.workspaceId }]);

    const withKey = registryWith(
      { 'builtin:tavily': { credentials: { tavily_api_key: 'tvly-secret' }, name: 'tavily', providerType: 'builtin', settings: {} } },
      server.url,
    );
    received.length = 0;
    const outputs = outputsOf(await new ToolExecutor(withKey.registry, http).execute(job, testContext(job)));
    expect(received).toEqual([{ auth: 'Bearer tvly-secret', body: expect.any(String), url: '/search' }]);
    expect(JSON.parse(received[0].body)).toEqual({
      include_answer: true,
      include_image_descriptions: false,
      include_images: false,
      include_raw_content: false,
      max_results: 3,
      query: 'wool',
      search_depth: 'basic',
      topic: 'general',
    });
    expect(outputs.json).toEqual([expect.objectContaining({ answer: 'Wool is warm.' })]);
    expect(outputs.text).toContain('**Answer:** Wool is warm.');
    expect(outputs.text).toContain('### Result 1: [Wool](https://w.example)');
  });

  it('scrapes a page through the SSRF guard, and is refused an address the guard forbids', async () => {
    const { registry } = registryWith({});
    const job = testJob('tool', {
      provider_id: 'webscraper',
      provider_type: 'builtin',
      tool_name: 'webscraper',
      tool_parameters: { url: { type: 'constant', value: `${server.url}/page` } },
    });
    const text = String(outputsOf(await new ToolExecutor(registry, http).execute(job, testContext(job))).text);
    expect(text).toContain('TITLE: Shop');
    expect(text).toContain('AUTHOR: Ana');
    expect(text).toContain('Wool socks');
    expect(text).not.toContain('x()');
    const guarded = { ...http, guard: createSsrfGuard({ allowedHosts: [] }) };
    const refused = failureOf(await new ToolExecutor(registry, guarded).execute(job, testContext(job)));
    expect(refused.errorType).toBe('ToolInvokeError');
    expect(refused.error).toMatch(/Failed to invoke tool: .*(private|loopback|not allowed)/i);
  });
});
