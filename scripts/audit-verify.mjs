// `npm run audit:verify [-- --workspace <id>]`: the operators' check of the audit trail's hash chain, the whole
// platform's (every workspace's records and the system's, from the retention checkpoint to the sealed head) or
// one workspace's, run by the compliance service's code with the same config it runs with (DATABASE_URL and the
// encryption keys that seal the chain). Prints the answer as JSON, as GET /v1/system/audit/verify does; exits 0
// when the chain holds, 2 when it is broken. See docs/security.md, "Audit trail verification".
import { spawnSync } from 'node:child_process';
import { build, ensureDependencies, entryPoint, ROOT } from './lib/workspace.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--no-build');
ensureDependencies();
if (!process.argv.includes('--no-build')) build();
const result = spawnSync(process.execPath, [entryPoint('compliance'), 'verify-audit', ...args], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
