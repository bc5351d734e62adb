// `node scripts/console-screenshots.mjs`: screenshots of the web console's main pages (apps, runs, a run, knowledge,
// audit trail, system) into docs/console/, taken by the console's browser test (test/e2e/console-ui.e2e-spec.ts)
// while it drives Debian's Chromium against the five services. The README shows them.
import { join } from 'node:path';
import { ensureDeployTools } from './lib/deploy-tools.mjs';
import { build, ensureDependencies, ensureInfrastructure, ROOT, run, say } from './lib/workspace.mjs';

ensureDependencies();
const urls = ensureInfrastructure();
ensureDeployTools();
build();
const dir = join(ROOT, 'docs', 'console');
say(`Taking the console's screenshots into ${dir}…`);
run('npx', ['jest', 'test/e2e/console-ui.e2e-spec.ts', '--selectProjects', 'e2e'], {
  env: { ...process.env, ...urls, CONSOLE_SCREENSHOTS_DIR: dir },
});
say('Screenshots saved.');
