import { renderBusPermissions } from '@weft/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('deploy/nats/permissions.json', () => {
  it('matches the contract table (run "npm run nats:permissions" after changing a contract)', () => {
    expect(readFileSync(join(__dirname, '..', 'deploy', 'nats', 'permissions.json'), 'utf8')).toBe(renderBusPermissions());
  });
});
