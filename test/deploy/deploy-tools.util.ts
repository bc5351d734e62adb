import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

const TOOLS_DIR = join(ROOT, '.weft', 'tools');

/** The same paths as scripts/lib/deploy-tools.mjs, which installs them (npm test runs it first). */
export const DEPLOY_TOOLS = {
  amtool: join(TOOLS_DIR, 'prometheus-alertmanager', 'usr', 'bin', 'amtool'),
  kubectl: join(TOOLS_DIR, 'kubernetes-client', 'usr', 'bin', 'kubectl'),
  natsServer: '/usr/sbin/nats-server',
  nginx: '/usr/sbin/nginx',
  openssl: '/usr/bin/openssl',
  promtool: join(TOOLS_DIR, 'prometheus', 'usr', 'bin', 'promtool'),
} as const;

export type DeployTool = keyof typeof DEPLOY_TOOLS;

/** A tool's path; fails the test with the command that installs it when it is missing. */
export function tool(name: DeployTool): string {
  const path = DEPLOY_TOOLS[name];
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run "npm run deploy:tools" (npm test does) to install the deployment check tools`);
  }
  return path;
}

export interface CommandResult {
  status: number | null;
  output: string;
}

/**
 * Runs a command to completion and returns its exit status with stdout and stderr together. Output goes
 * through a file, not Node's stdio sockets: nginx opens /dev/stderr, which a socket cannot back.
 */
export function runTool(command: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CommandResult {
  const dir = mkdtempSync(join(tmpdir(), 'weft-tool-'));
  const file = join(dir, 'output');
  const fd = openSync(file, 'w');
  try {
    const result = spawnSync(command, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
      timeout: 60_000,
    });
    closeSync(fd);
    return { output: `${readFileSync(file, 'utf8')}${result.error ? String(result.error) : ''}`, status: result.status };
  } finally {
    rmSync(dir, { force: true, recursive: true });
  }
}
