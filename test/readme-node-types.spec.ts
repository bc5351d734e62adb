import { DIFY_ONLY_NODE_TYPES, isNodeRunnerNodeType, NODE_TYPES, SUPPORTED_NODE_TYPES } from '@weft/workflow';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The README's node-type table: each Dify node type with what Weft does and where it runs. */
function readmeRows(): Map<string, { weft: string; runsIn: string }> {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = /<!-- node-types:begin -->\n([\s\S]*?)\n<!-- node-types:end -->/.exec(readme)?.[1] ?? '';
  const rows = new Map<string, { weft: string; runsIn: string }>();
  for (const line of section.split('\n').slice(2)) {
    const [types, weft, runsIn] = line
      .split('|')
      .slice(1, 4)
      .map((cell) => cell.trim());
    for (const type of types!.matchAll(/`([a-z-]+)`/g)) rows.set(type[1]!, { runsIn: runsIn!, weft: weft! });
  }
  return rows;
}

describe('README node-type table', () => {
  const rows = readmeRows();

  it('names every node type a Dify export can hold, once', () => {
    expect([...rows.keys()].sort()).toEqual([...NODE_TYPES, ...DIFY_ONLY_NODE_TYPES].sort());
  });

  it('says "yes" exactly for the types Weft runs, with the service that runs them', () => {
    for (const [type, row] of rows) {
      const supported = (SUPPORTED_NODE_TYPES as readonly string[]).includes(type);
      expect([type, row.weft === 'yes']).toEqual([type, supported]);
      if (supported) expect([type, row.runsIn]).toEqual([type, isNodeRunnerNodeType(type) ? 'node runner' : 'orchestrator']);
    }
  });
});
