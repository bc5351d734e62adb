// `npm run migrate`: applies every service's migrations (each under its own advisory lock).
import { build, ensureDependencies, entryPoint, run, say, SERVICES } from './lib/workspace.mjs';

ensureDependencies();
build();
for (const service of SERVICES) {
  say(`Migrating ${service}…`);
  run(process.execPath, [entryPoint(service), 'migrate']);
}
