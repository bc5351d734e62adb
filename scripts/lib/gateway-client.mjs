// A few console and Service API calls for the scripts (demo seed, benchmark), over plain HTTP.
import { stringify } from 'yaml';

export async function call(base, method, path, { body, token } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}

/**
 * Logs in, registering the account first if it does not exist; returns a console token. Registering signs in
 * at once only as the instance's first account (the local operator's, scripts/lib/local-account.mjs); any
 * later sign-up waits for a mailed code, which a script cannot read.
 */
export async function loginOrRegister(base, { email, password, name }) {
  const login = await call(base, 'POST', '/console/api/login', { body: { email, password } });
  if (login.status === 200) return login.body.access_token;
  const reg = await call(base, 'POST', '/console/api/register', { body: { email, password, name } });
  if (reg.status === 201) return reg.body.access_token;
  const why =
    reg.status === 202
      ? 'the instance already has accounts, so a verification code was mailed to that address'
      : `${reg.status} ${JSON.stringify(reg.body)}`;
  throw new Error(`could not sign in or register ${email} (${why}); sign in as the instance's first account instead (.weft/demo.json)`);
}

/** Imports a DSL, publishes it and creates an app key. */
export async function deployApp(base, token, yaml) {
  const imported = await call(base, 'POST', '/console/api/apps/imports', { token, body: { mode: 'yaml-content', yaml_content: yaml } });
  if (imported.status !== 200) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
  const appId = imported.body.app_id;
  const published = await call(base, 'POST', `/console/api/apps/${appId}/workflows/publish`, { token });
  if (published.status !== 200) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
  const key = await call(base, 'POST', `/console/api/apps/${appId}/api-keys`, { token });
  if (key.status !== 201) throw new Error(`key creation failed: ${JSON.stringify(key.body)}`);
  return { appId, key: key.body.token };
}

/**
 * A workflow app in Dify's DSL: a start node with one text input `text`, `templates` template-transform
 * nodes in a chain (each appending to the previous output), and an end node.
 */
export function templateChainDsl(name, templates) {
  const steps = [];
  let previous = ['start', 'text'];
  for (let i = 1; i <= templates; i++) {
    steps.push({
      id: `t${i}`,
      data: {
        type: 'template-transform',
        template: `{{ input }}.${i}`,
        variables: [{ variable: 'input', value_selector: previous, value_type: 'string' }],
      },
    });
    previous = [`t${i}`, 'output'];
  }
  return chainDsl(name, steps, previous);
}

/** A published-ready workflow DSL: start (one text input) → a code node in `language` returning its input changed → end. */
export function codeNodeDsl(name, language) {
  const code =
    language === 'python3'
      ? 'def main(text: str) -> dict:\n    return {"result": text.upper()}\n'
      : 'function main({ text }) { return { result: text.toUpperCase() }; }';
  const data = {
    type: 'code',
    code,
    code_language: language,
    outputs: { result: { type: 'string', children: null } },
    variables: [{ variable: 'text', value_selector: ['start', 'text'] }],
  };
  return chainDsl(name, [{ id: 'code', data }], ['code', 'result']);
}

/** start → the steps in order → end returning `result` from the selector. */
function chainDsl(name, steps, resultSelector) {
  const startVariables = [{ variable: 'text', label: 'Text', type: 'text-input', required: true, max_length: 1000, options: [] }];
  const end = { id: 'end', data: { type: 'end', outputs: [{ variable: 'result', value_selector: resultSelector, value_type: 'string' }] } };
  return chainAppDsl({ description: 'Benchmark workflow', mode: 'workflow', name, startVariables, steps: [...steps, end] });
}

/**
 * An app in Dify's DSL whose graph is a chain: a start node with `startVariables`, then `steps` (`{id, data}`) in order,
 * each joined to the one before; the last step ends the chain (an end node, or an answer node in a chatflow).
 */
export function chainAppDsl({ name, mode, description, startVariables, steps }) {
  const node = (id, data, i) => ({
    id,
    type: 'custom',
    data: { title: id, desc: '', selected: false, ...data },
    position: { x: i * 300, y: 100 },
    width: 244,
    height: 54,
  });
  const nodes = [node('start', { type: 'start', variables: startVariables }, 0)];
  steps.forEach((step, i) => nodes.push(node(step.id, step.data, i + 1)));
  const edges = nodes.slice(1).map((n, i) => ({
    id: `${nodes[i].id}-source-${n.id}-target`,
    source: nodes[i].id,
    sourceHandle: 'source',
    target: n.id,
    targetHandle: 'target',
    type: 'custom',
    data: { sourceType: nodes[i].data.type, targetType: n.data.type, isInIteration: false, isInLoop: false },
  }));
  return stringify({
    version: '0.6.0',
    kind: 'app',
    app: {
      name,
      mode,
      icon: '⚡',
      icon_type: 'emoji',
      icon_background: '#FFEAD5',
      description,
      use_icon_as_answer_icon: false,
    },
    dependencies: [],
    workflow: {
      conversation_variables: [],
      environment_variables: [],
      features: {},
      graph: { nodes, edges, viewport: { x: 0, y: 0, zoom: 1 } },
    },
  });
}

/** A chatflow (advanced-chat) app in Dify's DSL that answers every turn with `You said: <query>`, no model involved. */
export function echoChatflowDsl(name) {
  const node = (id, data, i) => ({
    id,
    type: 'custom',
    data: { title: id, desc: '', selected: false, ...data },
    position: { x: i * 300, y: 100 },
    width: 244,
    height: 54,
  });
  return stringify({
    version: '0.6.0',
    kind: 'app',
    app: {
      name,
      mode: 'advanced-chat',
      icon: '💬',
      icon_type: 'emoji',
      icon_background: '#FFEAD5',
      description: 'Benchmark chatflow',
      use_icon_as_answer_icon: false,
    },
    dependencies: [],
    workflow: {
      conversation_variables: [],
      environment_variables: [],
      features: {},
      graph: {
        nodes: [
          node('start', { type: 'start', variables: [] }, 0),
          node('answer', { type: 'answer', answer: 'You said: {{#sys.query#}}', variables: [] }, 1),
        ],
        edges: [
          {
            id: 'start-source-answer-target',
            source: 'start',
            sourceHandle: 'source',
            target: 'answer',
            targetHandle: 'target',
            type: 'custom',
            data: { sourceType: 'start', targetType: 'answer' },
          },
        ],
        viewport: { x: 0, y: 0, zoom: 1 },
      },
    },
  });
}
