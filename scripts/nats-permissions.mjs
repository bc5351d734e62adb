// `npm run nats:permissions`: rewrites deploy/nats/permissions.json, each service's NATS allow-lists,
// from the contract table (libs/contracts). A unit test fails when the file and the table disagree.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, ROOT, say } from './lib/workspace.mjs';

build();
const require = createRequire(import.meta.url);
const { renderBusPermissions } = require(join(ROOT, 'dist', 'libs', 'contracts', 'src', 'index.js'));
writeFileSync(join(ROOT, 'deploy', 'nats', 'permissions.json'), renderBusPermissions());
say('deploy/nats/permissions.json updated.');
