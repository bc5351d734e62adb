import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import {
  DslBuilder,
  expectEventually,
  pollUntil,
  queryDatabase,
  startTestMcpServer,
  textInput,
  TestStack,
  WeftClient,
  type TestMcpServer,
} from '@weft/testing';

/**
 * Every route of both APIs, taken from the gateway's own OpenAPI description (so a new route is covered
 * the day it is added), tried with missing, expired, forged and foreign credentials, with a role below the
 * one it needs, and with another workspace's ids. None may answer with data, and none may answer 5xx.
 */

const SIGNING_KEY = 'api-security-e2e-signing-key-0123456789abcdef';
const PASSWORD = 'Correct-Horse-9!';
const ROLES = ['normal', 'editor', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];

interface Operation {
  method: string;
  path: string;
  auth: 'console' | 'app' | 'dataset' | 'public';
  requiredRole: Role;
  hasIds: boolean;
  /** Top-level properties of its JSON request body, when it has one. */
  bodyProperties: string[];
}

interface Workspace {
  owner: string;
  tokens: Record<Role, string>;
  workspaceId: string;
  memberId: string;
  workflowKey: string;
  chatKey: string;
  datasetKey: string;
  ids: Record<string, string>;
}

const unique = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

const workflowYaml = new DslBuilder('security workflow')
  .node('start', 'start', { variables: [textInput('q', { required: false })] })
  .node('end', 'end', { outputs: [{ value_selector: ['start', 'q'], variable: 'echo' }] })
  .chain('start', 'end')
  .toYaml();

const chatYaml = new DslBuilder('security chat', 'advanced-chat')
  .conversationVariable('count', 'number', 0)
  .node('start', 'start', { variables: [] })
  .node('answer', 'answer', { answer: 'You said {{#sys.query#}}' })
  .chain('start', 'answer')
  .toYaml();

/** Which credential a route takes, read from its OpenAPI security and path. */
function authOf(path: string, op: Record<string, unknown>): Operation['auth'] {
  const security = (op['security'] as Record<string, unknown>[] | undefined) ?? [];
  if (security.length === 0) return 'public';
  if (path.startsWith('/console/api')) return 'console';
  // The workspace's models by type answer the dataset key, as Dify's do.
  return path.startsWith('/v1/datasets') || path.startsWith('/v1/workspaces/') ? 'dataset' : 'app';
}

// Hundreds of requests per test; a route that hangs shows up as its own failure (see raw()), not as a timeout here.
jest.setTimeout(600_000);

describe('API security: every route against bad credentials, low roles and foreign ids', () => {
  let stack: TestStack;
  let client: WeftClient;
  let operations: Operation[];
  let a: Workspace;
  let b: Workspace;
  // An MCP server each workspace adds, for the MCP provider routes' ids.
  let mcp: TestMcpServer;

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    if (/by[-_]file$/.test(path)) {
      // The file routes take multipart: a real file, so that the dataset or document id decides the answer.
      const form = new FormData();
      form.append('data', JSON.stringify({ indexing_technique: 'high_quality', process_rule: { mode: 'automatic' } }));
      form.append('file', new Blob(['A small text file.'], { type: 'text/plain' }), 'note.txt');
      const res = await fetch(`${stack.gateway.baseUrl}${path}`, {
        body: form,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        method,
      });
      const text = await res.text();
      return { body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: res.headers, status: res.status };
    }
    return client.call(method, path, { body: method === 'GET' ? undefined : (body ?? {}), token });
  }

  /**
   * Routes where Dify answers an unknown id with something other than 404, kept for compatibility:
   * stopping a task answers `{result: 'success'}` for any task id (the stop itself is scoped to the
   * caller's app and user, so a foreign task is never stopped; completion stop on a chat app gives Dify's
   * mode error), and running a workflow version answers 400 "Workflow not found". These must answer a
   * foreign id exactly as they answer a random one.
   */
  const SAME_AS_UNKNOWN_ID = new Set([
    'POST /v1/workflows/{workflowId}/run',
    'POST /v1/workflows/tasks/{taskId}/stop',
    'POST /v1/chat-messages/{taskId}/stop',
    'POST /v1/completion-messages/{taskId}/stop',
    // Another app's reply job answers exactly as an unknown one: 400 "The job does not exist." (Dify's answer).
    'GET /v1/apps/annotation-reply/{action}/status/{jobId}',
  ]);

  async function workspace(label: string): Promise<Workspace> {
    const owner = await client.signUp(unique(label), { name: label, password: PASSWORD });
    const tokens = { owner: owner.access_token } as Record<Role, string>;
    let memberId = '';
    for (const role of ['normal', 'editor', 'admin'] as const) {
      const own = await client.signUp(unique(`${label}-${role}`), { name: role, password: PASSWORD });
      await client.inviteAndAccept(owner.access_token, own.email, own.access_token, role);
      const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
        body: { tenant_id: owner.workspace_id },
        token: own.access_token,
      });
      expect(switched.status).toBe(200);
      tokens[role] = switched.body.access_token;
      if (role === 'normal') memberId = own.account_id;
    }
    const workflow = await client.deploy(owner.access_token, workflowYaml);
    const chat = await client.deploy(owner.access_token, chatYaml);
    const datasetKey = (
      await client.call<{ id: string; token: string }>('POST', '/console/api/datasets/api-keys', { token: owner.access_token })
    ).body;
    const run = await client.run(workflow.key, { q: 'hi' });
    // An upload of the workflow app's end user, for GET /v1/files/{fileId}/preview.
    const uploadForm = new FormData();
    uploadForm.append('user', 'tester');
    uploadForm.append('file', new Blob(['An uploaded note.'], { type: 'text/plain' }), 'note.txt');
    const uploaded = await fetch(`${stack.gateway.baseUrl}/v1/files/upload`, {
      body: uploadForm,
      headers: { authorization: `Bearer ${workflow.key}` },
      method: 'POST',
    });
    expect(uploaded.status).toBe(201);
    const fileId = ((await uploaded.json()) as { id: string }).id;
    const [endUser] = await queryDatabase<{ id: string }>(
      stack.database.url,
      `SELECT id FROM gateway.end_users WHERE app_id = $1 AND session_id = 'tester'`,
      [workflow.appId],
    );
    const turn = await client.call<Record<string, string>>('POST', '/v1/chat-messages', {
      body: { inputs: {}, query: 'hello', response_mode: 'blocking', user: 'tester' },
      token: chat.key,
    });
    expect(turn.status).toBe(200);
    const variables = await client.call<{ data: { id: string }[] }>(
      'GET',
      `/v1/conversations/${turn.body['conversation_id']}/variables?user=tester`,
      { token: chat.key },
    );
    const annotation = await client.call<{ id: string }>('POST', '/v1/apps/annotations', {
      body: { answer: 'A loom.', question: 'What weaves?' },
      token: chat.key,
    });
    const replyJob = await client.call<{ job_id: string }>('POST', '/v1/apps/annotation-reply/enable', {
      body: { embedding_model_name: 'text-embedding-3-small', embedding_provider_name: 'openai', score_threshold: 0.9 },
      token: chat.key,
    });
    expect([annotation.status, replyJob.status]).toEqual([201, 200]);
    const kb = (method: string, path: string, body?: unknown) =>
      client.call<Record<string, unknown>>(method, `/v1/datasets${path}`, { body, token: datasetKey.token });
    const dataset = await kb('POST', '', { name: `security ${label} ${Date.now()}` });
    const datasetId = String(dataset.body['id']);
    // A parent-child document, so that its segments have child chunks for the child-chunk routes.
    const doc = await kb('POST', `/${datasetId}/document/create-by-text`, {
      doc_form: 'hierarchical_model',
      indexing_technique: 'high_quality',
      name: 'a.txt',
      process_rule: {
        mode: 'hierarchical',
        rules: {
          parent_mode: 'paragraph',
          pre_processing_rules: [],
          segmentation: { chunk_overlap: 0, max_tokens: 500, separator: '\\n\\n' },
          subchunk_segmentation: { chunk_overlap: 0, max_tokens: 100, separator: '\\n' },
        },
      },
      text: 'Weft is the crosswise thread.\nIt passes over and under.\n\nWarp is lengthwise.\nIt is held in tension.',
    });
    expect(doc.status).toBe(200);
    const documentId = String((doc.body['document'] as Record<string, unknown>)['id']);
    const batch = String(doc.body['batch']);
    await pollUntil(
      async () => {
        const status = await kb('GET', `/${datasetId}/documents/${batch}/indexing-status`);
        return (status.body['data'] as { indexing_status: string }[])[0]?.indexing_status === 'completed';
      },
      { timeoutMs: 30_000, what: 'document indexed' },
    );
    const segments = await kb('GET', `/${datasetId}/documents/${documentId}/segments`);
    const metadata = await kb('POST', `/${datasetId}/metadata`, { name: 'lang', type: 'string' });
    const keys = await client.call<{ data: { id: string }[] }>('GET', `/console/api/apps/${workflow.appId}/api-keys`, {
      token: owner.access_token,
    });
    const dataExport = await client.call<{ id: string }>('POST', '/console/api/account/data-export', { token: owner.access_token });
    const erasure = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/end-users/erase', {
      body: { user: `nobody-${label}` },
      token: owner.access_token,
    });
    const hold = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/legal-holds', {
      body: { reason: 'fixture' },
      token: owner.access_token,
    });
    const mcpProvider = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/tool-provider/mcp', {
      body: { icon: '🔧', icon_type: 'emoji', name: `MCP ${label}`, server_identifier: `mcp-${label}`, server_url: mcp.streamableUrl },
      token: owner.access_token,
    });
    expect([dataExport.status, erasure.status, hold.status, mcpProvider.status]).toEqual([202, 202, 201, 200]);
    return {
      owner: owner.access_token,
      tokens,
      workspaceId: owner.workspace_id,
      memberId,
      workflowKey: workflow.key,
      chatKey: chat.key,
      datasetKey: datasetKey.token,
      ids: {
        appId: workflow.appId,
        chatAppId: chat.appId,
        erasureId: erasure.body.id,
        exportId: dataExport.body.id,
        holdId: hold.body.id,
        appKeyId: keys.body.data[0]!.id,
        datasetKeyId: datasetKey.id,
        memberId,
        runId: String(run.body['workflow_run_id']),
        taskId: String(run.body['task_id']),
        workflowId: String((run.body['data'] as Record<string, unknown>)['workflow_id'] ?? ''),
        conversationId: turn.body['conversation_id']!,
        messageId: turn.body['message_id']!,
        chatTaskId: turn.body['task_id']!,
        endUserId: endUser!.id,
        fileId,
        variableId: variables.body.data[0]!.id,
        datasetId,
        documentId,
        batch,
        segmentId: (segments.body['data'] as { id: string }[])[0]!.id,
        childChunkId: (segments.body['data'] as { child_chunks: { id: string }[] }[])[0]!.child_chunks[0]!.id,
        metadataId: String(metadata.body['id']),
        providerId: mcpProvider.body.id,
        annotationId: annotation.body.id,
        jobId: replyJob.body.job_id,
      },
    };
  }

  /** The path with `{param}`s filled with workspace `w`'s ids. */
  function fill(path: string, w: Workspace): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'keyId') return path.includes('/datasets/') ? w.ids['datasetKeyId']! : w.ids['appKeyId']!;
      if (name === 'taskId')
        return path.includes('chat-messages') || path.includes('completion-messages') ? w.ids['chatTaskId']! : w.ids['taskId']!;
      if (name === 'action') return 'enable';
      // Model providers and built-in tool providers share the name; `tavily` is both a tool provider and unknown to models.
      if (name === 'provider') return path.includes('/tool-provider/') ? 'tavily' : 'openai';
      if (name === 'modelType') return 'text-embedding';
      const id = w.ids[name];
      if (!id) throw new Error(`No id for path parameter {${name}} of ${path}: add it to the workspace fixture`);
      return id;
    });
  }

  /** A valid body for the routes whose ids are checked, so that the id (not the body) decides the answer. */
  function bodyFor(op: Operation, w: Workspace): unknown {
    const key = `${op.method} ${op.path}`;
    const bodies: Record<string, unknown> = {
      'PUT /console/api/workspaces/current/members/{memberId}/update-role': { role: 'editor' },
      'POST /console/api/workspaces/current/members/{memberId}/owner-transfer': { password: PASSWORD },
      'PUT /console/api/apps/{appId}/rate-limit': { max_active_requests: null, requests_per_minute: null },
      'POST /v1/workflows/{workflowId}/run': { inputs: {}, response_mode: 'blocking', user: 'tester' },
      'POST /v1/conversations/{conversationId}/name': { name: 'renamed', user: 'tester' },
      'PUT /v1/conversations/{conversationId}/variables/{variableId}': { user: 'tester', value: 1 },
      'POST /v1/messages/{messageId}/feedbacks': { rating: 'like', user: 'tester' },
      'PATCH /v1/datasets/{datasetId}': { name: `renamed ${Math.random()}` },
      'PUT /v1/apps/annotations/{annotationId}': { answer: 'A loom, still.', question: 'What weaves?' },
      'POST /v1/datasets/{datasetId}/document/create-by-text': {
        name: 'b.txt',
        text: 'x',
        indexing_technique: 'high_quality',
        process_rule: { mode: 'automatic' },
      },
      'POST /v1/datasets/{datasetId}/document/create_by_text': {
        name: 'b.txt',
        text: 'x',
        indexing_technique: 'high_quality',
        process_rule: { mode: 'automatic' },
      },
      'POST /v1/datasets/{datasetId}/documents/{documentId}/update-by-text': { name: 'b.txt', text: 'y' },
      'POST /v1/datasets/{datasetId}/documents/{documentId}/update_by_text': { name: 'b.txt', text: 'y' },
      'POST /v1/datasets/{datasetId}/documents/{documentId}/segments': { segments: [{ content: 'z' }] },
      'POST /v1/datasets/{datasetId}/documents/{documentId}/segments/{segmentId}': { segment: { content: 'z' } },
      'POST /v1/datasets/{datasetId}/documents/{documentId}/segments/{segmentId}/child_chunks': { content: 'c' },
      'PATCH /v1/datasets/{datasetId}/documents/{documentId}/segments/{segmentId}/child_chunks/{childChunkId}': { content: 'c' },
      'POST /v1/datasets/{datasetId}/metadata': { name: 'm2', type: 'string' },
      'PATCH /v1/datasets/{datasetId}/metadata/{metadataId}': { name: 'm3' },
      'POST /v1/datasets/{datasetId}/documents/metadata': { operation_data: [{ document_id: w.ids['documentId'], metadata_list: [] }] },
      'PATCH /v1/datasets/{datasetId}/documents/status/{action}': { document_ids: [w.ids['documentId']] },
      'POST /v1/datasets/{datasetId}/retrieve': { query: 'weft' },
      'POST /v1/datasets/{datasetId}/hit-testing': { query: 'weft' },
      'POST /console/api/apps/{appId}/feedbacks': { message_id: w.ids['messageId'], rating: 'like' },
      'POST /console/api/datasets/{datasetId}/hit-testing': { query: 'weft' },
    };
    if (op.method === 'GET') return undefined;
    if (key in bodies) return bodies[key];
    if (op.path.startsWith('/v1/') && op.auth === 'app') return { user: 'tester' };
    return {};
  }

  /** Query string for Service API reads that need the end user (and a conversation), and console reads that need a conversation. */
  function query(op: Operation, w: Workspace): string {
    if (op.method === 'GET' && op.path === '/console/api/apps/{appId}/chat-messages') return `?conversation_id=${w.ids['conversationId']}`;
    if (op.auth !== 'app' || op.method !== 'GET') return '';
    return op.path === '/v1/messages' ? `?user=tester&conversation_id=${w.ids['conversationId']}` : '?user=tester';
  }

  /** The key a Service API route is called with: the chat app's for conversation routes, else the workflow app's. */
  function keyFor(op: Operation, w: Workspace): string {
    if (op.auth === 'dataset') return w.datasetKey;
    return /\/v1\/(chat-messages|completion-messages|conversations|messages|apps\/annotation)/.test(op.path) ? w.chatKey : w.workflowKey;
  }

  beforeAll(async () => {
    mcp = await startTestMcpServer();
    // Node runners may reach the test MCP server on 127.0.0.1.
    stack = await TestStack.create({ env: { JWT_SIGNING_KEYS: `k1:${SIGNING_KEY}`, SSRF_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    a = await workspace('alpha');
    b = await workspace('beta');
    const doc = (await client.call<{ paths: Record<string, Record<string, Record<string, unknown>>> }>('GET', '/docs-json')).body;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          auth: authOf(path, op),
          requiredRole: (op['x-weft-required-role'] as Role | undefined) ?? 'normal',
          hasIds: [...path.matchAll(/\{(\w+)\}/g)].some(([, name]) => name !== 'action' && name !== 'provider' && name !== 'modelType'),
          bodyProperties: Object.keys(
            ((
              (op['requestBody'] as Record<string, unknown> | undefined)?.['content'] as
                Record<string, { schema?: { properties?: object } }> | undefined
            )?.['application/json']?.schema?.properties ?? {}) as object,
          ),
        })),
    );
  });

  afterAll(async () => {
    await stack?.destroy();
    await mcp?.close();
  });

  it('the description lists the routes and the roles they need', () => {
    const find = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path);
    expect(operations.length).toBeGreaterThan(60);
    expect(find('POST', '/console/api/login')?.auth).toBe('public');
    expect(find('POST', '/console/api/apps/imports')).toMatchObject({ auth: 'console', requiredRole: 'editor' });
    expect(find('DELETE', '/console/api/apps/{appId}/api-keys/{keyId}')).toMatchObject({ auth: 'console', requiredRole: 'editor' });
    expect(find('POST', '/console/api/workspaces/current/members/invite-email')).toMatchObject({ auth: 'console', requiredRole: 'admin' });
    expect(find('PUT', '/console/api/workspaces/current/model-providers/{provider}')).toMatchObject({
      auth: 'console',
      requiredRole: 'admin',
    });
    expect(find('GET', '/console/api/apps')).toMatchObject({ auth: 'console', requiredRole: 'normal' });
    expect(find('POST', '/v1/workflows/run')?.auth).toBe('app');
    expect(find('POST', '/v1/datasets/{datasetId}/retrieve')?.auth).toBe('dataset');
  });

  it('console routes refuse no token, expired, forged, foreign-key and logged-out tokens with 401', async () => {
    const claims = jwt.decode(a.owner) as { sub: string; wid: string; sid: string };
    const sign = (secret: string, opts: jwt.SignOptions) =>
      jwt.sign({ wid: claims.wid, sid: claims.sid }, secret, { algorithm: 'HS256', subject: claims.sub, ...opts });
    const expired = sign(SIGNING_KEY, { keyid: 'k1', expiresIn: -60 });
    const otherKey = sign('a-key-this-gateway-has-never-seen-0123456789', { keyid: 'k1', expiresIn: 600 });
    const noKid = sign(SIGNING_KEY, { expiresIn: 600 });
    const appKeyAsToken = a.workflowKey;
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.auth === 'console')) {
      for (const [label, token] of [
        ['none', undefined],
        ['expired', expired],
        ['other key', otherKey],
        ['no kid', noKid],
        ['app key', appKeyAsToken],
      ] as const) {
        const res = await call(op.method, fill(op.path, a), token, bodyFor(op, a));
        if (res.status !== 401 || res.body['code'] !== 'unauthorized')
          failures.push(`${op.method} ${op.path} with ${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('console routes refuse a role below the one they need with 403, and let that role through', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.auth === 'console' && o.requiredRole !== 'normal')) {
      const below = ROLES[ROLES.indexOf(op.requiredRole) - 1]!;
      const res = await call(op.method, fill(op.path, a), a.tokens[below], bodyFor(op, a));
      if (res.status !== 403 || res.body['code'] !== 'forbidden') failures.push(`${op.method} ${op.path} as ${below}: ${res.status}`);
    }
    expect(failures).toEqual([]);
    // The needed role passes the role check (what it then answers depends on the body, never 401/403).
    for (const op of operations.filter((o) => o.auth === 'console' && o.requiredRole !== 'normal' && o.method === 'GET')) {
      const res = await call(op.method, fill(op.path, a), a.tokens[op.requiredRole]);
      expect([op.path, res.status]).toEqual([op.path, 200]);
    }
  });

  it("console routes answer 404 for another workspace's ids, never its data", async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.auth === 'console' && o.hasIds)) {
      const res = await call(op.method, fill(op.path, a) + query(op, a), b.owner, bodyFor(op, a));
      if (res.status !== 404) failures.push(`${op.method} ${op.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });

  it('Service API and Knowledge API routes refuse missing, forged, wrong-kind and revoked keys with 401', async () => {
    const revoked = await client.deploy(a.owner, workflowYaml);
    const keyId = (await client.call<{ data: { id: string }[] }>('GET', `/console/api/apps/${revoked.appId}/api-keys`, { token: a.owner }))
      .body.data[0]!.id;
    expect((await client.call('DELETE', `/console/api/apps/${revoked.appId}/api-keys/${keyId}`, { token: a.owner })).status).toBe(204);
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.auth === 'app' || o.auth === 'dataset')) {
      const wrongKind = op.auth === 'app' ? a.datasetKey : a.workflowKey;
      const forged = op.auth === 'app' ? `app-${'x'.repeat(32)}` : `dataset-${'x'.repeat(32)}`;
      for (const [label, token] of [
        ['none', undefined],
        ['forged', forged],
        ['wrong kind', wrongKind],
        ['console token', a.owner],
        ['revoked', revoked.key],
      ] as const) {
        if (label === 'revoked' && op.auth === 'dataset') continue;
        const res = await call(op.method, fill(op.path, a) + query(op, a), token, bodyFor(op, a));
        if (res.status !== 401 || res.body['code'] !== 'unauthorized')
          failures.push(`${op.method} ${op.path} with ${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("Service API and Knowledge API routes answer 404 for another workspace's ids, never its data", async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => (o.auth === 'app' || o.auth === 'dataset') && o.hasIds)) {
      const res = await call(op.method, fill(op.path, a) + query(op, a), keyFor(op, b), bodyFor(op, a));
      if (SAME_AS_UNKNOWN_ID.has(`${op.method} ${op.path}`)) {
        const random = await call(
          op.method,
          op.path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000'),
          keyFor(op, b),
          bodyFor(op, a),
        );
        if (res.status !== random.status || JSON.stringify(res.body) !== JSON.stringify(random.body))
          failures.push(`${op.method} ${op.path}: ${res.status} differs from a random id's ${random.status}`);
        continue;
      }
      if (res.status !== 404) failures.push(`${op.method} ${op.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    // Ids sent in the body or the query string: a conversation of workspace A continued with B's key.
    const turn = await client.call('POST', '/v1/chat-messages', {
      body: { conversation_id: a.ids['conversationId'], inputs: {}, query: 'hi', response_mode: 'blocking', user: 'tester' },
      token: b.chatKey,
    });
    if (turn.status !== 404) failures.push(`POST /v1/chat-messages with A's conversation_id: ${turn.status}`);
    const messages = await client.call('GET', `/v1/messages?user=tester&conversation_id=${a.ids['conversationId']}`, { token: b.chatKey });
    if (messages.status !== 404) failures.push(`GET /v1/messages with A's conversation_id: ${messages.status}`);
    expect(failures).toEqual([]);

    // Workspace A's data is untouched by all of the above.
    const own = await client.call<{ data: unknown[] }>('GET', `/v1/messages?user=tester&conversation_id=${a.ids['conversationId']}`, {
      token: a.chatKey,
    });
    expect(own.body.data).toHaveLength(1);
    const dataset = await client.call<{ name: string }>('GET', `/v1/datasets/${a.ids['datasetId']}`, { token: a.datasetKey });
    expect(dataset.status).toBe(200);
    expect(dataset.body.name).toMatch(/^security alpha/);
  });

  /** Sends a raw body with a JSON content type (or another one) and returns the status and parsed answer. */
  async function raw(
    method: string,
    path: string,
    token: string | undefined,
    body: string,
    contentType = 'application/json',
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const started = Date.now();
    try {
      const res = await fetch(`${stack.gateway.baseUrl}${path}`, { body, headers, method, signal: AbortSignal.timeout(10_000) });
      return { body: await res.text(), status: res.status };
    } catch (error) {
      // A request that hangs or drops its connection is a failure of its own, reported with its route.
      return { body: `no answer after ${Date.now() - started} ms: ${(error as Error).message}`, status: 599 };
    }
  }

  /** Bodies no route should choke on: broken JSON, wrong types for every field, huge strings, deep nesting, random JSON. */
  function hostileBodies(op: Operation, seed: number): { label: string; body: string; contentType?: string }[] {
    const fields = op.bodyProperties.length > 0 ? op.bodyProperties : ['user', 'name', 'query', 'inputs'];
    const every = (value: unknown) => JSON.stringify(Object.fromEntries(fields.map((f) => [f, value])));
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const bodies = [
      { label: 'truncated JSON', body: '{"user": "tester", "inputs": {' },
      { label: 'not JSON', body: 'user=tester&query=hi' },
      { label: 'JSON null', body: 'null' },
      { label: 'JSON array', body: '[1, 2, 3]' },
      { label: 'JSON string', body: '"hello"' },
      { label: 'JSON number', body: '42' },
      ...[123, -1.5e308, 'text', true, null, [], {}, [{}], { $ne: null }].map((v) => ({
        label: `every field ${JSON.stringify(v)}`,
        body: every(v),
      })),
      { label: 'huge strings', body: every('x'.repeat(Math.floor(900_000 / fields.length))) },
      { label: 'control characters', body: every("\u0000\u001f\ud800 <script>alert(1)</script> ' OR 1=1 --") },
      { label: 'deep nesting in a field', body: `{"${fields[0]}": ${deep(20_000)}}` },
      { label: 'deep object nesting', body: '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) },
      { label: 'JSON sent as text/plain', body: every('x'), contentType: 'text/plain' },
    ];
    const random = fc.sample(fc.dictionary(fc.constantFrom(...fields, 'extra'), fc.jsonValue({ maxDepth: 4 })), { numRuns: 8, seed });
    return [
      ...bodies,
      ...random.map((value, i) => ({ label: `random #${i} ${JSON.stringify(value).slice(0, 60)}`, body: JSON.stringify(value) })),
    ];
  }

  it('fuzzed request bodies on every route get a clear 4xx (or are accepted), never a 5xx or a crash', async () => {
    const tokenFor = (op: Operation) => (op.auth === 'console' ? a.owner : op.auth === 'public' ? undefined : keyFor(op, a));
    // Routes that end the caller's session or delete its fixtures go last, so every other route is fuzzed with working credentials.
    const last = (op: Operation) => (op.path.endsWith('/logout') ? 2 : op.method === 'DELETE' ? 1 : 0);
    const targets = operations.filter((o) => o.method !== 'GET').sort((x, y) => last(x) - last(y));
    const failures: string[] = [];
    let seed = 1;
    for (const op of targets) {
      const path = fill(op.path, a);
      for (const hostile of hostileBodies(op, seed++)) {
        const res = await raw(op.method, path, tokenFor(op), hostile.body, hostile.contentType);
        let shaped = true;
        if (res.status >= 400) {
          try {
            const parsed = JSON.parse(res.body) as Record<string, unknown>;
            shaped = typeof parsed['code'] === 'string' && parsed['status'] === res.status;
          } catch {
            shaped = false;
          }
        }
        if (res.status >= 500 || !shaped)
          failures.push(`${op.method} ${op.path} (${hostile.label}): ${res.status} ${res.body.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('hostile query strings (NUL, huge, wrong types) on every read route get a clear 4xx or an answer, never a 5xx', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method === 'GET' && o.auth !== 'public')) {
      const token = op.auth === 'console' ? a.owner : keyFor(op, a);
      for (const qs of [
        '?user=a%00b',
        `?user=${'u'.repeat(10_000)}`,
        '?limit=-1&page=abc&first_id=zzz&last_id=%27%20OR%201%3D1',
        '?user[]=a&user[]=b&limit[x]=1',
        `?keyword=${'%5B'.repeat(500)}`,
      ]) {
        const res = await client.call(op.method, fill(op.path, a) + qs, { token });
        if (res.status >= 500 || (qs.includes('%00') && res.status !== 400))
          failures.push(`${op.method} ${op.path}${qs.slice(0, 40)}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('oversized bodies are refused with 413 before they reach a handler', async () => {
    const limitFor = (path: string) =>
      (path.startsWith('/console/api/apps/imports')
        ? 15
        : /^\/v1\/datasets\/[^/]+\/(document\/create[-_]by[-_]text|documents\/[^/]+\/(update[-_]by[-_]text|segments))$/.test(path)
          ? 16
          : 1) *
      1024 *
      1024;
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method === 'POST' || o.method === 'PUT' || o.method === 'PATCH')) {
      const path = fill(op.path, a);
      const body = JSON.stringify({ padding: 'x'.repeat(limitFor(path) + 1024) });
      const res = await raw(op.method, path, op.auth === 'console' ? b.owner : op.auth === 'public' ? undefined : keyFor(op, b), body);
      if (res.status !== 413 && !(res.status === 415 && /upload|by-file|by_file/.test(op.path)))
        failures.push(`${op.method} ${op.path}: ${res.status} ${res.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
  });

  it('the services are still healthy afterwards, none restarted, and the data is intact', async () => {
    for (const p of Object.values(stack.processes)) expect([p.name, p.isRunning()]).toEqual([p.name, true]);
    await expectEventually(async () => {
      for (const p of Object.values(stack.processes)) expect((await fetch(`${p.baseUrl}/ready`)).status).toBe(200);
    });
    const fresh = await client.signUp(unique('after'), { name: 'After', password: PASSWORD });
    expect((await client.call('GET', '/console/api/apps', { token: fresh.access_token })).status).toBe(200);
    const dataset = await client.call<{ id: string }>('GET', `/v1/datasets/${b.ids['datasetId']}`, { token: b.datasetKey });
    expect(dataset.body.id).toBe(b.ids['datasetId']);
    const own = await client.call<{ data: unknown[] }>('GET', `/v1/messages?user=tester&conversation_id=${b.ids['conversationId']}`, {
      token: b.chatKey,
    });
    expect(own.body.data).toHaveLength(1);
  });
});
