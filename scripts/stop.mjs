// `npm stop`: asks a running `npm start` to stop everything it started; without one, stops the
// infrastructure that scripts/infra started.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, say, stopInfrastructure } from './lib/workspace.mjs';

const pidFile = join(ROOT, '.weft', 'run', 'start.pid');
let pid;
try {
  pid = Number(readFileSync(pidFile, 'utf8'));
  process.kill(pid, 0);
} catch {
  pid = undefined;
}
if (pid) {
  say(`Stopping Weft (process ${pid})…`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      say('Stopped.');
      process.exit(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`Process ${pid} is still running after 30 s`);
  process.exit(1);
} else {
  say('No running "npm start" found; stopping the infrastructure scripts/infra started, if any.');
  stopInfrastructure();
}
