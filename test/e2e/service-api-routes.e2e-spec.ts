import { randomUUID } from 'node:crypto';
import { DslBuilder, ResponseContract, TestStack, WeftClient } from '@weft/testing';

/** start → answer "You said: <query>": a chatflow that needs no model, so turns are quick and certain. */
function echoChatflow(name = 'echo'): string {
  return new DslBuilder(name, 'advanced-chat')
    .node('start', 'start', { variables: [] })
    .node('answer', 'answer', { answer: 'You said: {{#sys.query#}}' })
    .chain('start', 'answer')
    .toYaml();
}

/** Issue 17: the Service API routes the official SDKs call, in Dify's shapes and with Dify's errors. */
describe('service API routes: conversations paging, feedback, info, site, end users, app feedbacks, empty JSON bodies', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;

  const chat = async (key: string, user: string, query: string, conversationId?: string) => {
    const res = await client.call('POST', '/v1/chat-messages', {
      body: { auto_generate_name: false, conversation_id: conversationId, inputs: {}, query, response_mode: 'blocking', user },
      token: key,
    });
    expect(res.status).toBe(200);
    return { conversationId: res.body['conversation_id'] as string, messageId: res.body['message_id'] as string };
  };

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('pages conversations after last_id and messages before first_id, accepting the SDK`s pinned parameter', async () => {
    const app = await client.deploy(token, echoChatflow());
    const ids: string[] = [];
    for (const q of ['one', 'two', 'three']) ids.push((await chat(app.key, 'pager', q)).conversationId);

    // The official SDKs send `pinned`; Dify ignores it and lists pinned and unpinned conversations alike.
    for (const pinned of ['true', 'false']) {
      const all = await client.call('GET', `/v1/conversations?user=pager&pinned=${pinned}`, { token: app.key });
      expect(all.status).toBe(200);
      expect((all.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    }
    const first = await client.call('GET', '/v1/conversations?user=pager&limit=1&last_id=&pinned=false', { token: app.key });
    expect(first.body).toMatchObject({ has_more: true, limit: 1 });
    expect((first.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[2]]);
    const next = await client.call('GET', `/v1/conversations?user=pager&limit=1&last_id=${ids[2]}`, { token: app.key });
    expect((next.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[1]]);
    const last = await client.call('GET', `/v1/conversations?user=pager&limit=5&last_id=${ids[1]}`, { token: app.key });
    expect(last.body).toMatchObject({ has_more: false, limit: 5 });
    expect((last.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[0]]);
    // Another user's conversation is no page mark for this one.
    const stranger = (await chat(app.key, 'stranger', 'hi')).conversationId;
    expect((await client.call('GET', `/v1/conversations?user=pager&last_id=${stranger}`, { token: app.key })).body).toMatchObject({
      code: 'not_found',
      message: 'Last Conversation Not Exists.',
      status: 404,
    });
    expect((await client.call('GET', '/v1/conversations?user=pager&limit=abc', { token: app.key })).body).toMatchObject({
      code: 'invalid_param',
      status: 400,
    });
    expect((await client.call('GET', '/v1/conversations?pinned=true', { token: app.key })).body).toMatchObject({
      code: 'invalid_param',
      status: 400,
    });

    // Messages: the latest page first, then older ones before first_id (an empty first_id is the latest page).
    const conversationId = ids[0]!;
    const turns = [
      (await chat(app.key, 'pager', 'again', conversationId)).messageId,
      (await chat(app.key, 'pager', 'more', conversationId)).messageId,
    ];
    const latest = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=pager&limit=2&first_id=`, {
      token: app.key,
    });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ has_more: true, limit: 2 });
    expect((latest.body['data'] as { id: string }[]).map((m) => m.id)).toEqual(turns);
    const older = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=pager&limit=2&first_id=${turns[0]}`, {
      token: app.key,
    });
    expect(older.body).toMatchObject({ has_more: false });
    expect((older.body['data'] as { query: string }[]).map((m) => m.query)).toEqual(['one']);
    expect(
      (await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=pager&first_id=${randomUUID()}`, { token: app.key }))
        .body,
    ).toMatchObject({ code: 'not_found', message: 'First Message Not Exists.', status: 404 });
    // Another app's key does not reach this conversation.
    const other = await client.deploy(token, echoChatflow('other'));
    expect(
      (await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=pager`, { token: other.key })).body,
    ).toMatchObject({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });
  });

  it('takes message feedback as the SDK types allow and answers {result: "success"}, clearing with null', async () => {
    const app = await client.deploy(token, echoChatflow());
    const { conversationId, messageId } = await chat(app.key, 'rater', 'rate me');
    const feedback = (body: unknown, key = app.key, id = messageId) =>
      client.call('POST', `/v1/messages/${id}/feedbacks`, { body, token: key });
    const rating = async () =>
      (
        (await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=rater`, { token: app.key })).body['data'] as {
          feedback: unknown;
        }[]
      )[0]!.feedback;

    // Taking back feedback that was never given is refused, as Dify refuses it.
    expect((await feedback({ rating: null, user: 'rater' })).body).toEqual({
      code: 'invalid_param',
      message: 'rating cannot be None when feedback not exists',
      status: 400,
    });
    const liked = await feedback({ content: 'Spot on', rating: 'like', user: 'rater' });
    expect(liked.status).toBe(200);
    expect(liked.body).toEqual({ result: 'success' });
    expect(await rating()).toEqual({ rating: 'like' });
    expect((await feedback({ content: null, rating: 'dislike', user: 'rater' })).body).toEqual({ result: 'success' });
    expect(await rating()).toEqual({ rating: 'dislike' });
    expect((await feedback({ rating: null, user: 'rater' })).body).toEqual({ result: 'success' });
    expect(await rating()).toBeNull();

    for (const bad of [
      { rating: 'meh', user: 'rater' },
      { rating: 1, user: 'rater' },
      { content: 42, rating: 'like', user: 'rater' },
      { rating: 'like' },
    ])
      expect((await feedback(bad)).body).toMatchObject({ code: 'invalid_param', status: 400 });
    // Another end user, another app's key, an unknown or malformed id: the message does not exist for them.
    const notFound = { code: 'not_found', message: 'Message Not Exists.', status: 404 };
    expect((await feedback({ rating: 'like', user: 'someone-else' })).body).toEqual(notFound);
    const other = await client.deploy(token, echoChatflow('other'));
    expect((await feedback({ rating: 'like', user: 'rater' }, other.key)).body).toEqual(notFound);
    expect((await feedback({ rating: 'like', user: 'rater' }, app.key, randomUUID())).body).toEqual(notFound);
    expect((await feedback({ rating: 'like', user: 'rater' }, app.key, 'not-a-uuid')).status).toBe(404);
  });

  it('tells the app`s author and tags in /v1/info and its WebApp settings in /v1/site', async () => {
    const author = await client.signUp(undefined, { name: 'Grace Hopper' });
    const app = await client.deploy(author.access_token, echoChatflow('Teller'));
    const info = await client.call('GET', '/v1/info', { token: app.key });
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ author_name: 'Grace Hopper', description: '', mode: 'advanced-chat', name: 'Teller', tags: [] });
    const site = await client.call('GET', '/v1/site', { token: app.key });
    expect(site.status).toBe(200);
    expect(site.body).toEqual({
      chat_color_theme: null,
      chat_color_theme_inverted: false,
      copyright: null,
      custom_disclaimer: '',
      default_language: 'en-US',
      description: '',
      icon: '🤖',
      icon_background: '#FFEAD5',
      icon_type: 'emoji',
      icon_url: null,
      privacy_policy: null,
      show_workflow_steps: true,
      title: 'Teller',
      use_icon_as_answer_icon: false,
    });
    for (const path of ['/v1/info', '/v1/site']) {
      expect((await client.call('GET', path)).status).toBe(401);
      expect((await client.call('GET', path, { token: 'app-not-a-real-key' })).status).toBe(401);
    }
  });

  it('answers an end user of the key`s app in Dify`s shape, and 404 for another app`s end user', async () => {
    const app = await client.deploy(token, echoChatflow());
    // Uploading a file is one way a client learns an end user's id (`created_by`).
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    form.append('user', 'end-user-7');
    const uploaded = await fetch(`${stack.gateway.baseUrl}/v1/files/upload`, {
      body: form,
      headers: { authorization: `Bearer ${app.key}` },
      method: 'POST',
    });
    expect(uploaded.status).toBe(201);
    const endUserId = ((await uploaded.json()) as { created_by: string }).created_by;

    const found = await client.call('GET', `/v1/end-users/${endUserId}`, { token: app.key });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      app_id: app.appId,
      external_user_id: 'end-user-7',
      id: endUserId,
      is_anonymous: false,
      name: null,
      session_id: 'end-user-7',
      type: 'service_api',
    });
    expect(found.body['created_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(found.body['updated_at']).toBe(found.body['created_at']);
    expect(typeof found.body['tenant_id']).toBe('string');

    const notFound = { code: 'end_user_not_found', message: 'End user not found.', status: 404 };
    const other = await client.deploy(token, echoChatflow('other'));
    expect((await client.call('GET', `/v1/end-users/${endUserId}`, { token: other.key })).body).toEqual(notFound);
    const stranger = await client.deploy(await client.register(), echoChatflow('stranger'));
    expect((await client.call('GET', `/v1/end-users/${endUserId}`, { token: stranger.key })).body).toEqual(notFound);
    expect((await client.call('GET', `/v1/end-users/${randomUUID()}`, { token: app.key })).body).toEqual(notFound);
    expect((await client.call('GET', '/v1/end-users/not-a-uuid', { token: app.key })).body).toMatchObject({
      code: 'not_found',
      status: 404,
    });
    expect((await client.call('GET', `/v1/end-users/${endUserId}`)).status).toBe(401);
  });

  it('lists the app`s message feedbacks newest first, a page at a time, and no other app`s', async () => {
    const app = await client.deploy(token, echoChatflow());
    const rated: { content: string | null; messageId: string; rating: string; user: string }[] = [];
    for (const [user, rating, content] of [
      ['fan', 'like', 'Great'],
      ['critic', 'dislike', null],
      ['fan', 'dislike', 'Changed my mind'],
    ] as const) {
      const { messageId } = await chat(app.key, user, `question from ${user}`);
      const res = await client.call('POST', `/v1/messages/${messageId}/feedbacks`, { body: { content, rating, user }, token: app.key });
      expect(res.body).toEqual({ result: 'success' });
      rated.push({ content, messageId, rating, user });
    }
    // A message rated and then un-rated is not listed.
    const { messageId: undone } = await chat(app.key, 'fan', 'never mind');
    await client.call('POST', `/v1/messages/${undone}/feedbacks`, { body: { rating: 'like', user: 'fan' }, token: app.key });
    await client.call('POST', `/v1/messages/${undone}/feedbacks`, { body: { rating: null, user: 'fan' }, token: app.key });

    const all = await client.call<{ data: Record<string, unknown>[] }>('GET', '/v1/app/feedbacks', { token: app.key });
    expect(all.status).toBe(200);
    expect(Object.keys(all.body)).toEqual(['data']);
    expect(all.body.data.map((f) => f['message_id'])).toEqual(rated.map((r) => r.messageId).reverse());
    const newest = all.body.data[0]!;
    expect(newest).toMatchObject({
      app_id: app.appId,
      content: 'Changed my mind',
      from_account_id: null,
      from_source: 'user',
      id: rated[2]!.messageId,
      rating: 'dislike',
    });
    expect(typeof newest['conversation_id']).toBe('string');
    expect(typeof newest['from_end_user_id']).toBe('string');
    expect(newest['created_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/);
    expect(all.body.data[1]).toMatchObject({ content: null, rating: 'dislike' });
    expect(all.body.data[0]!['from_end_user_id']).toBe(all.body.data[2]!['from_end_user_id']);
    expect(all.body.data[0]!['from_end_user_id']).not.toBe(all.body.data[1]!['from_end_user_id']);

    const page2 = await client.call<{ data: { message_id: string }[] }>('GET', '/v1/app/feedbacks?page=2&limit=2', { token: app.key });
    expect(page2.body.data.map((f) => f.message_id)).toEqual([rated[0]!.messageId]);
    expect((await client.call('GET', '/v1/app/feedbacks?page=3&limit=2', { token: app.key })).body).toEqual({ data: [] });
    expect((await client.call('GET', '/v1/app/feedbacks?limit=101', { token: app.key })).status).toBe(200);
    for (const bad of ['page=0', 'page=abc', 'limit=0', 'limit=102', 'limit=1.5'])
      expect((await client.call('GET', `/v1/app/feedbacks?${bad}`, { token: app.key })).body).toMatchObject({
        code: 'invalid_param',
        status: 400,
      });

    const other = await client.deploy(token, echoChatflow('other'));
    expect((await client.call('GET', '/v1/app/feedbacks', { token: other.key })).body).toEqual({ data: [] });
    expect((await client.call('GET', '/v1/app/feedbacks')).status).toBe(401);
  });

  it('reads an empty or whitespace body sent as application/json as no body, on every route', async () => {
    /** Sends `body` verbatim with a JSON content type, as the official SDK does, and checks a success against the API document. */
    const send = async (method: string, path: string, auth: string, body: string) => {
      const res = await fetch(`${stack.gateway.baseUrl}${path}`, {
        body,
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        method,
      });
      const text = await res.text();
      const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const violation = (await ResponseContract.for(stack.gateway.baseUrl))?.violation(
        method,
        res.url,
        res.status,
        res.headers.get('content-type'),
        parsed,
      );
      expect(violation ?? null).toBeNull();
      return { body: parsed, status: res.status };
    };
    const app = await client.deploy(token, echoChatflow());
    const datasetKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token })).body.token;
    const { messageId } = await chat(app.key, 'blank', 'hello');

    for (const blank of ['', ' ', '\r\n', '\t \n']) {
      // Routes that take no body answer as if none had been sent.
      const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
        body: { name: `blank ${randomUUID().slice(0, 8)}` },
        token: datasetKey,
      });
      expect(dataset.status).toBe(200);
      const builtIn = await send('POST', `/v1/datasets/${dataset.body.id}/metadata/built-in/enable`, datasetKey, blank);
      expect(builtIn).toEqual({ body: { result: 'success' }, status: 200 });
      expect((await send('DELETE', `/v1/datasets/${dataset.body.id}`, datasetKey, blank)).status).toBe(204);
      expect((await client.call('GET', `/v1/datasets/${dataset.body.id}`, { token: datasetKey })).status).toBe(404);

      const key = await send('POST', `/console/api/apps/${app.appId}/api-keys`, token, blank);
      expect(key.status).toBe(201);
      const keys = await client.call<{ data: { id: string }[] }>('GET', `/console/api/apps/${app.appId}/api-keys`, { token });
      const keyId = keys.body.data.find((k) => k.id === key.body['id'])?.id;
      expect(keyId).toBeDefined();
      expect((await send('DELETE', `/console/api/apps/${app.appId}/api-keys/${keyId}`, token, blank)).status).toBe(204);
      expect((await send('POST', `/console/api/apps/${app.appId}/workflows/publish`, token, blank)).status).toBe(200);

      // Routes that need a body say what is missing (invalid_param), not that the JSON is malformed (bad_request).
      expect(await send('POST', `/v1/messages/${messageId}/feedbacks`, app.key, blank)).toEqual({
        body: { code: 'invalid_param', message: 'user: Arg user must be provided.', status: 400 },
        status: 400,
      });
      expect((await send('POST', `/v1/chat-messages/${randomUUID()}/stop`, app.key, blank)).body).toMatchObject({
        code: 'invalid_param',
        status: 400,
      });
      expect((await send('DELETE', `/v1/conversations/${randomUUID()}`, app.key, blank)).body).toMatchObject({
        code: 'invalid_param',
        status: 400,
      });
      expect((await send('POST', '/v1/datasets', datasetKey, blank)).body).toEqual({
        code: 'invalid_param',
        message: 'The request body must be a JSON object.',
        status: 400,
      });
    }
    // A body that is not blank is still parsed, and refused when it is not JSON.
    expect((await send('POST', `/v1/messages/${messageId}/feedbacks`, app.key, ' {"user": ')).body).toMatchObject({
      code: 'bad_request',
      message: 'The request body is not valid JSON.',
      status: 400,
    });
    expect((await send('POST', `/v1/messages/${messageId}/feedbacks`, app.key, ' {"rating": "like", "user": "blank"} ')).body).toEqual({
      result: 'success',
    });
  });
});
