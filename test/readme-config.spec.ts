import { renderConfigTable } from '@weft/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('README configuration table', () => {
  it('matches the config specs (run "npm run docs:config" after changing a spec)', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = /<!-- config-table:begin -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme)?.[1];
    expect(section).toBe(renderConfigTable());
  });
});
