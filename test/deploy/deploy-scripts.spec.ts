import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './deploy-tools.util';

// The deploy and rollback scripts' phases, against a stand-in for kubectl: a small script that keeps each
// Deployment's revision in a file, bumps the revisions a services apply changes, logs every call, and fails
// the migrations Job when told to. What is checked is the scripts' own logic: which phases run, what the
// rollout record says, and which Deployments a rollback touches (and to which revision).

const SERVICES = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'];

const FAKE_KUBECTL = `#!/usr/bin/env bash
state=$FAKE_STATE
echo "$*" >> "$state/calls"
args=" $* "
case "$args" in
  *" kustomize "*) echo "kind: List"; exit 0 ;;
  *" get secret "*) echo "secret/weft-secrets"; exit 0 ;;
  *" get statefulset "*) exit 0 ;;
  *" wait --for=condition=complete job/weft-migrate "*) [[ -f $state/migrations-fail ]] && exit 1; exit 0 ;;
  *" logs job/weft-migrate "*) echo "migration error"; exit 0 ;;
  *" get deployment "*)
    name=$(echo "$args" | sed -E 's/.* get deployment ([a-z-]+) .*/\\1/')
    [[ -f $state/rev-$name ]] && printf '%s' "$(cat "$state/rev-$name")"
    exit 0 ;;
  *" apply "*"component=service "*)
    for d in ${SERVICES.join(' ')}; do
      [[ -f $state/unchanged-$d ]] && continue
      if [[ -f $state/rev-$d ]]; then echo $(( $(cat "$state/rev-$d") + 1 )) > "$state/rev-$d"; else echo 1 > "$state/rev-$d"; fi
    done
    exit 0 ;;
  *" rollout undo "*)
    name=$(echo "$args" | sed -E 's/.* deployment\\/([a-z-]+) .*/\\1/')
    echo $(( $(cat "$state/rev-$name") + 1 )) > "$state/rev-$name"
    exit 0 ;;
  *) exit 0 ;;
esac
`;

interface Scenario {
  /** Revisions before the deploy; a service missing here has no Deployment yet. */
  revisions: Record<string, number>;
  migrationsFail?: boolean;
  /** Deployments whose pod template the new version does not change. */
  unchanged?: string[];
}

function setUp(scenario: Scenario) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-deploy-'));
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'kubectl'), FAKE_KUBECTL);
  chmodSync(join(bin, 'kubectl'), 0o755);
  writeFileSync(join(dir, 'calls'), '');
  for (const [name, revision] of Object.entries(scenario.revisions)) writeFileSync(join(dir, `rev-${name}`), `${revision}\n`);
  for (const name of scenario.unchanged ?? []) writeFileSync(join(dir, `unchanged-${name}`), '');
  if (scenario.migrationsFail) writeFileSync(join(dir, 'migrations-fail'), '');
  const env = { ...process.env, FAKE_STATE: dir, PATH: `${bin}:${process.env.PATH ?? ''}`, ROLLOUT_RECORD: join(dir, 'record') };
  const script = (name: string, args: string[]) => {
    const result = spawnSync('bash', [join(ROOT, 'deploy', 'scripts', name), ...args], { encoding: 'utf8', env });
    return { output: `${result.stdout}${result.stderr}`, status: result.status };
  };
  return {
    calls: () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'),
    cleanUp: () => rmSync(dir, { force: true, recursive: true }),
    deploy: () => script('k8s-deploy.sh', ['deploy/k8s/overlays/production', 'weft', 'ghcr.io/acme/weft:abc123']),
    record: () => readFileSync(join(dir, 'record'), 'utf8').trim().split('\n'),
    revision: (name: string) => Number(readFileSync(join(dir, `rev-${name}`), 'utf8')),
    rollback: () => script('k8s-rollback.sh', ['weft']),
  };
}

const allAt = (revision: number) => Object.fromEntries(SERVICES.map((s) => [s, revision]));

describe('deploy/scripts: deploy in phases, roll back exactly what was rolled out', () => {
  it('a failed migration stops before the services, and the rollback then changes nothing', () => {
    const env = setUp({ migrationsFail: true, revisions: allAt(3) });
    try {
      const deployed = env.deploy();
      expect(deployed.status).toBe(1);
      expect(deployed.output).toContain('Migrations failed; the services were not changed.');
      expect(env.record()).toEqual(['phase configuration', 'phase migrations']);
      expect(env.calls().some((c) => c.includes('component=service'))).toBe(false);

      const rolledBack = env.rollback();
      expect(rolledBack.status).toBe(0);
      expect(rolledBack.output).toContain('stopped at migrations before changing the services: nothing to roll back');
      expect(env.calls().some((c) => c.includes('rollout undo'))).toBe(false);
      for (const service of SERVICES) expect(env.revision(service)).toBe(3);
    } finally {
      env.cleanUp();
    }
  });

  it('runs configuration, migrations and services in that order, and a rollback returns each service to the revision it had', () => {
    const env = setUp({ revisions: allAt(3) });
    try {
      const deployed = env.deploy();
      expect(deployed.status).toBe(0);
      const calls = env.calls();
      const at = (fragment: string) => calls.findIndex((c) => c.includes(fragment));
      expect(at('component!=service,app.kubernetes.io/component!=migrations')).toBeGreaterThan(-1);
      expect(at('delete job weft-migrate')).toBeGreaterThan(at('component!=service'));
      expect(at('job/weft-migrate --timeout')).toBeGreaterThan(at('component=migrations'));
      expect(at('apply -f')).toBeLessThan(at('component=migrations'));
      expect(calls.findIndex((c) => c.endsWith('-l app.kubernetes.io/component=service'))).toBeGreaterThan(
        at('job/weft-migrate --timeout'),
      );
      expect(env.record()).toEqual([
        'phase configuration',
        'phase migrations',
        ...SERVICES.map((s) => `before ${s} 3`),
        'phase services',
        'phase done',
      ]);
      for (const service of SERVICES) expect(env.revision(service)).toBe(4);

      expect(env.rollback().status).toBe(0);
      const undos = env.calls().filter((c) => c.includes('rollout undo'));
      expect(undos).toEqual(SERVICES.map((s) => `-n weft rollout undo deployment/${s} --to-revision=3`));
    } finally {
      env.cleanUp();
    }
  });

  it('leaves alone a service the deploy did not change and one it created', () => {
    const revisions = allAt(7);
    delete revisions['rag'];
    const env = setUp({ revisions, unchanged: ['compliance'] });
    try {
      expect(env.deploy().status).toBe(0);
      expect(env.record()).toContain('before rag 0');
      const rolledBack = env.rollback();
      expect(rolledBack.status).toBe(0);
      expect(rolledBack.output).toContain('deployment/rag: created by this deploy');
      expect(rolledBack.output).toContain('deployment/compliance: not changed by this deploy (revision 7)');
      const undone = env
        .calls()
        .filter((c) => c.includes('rollout undo'))
        .map((c) => /deployment\/([a-z-]+)/.exec(c)![1]);
      expect(undone).toEqual(['gateway', 'orchestrator', 'node-runner']);
    } finally {
      env.cleanUp();
    }
  });

  it('rolls back nothing when no deploy ran here', () => {
    const env = setUp({ revisions: allAt(2) });
    try {
      const rolledBack = env.rollback();
      expect(rolledBack.status).toBe(0);
      expect(rolledBack.output).toContain('nothing to roll back');
      expect(env.calls()).toEqual(['']);
    } finally {
      env.cleanUp();
    }
  });
});
