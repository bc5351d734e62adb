import { SERVICE_CONFIG_SPECS } from '@weft/config';
import { SERVICE_NAMES } from '@weft/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runTool } from './deploy-tools.util';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i]!)) continue;
      line = `${line.replace(/\\\s*$/, ' ')}${lines[i]!.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(line);
    if (m) instructions.push({ args: m[2]!.trim(), keyword: m[1]!.toUpperCase(), line: start + 1 });
  }
  return instructions;
}

/** The structural lint the issue asks for (hadolint is not in Debian): each finding names its line. */
function lintDockerfile(text: string): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  if (froms.length < 2) problems.push('expected a multi-stage build (a build stage and a runtime stage)');
  const stages = new Set<string>();
  for (const from of froms) {
    const [image, as, stage] = from.args.split(/\s+/);
    if (stages.has(image!)) continue;
    // A base image is pinned by a version tag (not latest) or a digest.
    if (!/@sha256:[a-f0-9]{64}$/.test(image!) && !/:[^:/@]*\d[^:/@]*$/.test(image!))
      problems.push(`line ${from.line}: base image "${image}" is not pinned to a version tag or digest`);
    if (/:latest$/.test(image!)) problems.push(`line ${from.line}: base image "${image}" uses latest`);
    if (as?.toUpperCase() === 'AS' && stage) stages.add(stage);
  }
  const runtime = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]!));
  const users = runtime.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1];
  if (!user) problems.push('the runtime stage never sets USER: it would run as root');
  else if (/^(root|0)(:|$)/.test(user.args)) problems.push(`line ${user.line}: USER ${user.args} is root`);
  else if (!/^\d+(:\d+)?$/.test(user.args))
    problems.push(`line ${user.line}: USER should be numeric so Kubernetes can verify runAsNonRoot`);
  const healthchecks = runtime.filter((i) => i.keyword === 'HEALTHCHECK');
  if (healthchecks.length !== 1 || /^NONE$/i.test(healthchecks[0]!.args)) problems.push('the runtime stage needs one HEALTHCHECK');
  if (runtime.some((i) => i.keyword === 'ADD' && /https?:\/\//.test(i.args)))
    problems.push('ADD from a URL: download in a build stage with a checksum instead');
  if (instructions.some((i) => i.keyword === 'RUN' && /apt-get install(?![^&;]*--no-install-recommends)/.test(i.args)))
    problems.push('apt-get install without --no-install-recommends');
  for (const i of instructions.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG')) {
    if (/(PASSWORD|SECRET|TOKEN)[A-Z_]*=/.test(i.args)) problems.push(`line ${i.line}: a secret in ${i.keyword}`);
  }
  if (!instructions.some((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD')) problems.push('no ENTRYPOINT or CMD');
  return problems;
}

const DOCKER_DIR = join(ROOT, 'docker');

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(DOCKER_DIR, 'Dockerfile'), 'utf8');

  it('passes the structural lint: multi-stage, pinned bases, numeric non-root USER, HEALTHCHECK', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('the lint catches what it is for', () => {
    expect(lintDockerfile('FROM node:latest\nRUN npm ci\nCMD ["node"]\n')).toEqual([
      'expected a multi-stage build (a build stage and a runtime stage)',
      'line 1: base image "node:latest" is not pinned to a version tag or digest',
      'line 1: base image "node:latest" uses latest',
      'the runtime stage never sets USER: it would run as root',
      'the runtime stage needs one HEALTHCHECK',
    ]);
    expect(
      lintDockerfile(
        'FROM node:20 AS build\nFROM node@sha256:' + 'a'.repeat(64) + '\nUSER root\nHEALTHCHECK CMD true\nENV API_TOKEN=x\nCMD ["x"]\n',
      ),
    ).toEqual(['line 3: USER root is root', 'line 5: a secret in ENV']);
  });

  it('checks /health on the port of the service SERVICE names, for every service', () => {
    const healthcheck = readFileSync(join(DOCKER_DIR, 'healthcheck.cjs'), 'utf8');
    for (const service of SERVICE_NAMES) {
      const { env, default: port } = SERVICE_CONFIG_SPECS[service].http.port;
      expect(healthcheck).toContain(`${/^[a-z]+$/.test(service) ? service : `'${service}'`}: ['${env}', ${port}]`);
    }
    expect(healthcheck).toContain('/health');
    expect(dockerfile).toMatch(/HEALTHCHECK [^\n]*\\\n\s*CMD \["node", "\/app\/docker\/healthcheck\.cjs"\]/);
  });

  it('starts exactly the five services, with their runtime flags, through a POSIX entrypoint', () => {
    const entrypoint = readFileSync(join(DOCKER_DIR, 'entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain(`${[...SERVICE_NAMES].join('|')})`);
    expect(entrypoint).toMatch(/NODE_RUNTIME_FLAGS\[process\.env\.SERVICE\]/);
    expect(entrypoint).toMatch(/^exec node \$flags "\/app\/dist\/apps\/\$SERVICE\/src\/main\.js" "\$@"$/m);
    expect(runTool('sh', ['-n', join(DOCKER_DIR, 'entrypoint.sh')]).status).toBe(0);
    const unknown = runTool('sh', [join(DOCKER_DIR, 'entrypoint.sh')], { env: { SERVICE: 'nope' } });
    expect([unknown.status, unknown.output]).toEqual([64, expect.stringContaining('SERVICE must be one of')]);
  });

  it('keeps the build context small and free of local state (.dockerignore)', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.weft', '.git', '.env']) expect(ignored).toContain(entry);
    for (const needed of ['apps', 'libs', 'docker', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
  });
});
