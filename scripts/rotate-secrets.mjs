// `npm run secrets:rotate`: re-seals every secret stored at rest (provider credentials in the gateway's
// schema, secret environment values and http-request API keys in the orchestrator's, and the seals of the
// audit chain in the compliance service's) under the current encryption key, ENCRYPTION_CURRENT_KEY_ID (or
// the last key of ENCRYPTION_KEYS). Each service does its own schema with the same config it runs with;
// running it again re-seals nothing. See docs/operations.md.
import { build, ensureDependencies, entryPoint, run, say } from './lib/workspace.mjs';

const SERVICES_WITH_SECRETS = ['gateway', 'orchestrator', 'compliance'];

ensureDependencies();
if (!process.argv.includes('--no-build')) build();
for (const service of SERVICES_WITH_SECRETS) {
  say(`Re-sealing the secrets of ${service}…`);
  run(process.execPath, [entryPoint(service), 'rotate-secrets']);
}
say('Every stored secret is sealed under the current key; keys no longer listed in a value can be removed.');
