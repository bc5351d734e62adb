// The web console (apps/console) in a real Chromium (Debian's, driven by playwright-core) against the five
// services: the pages an operator and an app owner use, each failing on any console error the page logs.
// CONSOLE_SCREENSHOTS_DIR=<folder> also saves the main pages there (scripts/console-screenshots.mjs).
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  DslBuilder,
  endData,
  expectEventually,
  templateData,
  textInput,
  TEST_PASSWORD,
  TestStack,
  uniqueTestEmail,
  WeftClient,
  httpGetData,
} from '@weft/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** What page.evaluate() callbacks use of the page's window (the test's tsconfig has no DOM types). */
interface BrowserWindow {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}
declare const document: { documentElement: { getAttribute(name: string): string | null } };
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Test servers listen on 127.0.0.2, the private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';
const SCREENSHOTS = process.env['CONSOLE_SCREENSHOTS_DIR'];

const greetingYaml = new DslBuilder('Greeter')
  .node('start', 'start', { variables: [textInput('name')] })
  .node('greet', 'template-transform', templateData('Hello {{ name }}', { name: ['start', 'name'] }), { title: 'Greet' })
  .node('end', 'end', endData({ greeting: ['greet', 'output'] }))
  .chain('start', 'greet', 'end')
  .toYaml();

const brokenYaml = new DslBuilder('Broken')
  .node('start', 'start', { variables: [] })
  .node('mystery_step', 'mystery', {})
  .node('end', 'end', endData({}))
  .chain('start', 'mystery_step', 'end')
  .toYaml();

const echoChatYaml = new DslBuilder('Echo chat', 'advanced-chat')
  .node('start', 'start', { variables: [] })
  .node('answer', 'answer', { answer: 'Echo: {{#sys.query#}}' })
  .chain('start', 'answer')
  .toYaml();

function slowYaml(url: string): string {
  return new DslBuilder('Slow caller')
    .node('start', 'start', { variables: [] })
    .node('call', 'http-request', httpGetData(url))
    .node('end', 'end', endData({ body: ['call', 'body'] }))
    .chain('start', 'call', 'end')
    .toYaml();
}

describe('the web console in Chromium', () => {
  let stack: TestStack;
  let client: WeftClient;
  let browser: Browser;
  let slowServer: Server;
  let slowUrl: string;
  const owner = { email: uniqueTestEmail('console-owner'), token: '', workspace: '' };
  const member = { email: uniqueTestEmail('console-member'), token: '' };
  let greeter: { appId: string; key: string };

  // Every page opened by a test: its console errors and uncaught exceptions fail the test in afterEach.
  let context: BrowserContext | null = null;
  let problems: string[] = [];
  let allowed: RegExp[] = [];

  async function openPage(allow: RegExp[] = []): Promise<Page> {
    allowed = allow;
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (!allowed.some((re) => re.test(text))) problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    return page;
  }

  const url = (path: string) => `${stack.gateway.baseUrl}/console${path}`;

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(url('/'));
    await page.getByLabel('Email').fill(email);
    await page.locator('input[autocomplete="current-password"]').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor();
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The top of the page (a "Load more" click leaves it scrolled to the end).
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    slowServer = createServer((req, res) => {
      const timer = setTimeout(() => res.end('slept'), 60_000);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => slowServer.listen(0, ALLOWED_HOST, resolve));
    slowUrl = `http://${ALLOWED_HOST}:${(slowServer.address() as { port: number }).port}/slow`;
    stack = await TestStack.create({
      env: {
        SSRF_ALLOWED_HOSTS: ALLOWED_HOST,
        CONSOLE_GRAFANA_URL: 'http://grafana.example.test/d/weft',
        CONSOLE_TRACE_URL_TEMPLATE: 'http://jaeger.example.test/trace/{trace_id}',
      },
    });
    [browser] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }), stack.start()]);
    client = new WeftClient(stack.gateway.baseUrl);
    owner.token = (await client.signUp(owner.email, { name: 'Olive' })).access_token;
    owner.workspace = (await client.call<{ id: string }>('GET', '/console/api/workspaces/current', { token: owner.token })).body.id;
    member.token = (await client.signUp(member.email, { name: 'Milo' })).access_token;
    await client.inviteAndAccept(owner.token, member.email, member.token, 'normal');
    greeter = await client.deploy(owner.token, greetingYaml);
  });

  afterEach(async () => {
    await context?.close();
    context = null;
    const seen = problems;
    problems = [];
    expect(seen).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.destroy();
    slowServer?.closeAllConnections();
    await new Promise((resolve) => slowServer?.close(resolve));
  });

  it('is served under /console with a strict CSP and a fresh nonce, falls back to the page, and leaves /console/api to the API', async () => {
    const page = await fetch(url('/apps/anything/runs'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    const html = await page.text();
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(html).toContain(`<meta name="csp-nonce" content="${nonce}"`);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      `style-src 'self' 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe');
    const again = await fetch(url(''));
    expect(again.headers.get('content-security-policy')).not.toBe(csp);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${stack.gateway.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // No outside origin anywhere in what the page loads.
    expect(html).not.toMatch(/https?:\/\//);
    const missing = await fetch(url('/assets/nope.js'));
    expect(missing.status).toBe(404);
    const api = await fetch(`${stack.gateway.baseUrl}/console/api/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
    expect((await api.json()) as object).toMatchObject({ status: 404 });
  });

  it('signs in, rotates the refresh token when the access token is refused, and signs out', async () => {
    const page = await openPage([/status of 401/]);
    await page.goto(url('/apps'));
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('input[autocomplete="current-password"]').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
    await page.locator('input[autocomplete="current-password"]').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Greeter' }).waitFor();
    await screenshot(page, 'apps');
    const scheme = () => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    expect(await scheme()).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await scheme()).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await scheme()).toBe('light');

    const stored = async () =>
      JSON.parse(
        (await page.evaluate(() => (globalThis as unknown as BrowserWindow).localStorage.getItem('weft.console.tokens'))) ?? 'null',
      ) as {
        access_token: string;
        refresh_token: string;
      };
    const before = await stored();
    await page.evaluate(() => {
      const tokens = JSON.parse((globalThis as unknown as BrowserWindow).localStorage.getItem('weft.console.tokens')!) as Record<
        string,
        string
      >;
      (globalThis as unknown as BrowserWindow).localStorage.setItem(
        'weft.console.tokens',
        JSON.stringify({ ...tokens, access_token: 'expired.or.forged' }),
      );
    });
    await page.reload();
    await page.getByRole('link', { name: 'Greeter' }).waitFor();
    const after = await stored();
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe('expired.or.forged');
    // The rotated-away refresh token is spent.
    const reused = await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: before.refresh_token } });
    expect(reused.status).toBe(401);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Weft' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).localStorage.getItem('weft.console.tokens'))).toBeNull();
    const afterLogout = await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: after.refresh_token } });
    expect(afterLogout.status).toBe(401);
  });

  it('imports a DSL and names the node of each problem, imports a good one, publishes, exports, and manages API keys', async () => {
    const page = await openPage([/status of 400/]);
    await signIn(page, owner.email);
    await page.getByRole('button', { name: 'Import DSL' }).click();
    await page.locator('input[type="file"]').setInputFiles({ name: 'broken.yml', mimeType: 'text/yaml', buffer: Buffer.from(brokenYaml) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const problemsBox = page.getByTestId('import-problems');
    await problemsBox.waitFor();
    expect(await problemsBox.textContent()).toContain('The DSL was not imported');
    expect(await problemsBox.getByTestId('problem-node').allTextContents()).toContain('mystery_step');
    expect(await problemsBox.textContent()).toContain('unknown_node_type');

    await page.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.getByRole('button', { name: 'Import DSL' }).click();
    await page.getByLabel('…or paste the DSL').fill(greetingYaml);
    await page.getByLabel('Name (optional)').fill('Greeter two');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: /Greeter two/ }).waitFor();

    await page.getByRole('button', { name: 'Publish' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Published version/ })
      .waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export DSL' }).click()]);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream()) as AsyncIterable<Buffer>) chunks.push(chunk);
    const exported = Buffer.concat(chunks).toString('utf8');
    expect(exported).toContain('kind: app');
    expect(exported).toContain('template-transform');

    await page.getByRole('button', { name: 'Create API key' }).click();
    const key = (await page.getByTestId('new-api-key').textContent())!;
    expect(key).toMatch(/^app-/);
    const appId = /\/apps\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect((await client.run(key, { name: 'Key' })).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('new-api-key').count()).resolves.toBe(0);
    const rows = page.getByRole('table', { name: 'API keys' }).locator('tbody tr');
    await expectEventually(async () => expect(await rows.count()).toBe(1));
    expect(await rows.first().textContent()).not.toContain(key);
    await rows
      .first()
      .getByRole('button', { name: /Revoke key/ })
      .click();
    await expectEventually(async () => expect(await rows.count()).toBe(0));
    const revoked = await client.run(key, { name: 'Key' });
    expect(revoked.status).toBe(401);
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);

    await page.getByRole('link', { name: 'Model providers' }).click();
    await page.getByLabel('API key').fill('sk-console-e2e-secret');
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.getByRole('status').filter({ hasText: 'Credentials of OpenAI saved' }).waitFor();
    expect(await page.getByLabel('API key').inputValue()).toBe('');
  });

  it('finds a Service API run in the list with filters and paging, and shows every node with its status, timing and outputs', async () => {
    const first = await client.run(greeter.key, { name: 'Ada' }, 'console-e2e-user');
    expect(first.status).toBe(200);
    const runId = first.body['workflow_run_id'] as string;
    for (let i = 0; i < 21; i++) expect((await client.run(greeter.key, { name: `Bulk ${i}` }, 'bulk-user')).status).toBe(200);

    const page = await openPage();
    await signIn(page, owner.email);
    await page.goto(url(`/apps/${greeter.appId}/runs`));
    const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr[data-run-id]');
    await expectEventually(async () => expect(await rows.count()).toBe(20));
    await page.getByRole('button', { name: 'Load more' }).click();
    await expectEventually(async () => expect(await rows.count()).toBe(22));
    expect(await page.locator(`tr[data-run-id="${runId}"]`).count()).toBe(1);
    await screenshot(page, 'runs');

    await page.getByLabel('Text in inputs').fill('Ada');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectEventually(async () => expect(await rows.count()).toBe(1));
    expect(await rows.first().getAttribute('data-run-id')).toBe(runId);
    // A time range that ends before the run started finds nothing; one around it finds it.
    const local = (ms: number) => {
      const d = new Date(ms);
      const two = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
    };
    await page.getByLabel('To', { exact: true }).fill(local(Date.now() - 3_600_000));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No runs match.').waitFor();
    await page.getByLabel('From', { exact: true }).fill(local(Date.now() - 3_600_000));
    await page.getByLabel('To', { exact: true }).fill(local(Date.now() + 3_600_000));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectEventually(async () => expect(await rows.count()).toBe(1));
    await page.getByLabel('Text in inputs').fill('');
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('End user').fill('console-e2e-user');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectEventually(async () => expect(await rows.count()).toBe(1));
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'failed', exact: true }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No runs match.').waitFor();

    await page.goto(url(`/apps/${greeter.appId}/runs/${runId}`));
    const graph = page.getByTestId('run-graph');
    await expectEventually(async () => expect(await graph.locator('[data-node-status="succeeded"]').count()).toBe(3));
    const timeline = page.getByRole('table', { name: 'Node executions' });
    for (const nodeId of ['start', 'greet', 'end']) {
      const row = timeline.locator(`tr[data-node-id="${nodeId}"]`);
      expect(await row.count()).toBe(1);
      expect(await row.locator('[data-status]').textContent()).toBe('succeeded');
      expect(await row.getByTestId('duration').textContent()).toMatch(/\d+(\.\d+)? (ms|s)/);
    }
    await screenshot(page, 'run');
    // By keyboard: the node's details open from its button.
    await timeline.getByRole('button', { name: 'Details of Greet' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('node-panel');
    await panel.waitFor();
    expect(await panel.getByLabel('Outputs').textContent()).toContain('Hello Ada');
    expect(await panel.getByLabel('Inputs').textContent()).toContain('Ada');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await timeline.getByRole('button', { name: 'Details of end' }).click();
    expect(await page.getByTestId('node-panel').getByLabel('Outputs').textContent()).toContain('Hello Ada');
    expect(await page.getByLabel('Run outputs').textContent()).toContain('Hello Ada');
  });

  it('draws a run of 45 nodes as a plain graph: every node coloured by status, reachable by keyboard and mouse, zoomable', async () => {
    // From 40 nodes the run page draws the graph as one SVG (PlainGraph) instead of React Flow.
    const builder = new DslBuilder('Long chain').node('start', 'start', { variables: [textInput('name')] });
    const ids = ['start'];
    for (let i = 1; i <= 43; i++) {
      const previous = i === 1 ? ['start', 'name'] : [`step${i - 1}`, 'output'];
      builder.node(`step${i}`, 'template-transform', templateData(`{{ v }}.${i}`, { v: previous }), { title: `Step ${i}` });
      ids.push(`step${i}`);
    }
    builder.node('end', 'end', endData({ out: ['step43', 'output'] }));
    ids.push('end');
    const long = await client.deploy(owner.token, builder.chain(...ids).toYaml());
    const run = await client.run(long.key, { name: 'x' }, 'console-e2e-long');
    expect(run.status).toBe(200);
    const runId = run.body['workflow_run_id'] as string;

    const page = await openPage();
    await signIn(page, owner.email);
    await page.goto(url(`/apps/${long.appId}/runs/${runId}`));
    const graph = page.getByTestId('run-graph');
    await expectEventually(async () => expect(await graph.locator('[data-node-status="succeeded"]').count()).toBe(45));
    expect(await graph.locator('svg[aria-label="Graph of the run: 45 nodes"]').count()).toBe(1);
    expect(await page.locator('.react-flow').count()).toBe(0);
    // Each node is a button named by its title and status, coloured by its status.
    const step20 = graph.getByRole('button', { name: 'Step 20: succeeded' });
    expect(await step20.getAttribute('data-color')).toBe('green');
    // The whole graph in view is too small for text; zoomed in, the nodes show their titles.
    expect(await graph.locator('text').count()).toBe(0);
    for (let i = 0; i < 12; i++) await graph.getByRole('button', { name: 'Zoom in' }).click();
    await expectEventually(async () => expect(await graph.locator('text', { hasText: 'Step 20' }).count()).toBeGreaterThan(0));
    await graph.getByRole('button', { name: 'Fit view' }).click();
    await expectEventually(async () => expect(await graph.locator('text').count()).toBe(0));
    // By keyboard: a node's details open from the graph.
    await step20.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('node-panel');
    await panel.waitFor();
    expect(await panel.getByLabel('Outputs').textContent()).toContain('x.1.2.3');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    // By mouse.
    await graph.getByRole('button', { name: 'Step 43: succeeded' }).click();
    await panel.waitFor();
    expect(await panel.getByLabel('Outputs').textContent()).toContain('.43');
  });

  it('follows a streaming run live and stops it from the page', async () => {
    const slow = await client.deploy(owner.token, slowYaml(slowUrl));
    const streamed = fetch(`${stack.gateway.baseUrl}/v1/workflows/run`, {
      body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'streamer' }),
      headers: { authorization: `Bearer ${slow.key}`, 'content-type': 'application/json' },
      method: 'POST',
    }).then((res) => res.text());
    let runId = '';
    await expectEventually(async () => {
      const list = await client.call<{ data: { id: string }[] }>('GET', `/console/api/apps/${slow.appId}/workflow-runs`, {
        token: owner.token,
      });
      runId = list.body.data[0]?.id ?? '';
      expect(runId).not.toBe('');
    });

    const page = await openPage();
    await signIn(page, owner.email);
    await page.goto(url(`/apps/${slow.appId}/runs/${runId}`));
    await page.getByTestId('live').waitFor();
    const graph = page.getByTestId('run-graph');
    // Live: the http node turns to running once its node_started event arrives.
    await graph.locator('[data-node-status="running"]').first().waitFor();
    expect(
      await graph.locator('.react-flow__node', { hasText: 'call' }).locator('[data-node-status]').getAttribute('data-node-status'),
    ).toBe('running');
    const stop = page.getByRole('button', { name: 'Stop run' });
    await expectEventually(async () => expect(await stop.isEnabled()).toBe(true));
    await stop.click();
    await page.locator('h1 [data-status="stopped"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('live').count()).toBe(0);
    const text = await streamed;
    expect(text).toContain('"event":"workflow_finished"');
    expect(text).toContain('"status":"stopped"');
  });

  it('shows an indexing document reach completed, its segments, and retrieval scores', async () => {
    const datasetKey = await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: owner.token });
    const kb = (method: string, path: string, body?: unknown) =>
      client.call<Record<string, unknown>>(method, `/v1/datasets${path}`, { body, token: datasetKey.body.token });
    const dataset = await kb('POST', '', { indexing_technique: 'economy', name: 'Mill handbook' });
    expect(dataset.status).toBe(200);
    const datasetId = dataset.body['id'] as string;

    const page = await openPage();
    await signIn(page, owner.email);
    await page.goto(url(`/knowledge/${datasetId}`));
    await page.getByText('No documents.').waitFor();
    const created = await kb('POST', `/${datasetId}/document/create-by-text`, {
      indexing_technique: 'economy',
      name: 'looms.txt',
      process_rule: { mode: 'automatic' },
      text: 'The loom weaves warp and weft.\n\nThe shuttle carries the weft thread across the warp.\n\nA spindle spins wool into yarn.',
    });
    expect(created.status).toBe(200);
    const documentId = (created.body['document'] as { id: string }).id;
    // The page polls while a document is being indexed: no reload here.
    const status = page.locator(`tr[data-document-id="${documentId}"]`).getByTestId('indexing-status');
    await expectEventually(async () => expect(await status.textContent()).toBe('completed'), { timeoutMs: 30_000 });
    await screenshot(page, 'knowledge');

    await page.getByLabel('Query').fill('shuttle weft');
    await page.getByRole('button', { name: 'Test retrieval' }).click();
    const results = page.locator('[data-method="keyword_search"]');
    await results.getByTestId('score').first().waitFor();
    expect(await results.textContent()).toContain('shuttle');

    await page.getByRole('link', { name: 'looms.txt' }).click();
    await page.getByText('The shuttle carries the weft thread', { exact: false }).first().waitFor();
  });

  it("shows a chat app's conversations and messages, and takes an editor's feedback", async () => {
    const chat = await client.deploy(owner.token, echoChatYaml);
    const sent = await client.call<{ conversation_id: string; message_id: string }>('POST', '/v1/chat-messages', {
      body: { inputs: {}, query: 'Hello loom', response_mode: 'blocking', user: 'chat-e2e-user' },
      token: chat.key,
    });
    expect(sent.status).toBe(200);

    const page = await openPage();
    await signIn(page, owner.email);
    await page
      .getByRole('row', { name: /Echo chat/ })
      .getByRole('link', { name: 'Conversations' })
      .click();
    const row = page.getByRole('table', { name: 'Conversations' }).getByRole('row', { name: /chat-e2e-user/ });
    await row.getByRole('button').click();
    const message = page.locator(`[data-message-id="${sent.body.message_id}"]`);
    await message.getByText('Echo: Hello loom').waitFor();
    const like = message.getByRole('button', { name: 'Good answer' });
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await like.click();
    await expectEventually(async () => expect(await like.getAttribute('aria-pressed')).toBe('true'));
    const stored = await client.call<{ data: { id: string; feedback: { rating: string } | null }[] }>(
      'GET',
      `/console/api/apps/${chat.appId}/chat-messages?conversation_id=${sent.body.conversation_id}`,
      { token: owner.token },
    );
    expect(stored.body.data.find((m) => m.id === sent.body.message_id)?.feedback).toEqual({ rating: 'like' });
  });

  it('shows an admin the audit trail with its chain verified and filters, and the system page', async () => {
    const page = await openPage();
    await signIn(page, owner.email);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    const verified = page.getByTestId('chain-result');
    await verified.waitFor();
    expect(await verified.textContent()).toContain('Audit chain verified');
    const records = page.getByRole('table', { name: 'Audit records' }).locator('tbody tr[data-action]');
    await expectEventually(async () => expect(await records.count()).toBeGreaterThan(3));
    const actions = await records.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['app.imported', 'app.published']));
    await screenshot(page, 'audit');
    await page.getByLabel('Action').fill('app.published');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectEventually(async () => {
      const filtered = await records.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      expect(filtered.length).toBeGreaterThan(0);
      expect(new Set(filtered)).toEqual(new Set(['app.published']));
    });

    await page.getByRole('link', { name: 'System' }).click();
    for (const name of ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'])
      await page.locator(`[data-service="${name}"]`).getByText('up', { exact: true }).first().waitFor();
    expect(await page.getByRole('link', { name: 'Grafana dashboards' }).getAttribute('href')).toBe('http://grafana.example.test/d/weft');
    await page.getByRole('table', { name: 'Work queues' }).waitFor();
    await screenshot(page, 'system');
  });

  it('keeps a normal member to read-only pages and out of the admin pages (and so does the API)', async () => {
    const page = await openPage([/status of 403/]);
    await signIn(page, member.email);
    await page.getByRole('combobox', { name: 'Workspace' }).click();
    await page.getByRole('option', { name: "Olive's Workspace" }).click();
    await expectEventually(async () => expect(await page.getByTestId('role').textContent()).toBe('normal'));
    await page.getByRole('link', { name: 'Greeter' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Import DSL' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Apps', 'Knowledge']);
    for (const path of ['/audit', '/system', '/providers']) {
      await page.goto(url(path));
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    }
    await page.goto(url(`/apps/${greeter.appId}`));
    await page.getByText('API keys are managed by editors.').waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
    await page.goto(url(`/apps/${greeter.appId}/runs`));
    await page.getByRole('table', { name: 'Runs' }).locator('tbody tr[data-run-id]').first().waitFor();

    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: owner.workspace },
      token: member.token,
    });
    expect(switched.status).toBe(200);
    for (const path of ['/console/api/audit/logs', '/console/api/audit/verify', '/console/api/system/status'])
      expect((await client.call('GET', path, { token: switched.body.access_token })).status).toBe(403);
  });
});
