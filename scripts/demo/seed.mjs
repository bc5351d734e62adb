// The demo `npm start` seeds: an account, its workspace and a published workflow app with an app key,
// so a newcomer can run a workflow at once. It answers with the built-in `weft-mock` model unless
// OPENAI_API_KEY is set, in which case the workspace gets those credentials and the app uses OpenAI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, deployApp, loginOrRegister } from '../lib/gateway-client.mjs';
import { localAccount, readLocalState, writeLocalState } from '../lib/local-account.mjs';
import { ROOT } from '../lib/workspace.mjs';

/** Seeds the demo once (kept in .weft/demo.json and re-used while its key still works); returns what to print. */
export async function seedDemo(gateway) {
  const previous = readLocalState();
  if (previous?.key && (await call(gateway, 'GET', '/v1/info', { token: previous.key })).status === 200) return previous;
  // The instance's first account: it signs itself up without mail (later ones need mail or an invitation).
  const account = localAccount();
  const token = await loginOrRegister(gateway, account);
  let yaml = readFileSync(join(ROOT, 'scripts', 'demo', 'demo-app.yml'), 'utf8');
  const openAiKey = process.env.OPENAI_API_KEY;
  if (openAiKey) {
    const saved = await call(gateway, 'PUT', '/console/api/workspaces/current/model-providers/openai', {
      token,
      body: { credentials: { openai_api_key: openAiKey } },
    });
    if (saved.status !== 200) throw new Error(`could not store the OpenAI credentials: ${JSON.stringify(saved.body)}`);
    yaml = yaml.replace('provider: weft-mock', 'provider: langgenius/openai/openai').replace('name: weft-mock-chat', 'name: gpt-4o-mini');
  }
  const { appId, key } = await deployApp(gateway, token, yaml);
  const state = { ...account, appId, key, model: openAiKey ? 'openai gpt-4o-mini' : 'weft-mock' };
  writeLocalState(state);
  return state;
}
