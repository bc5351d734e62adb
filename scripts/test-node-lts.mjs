// `npm run test:node-lts`: the unit and integration tests, and the end-to-end specs that lean on the runtime
// most (the code sandbox, the workflow runtime, the smoke run), on the current Node.js LTS: the version the
// image ships (`config.nodeLts` in package.json, the same as docker/Dockerfile's base). `npm test` runs
// everything on the machine's own Node; CI (.ci/run, .github/workflows/ci.yml) runs both. The LTS binary comes
// from npm's `node` package, installed under .weft/node-lts; the test stacks it starts run on it too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureDependencies, ensureInfrastructure, readJson, ROOT, run, say } from './lib/workspace.mjs';

const version = readJson(join(ROOT, 'package.json')).config.nodeLts;
const prefix = join(ROOT, '.weft', 'node-lts');
const binDir = join(prefix, 'node_modules', 'node', 'bin');
const node = join(binDir, 'node');

function installedVersion() {
  if (!existsSync(node)) return null;
  return run(node, ['--version'], { allowFailure: true, capture: true }).stdout?.trim() ?? null;
}

ensureDependencies();
if (installedVersion() !== `v${version}`) {
  say(`Installing Node.js ${version} from npm's "node" package into .weft/node-lts…`);
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `node@${version}`]);
  if (installedVersion() !== `v${version}`) throw new Error(`.weft/node-lts holds ${installedVersion() ?? 'no node'}, not v${version}`);
}
const urls = ensureInfrastructure();
build();
// Anything the tests start by name (`node`) or by process.execPath runs on the LTS binary.
const env = { ...process.env, ...urls, PATH: `${binDir}:${process.env.PATH ?? ''}` };
const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
say(`Unit and integration tests on Node.js ${version}…`);
run(node, [jest, '--selectProjects', 'unit', 'int', '--maxWorkers=2'], { env });
say(`End-to-end runtime specs on Node.js ${version}…`);
const specs = ['smoke', 'code-sandbox', 'workflow-runtime'].map((name) => `test/e2e/${name}.e2e-spec.ts`);
run(node, [jest, ...specs, '--selectProjects', 'e2e', '--runInBand'], { env });
say(`All tests passed on Node.js ${version}.`);
