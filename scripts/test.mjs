// `npm test`: brings up what the tests need the same way `npm start` does, then runs every check:
// type check, lint, unit, integration and end-to-end tests.
import { ensureDeployTools } from './lib/deploy-tools.mjs';
import { build, ensureDependencies, ensureInfrastructure, run, say } from './lib/workspace.mjs';

ensureDependencies();
const urls = ensureInfrastructure();
const env = { ...process.env, ...urls };
// nginx, promtool, kubectl and openssl for the deployment checks in test/deploy; Chromium for the console's browser tests.
ensureDeployTools();
build();
say('Type-checking…');
run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('npx', ['tsc', '-p', 'apps/console/tsconfig.json', '--noEmit']);
say('Linting…');
run('npx', ['eslint', '.', '--max-warnings=0']);
run('npx', ['prettier', '--check', '.']);
say('Unit and integration tests…');
run('npx', ['jest', '--selectProjects', 'unit', 'int', '--maxWorkers=2'], { env });
say('End-to-end tests…');
run('npx', ['jest', '--selectProjects', 'e2e', '--runInBand'], { env });
say('All tests passed.');
