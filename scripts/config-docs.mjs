// `npm run docs:config`: rewrites the configuration table in README.md from the config specs
// (a unit test fails when the README and the specs disagree).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, ROOT, say } from './lib/workspace.mjs';

build();
const require = createRequire(import.meta.url);
const { renderConfigTable } = require(join(ROOT, 'dist', 'libs', 'config', 'src', 'index.js'));
const readmePath = join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const begin = '<!-- config-table:begin -->';
const end = '<!-- config-table:end -->';
const start = readme.indexOf(begin);
const stop = readme.indexOf(end);
if (start < 0 || stop < start) throw new Error(`README.md has no ${begin} … ${end} section`);
writeFileSync(readmePath, `${readme.slice(0, start + begin.length)}\n${renderConfigTable()}\n${readme.slice(stop)}`);
say('README.md configuration table updated.');
