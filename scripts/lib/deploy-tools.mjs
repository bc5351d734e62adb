// The tools the deployment checks in test/deploy run, all from Debian's archive:
// - nginx (`nginx -t` on deploy/compose/nginx/nginx.conf), openssl (a throw-away certificate for it)
//   and nats-server (`nats-server -t` on the Kubernetes NATS config), installed with apt-get;
// - chromium (Debian's package, /usr/bin/chromium), driven by playwright-core in the web console's browser
//   tests (test/e2e/console-ui.e2e-spec.ts) and by scripts/console-screenshots.mjs, installed with apt-get;
// - promtool and amtool, from Debian's `prometheus` and `prometheus-alertmanager` packages, and kubectl,
//   from Debian's `kubernetes-client` package (`kubectl kustomize` renders the overlays offline). They
//   are static or libc-only binaries, so their packages are downloaded and unpacked under .weft/tools/
//   rather than installed: no Prometheus or Alertmanager daemon is set up, and a kubectl already on
//   the machine (another vendor's) is left alone.
// Quick when everything is there: it checks a few files and returns without calling apt.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, fail, say } from './workspace.mjs';

export const DEPLOY_TOOLS_DIR = join(ROOT, '.weft', 'tools');

/** Where each tool is once ensureDeployTools() has run; test/deploy/deploy-tools.ts reads the same paths. */
export const DEPLOY_TOOLS = {
  amtool: join(DEPLOY_TOOLS_DIR, 'prometheus-alertmanager', 'usr', 'bin', 'amtool'),
  chromium: '/usr/bin/chromium',
  kubectl: join(DEPLOY_TOOLS_DIR, 'kubernetes-client', 'usr', 'bin', 'kubectl'),
  natsServer: '/usr/sbin/nats-server',
  nginx: '/usr/sbin/nginx',
  openssl: '/usr/bin/openssl',
  promtool: join(DEPLOY_TOOLS_DIR, 'prometheus', 'usr', 'bin', 'promtool'),
};

/** Debian packages unpacked (not installed) under .weft/tools/<package>. */
const UNPACKED = [
  { pkg: 'kubernetes-client', binary: DEPLOY_TOOLS.kubectl },
  { pkg: 'prometheus', binary: DEPLOY_TOOLS.promtool },
  { pkg: 'prometheus-alertmanager', binary: DEPLOY_TOOLS.amtool },
];

/** Debian packages installed with apt-get. */
const INSTALLED = [
  { pkg: 'nginx', binary: DEPLOY_TOOLS.nginx },
  { pkg: 'openssl', binary: DEPLOY_TOOLS.openssl },
  { pkg: 'nats-server', binary: DEPLOY_TOOLS.natsServer },
  { pkg: 'chromium', binary: DEPLOY_TOOLS.chromium },
];

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function sh(command, args, opts = {}) {
  return spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    ...opts,
  });
}

function mustRun(command, args, opts = {}) {
  const result = sh(command, args, opts);
  if (result.status !== 0) {
    fail(
      `"${command} ${args.join(' ')}" failed${result.status === null ? ` (${result.signal})` : ` with exit code ${result.status}`}:\n${(result.stderr || result.stdout || '').slice(-2000)}`,
    );
  }
  return result;
}

/** Installs or unpacks whatever of nginx, openssl, nats-server, chromium, promtool, amtool and kubectl is missing. */
export function ensureDeployTools() {
  const missingInstalled = INSTALLED.filter((t) => !existsSync(t.binary));
  const missingUnpacked = UNPACKED.filter((t) => !existsSync(t.binary));
  if (missingInstalled.length === 0 && missingUnpacked.length === 0) return DEPLOY_TOOLS;

  const names = [...missingInstalled, ...missingUnpacked].map((t) => t.pkg).join(', ');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail(
      `The deployment checks need Debian packages that are missing (${names}); run as root, or install them with apt-get (unpack kubernetes-client and prometheus under ${DEPLOY_TOOLS_DIR}/<package>).`,
    );
  }
  if (sh('apt-get', ['--version']).status !== 0)
    fail(`The deployment checks need ${names} from Debian's archive, and apt-get is not available.`);
  say(`Installing the deployment check tools (${names})…`);
  mustRun('apt-get', ['update', '-qq']);

  if (missingInstalled.length > 0) {
    // Debian's nginx (port 80) and nats-server start their daemons from the package scripts; policy-rc.d forbids that
    // for this install only. A policy the machine already has is left as it is.
    const ownPolicy = !existsSync(POLICY_RC_D);
    if (ownPolicy)
      writeFileSync(
        POLICY_RC_D,
        '#!/bin/sh\n# Written by weft scripts/lib/deploy-tools.mjs during an install; removed after it.\nexit 101\n',
        { mode: 0o755 },
      );
    try {
      mustRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missingInstalled.map((t) => t.pkg)]);
    } finally {
      if (ownPolicy) unlinkSync(POLICY_RC_D);
    }
  }

  for (const { pkg, binary } of missingUnpacked) {
    const target = join(DEPLOY_TOOLS_DIR, pkg);
    const downloads = join(DEPLOY_TOOLS_DIR, `.download-${pkg}`);
    rmSync(downloads, { recursive: true, force: true });
    mkdirSync(downloads, { recursive: true });
    // apt's sandbox user cannot write into the project's folder; the download itself is Debian's archive as usual.
    mustRun('apt-get', ['download', '-o', 'APT::Sandbox::User=root', pkg], { cwd: downloads });
    const deb = readdirSync(downloads).find((f) => f.endsWith('.deb'));
    if (!deb) fail(`apt-get download ${pkg} left no .deb file`);
    rmSync(target, { recursive: true, force: true });
    mustRun('dpkg-deb', ['-x', join(downloads, deb), target]);
    rmSync(downloads, { recursive: true, force: true });
    if (!existsSync(binary)) fail(`${pkg} was unpacked but ${binary} is not there`);
  }

  for (const tool of [...INSTALLED, ...UNPACKED]) {
    if (!existsSync(tool.binary)) fail(`${tool.pkg} is still missing after installing it (${tool.binary})`);
  }
  say('Deployment check tools ready.');
  return DEPLOY_TOOLS;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDeployTools();
