import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function lint(file: string): string {
  spawnSync('npx', ['nx', 'show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' } });
  const result = spawnSync('npx', ['eslint', '--no-cache', file], { cwd: ROOT, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

describe('module boundaries', () => {
  const probe = join(ROOT, 'apps', 'orchestrator', 'src', `boundary-probe-${process.pid}.ts`);

  afterEach(() => rmSync(probe, { force: true }));

  it("forbids a service importing another service's code", () => {
    writeFileSync(probe, "import { GatewayModule } from '../../gateway/src/gateway.module';\nexport const probe = GatewayModule;\n");
    const output = lint(probe);
    expect(output).toContain('@nx/enforce-module-boundaries');
    expect(output).toMatch(/Projects cannot be imported by a relative or absolute path/);
  });

  it('allows a service to import shared libs through their alias', () => {
    writeFileSync(probe, "import { SERVICE_NAMES } from '@weft/contracts';\nexport const probe = SERVICE_NAMES;\n");
    expect(lint(probe)).not.toMatch(/error/);
  });
});
