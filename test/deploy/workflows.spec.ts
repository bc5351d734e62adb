import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './deploy-tools.util';
import { readYaml } from './manifests.util';

interface Step {
  id?: string;
  if?: string;
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown[]> };
  steps?: Step[];
  uses?: string;
  environment?: { name: string } | string;
  container?: string;
}

interface Workflow {
  jobs: Record<string, Job>;
  on: unknown;
}

function workflow(name: string): Workflow {
  return readYaml(join(ROOT, '.github', 'workflows', name))[0] as Workflow;
}

const needs = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);

describe('GitHub workflows', () => {
  it('CI lints and runs npm test on Debian 12', () => {
    const ci = workflow('ci.yml');
    const runs = Object.values(ci.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''));
    expect(runs).toContain('npm run lint');
    expect(runs).toContain('npm test');
    for (const job of Object.values(ci.jobs)) expect(job.container).toMatch(/bookworm/);
  });

  it('tests on the oldest supported Node.js and on the LTS the image ships, which engines accepts', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { config: { nodeLts: string }; engines: { node: string } };
    const lts = pkg.config.nodeLts;
    expect(lts).toMatch(/^\d+\.\d+\.\d+$/);
    const test = workflow('ci.yml').jobs['test']!;
    expect(test.container).toBe('node:${{ matrix.node }}-bookworm');
    const versions = test.strategy!.matrix!['node'] as string[];
    expect(versions).toContain(lts);
    const oldest = /^>=(\d+)\./.exec(pkg.engines.node)![1];
    expect(versions.some((v) => v.startsWith(`${oldest}.`))).toBe(true);
    // engines names a range that holds both: from the oldest, up to and including the LTS major.
    const ceiling = Number(/<(\d+)$/.exec(pkg.engines.node)![1]);
    expect(Number(lts.split('.')[0])).toBeLessThan(ceiling);
    // The image: both stages on the LTS release.
    const froms = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8').match(/^FROM \S+/gm)!;
    expect(froms).toEqual([`FROM node:${lts}-bookworm-slim`, `FROM node:${lts}-bookworm-slim`]);
    // The CI of this repository's own machine runs npm test, then the LTS leg.
    const local = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(local.indexOf('npm test')).toBeGreaterThan(-1);
    expect(local.indexOf('npm run test:node-lts')).toBeGreaterThan(local.indexOf('npm test'));
  });

  it('delivery builds one image tagged with the commit, then staging, smoke test, production, smoke test', () => {
    const deliver = workflow('deliver.yml');
    const { image, staging, production } = deliver.jobs;
    const build = image!.steps!.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'docker/Dockerfile', push: true, tags: '${{ steps.ref.outputs.ref }}' });
    expect(image!.steps!.find((s) => s.id === 'ref')!.run).toMatch(/:\$\{GITHUB_SHA\}" >> "\$GITHUB_OUTPUT"$/);
    expect(needs(image!)).toContain('ci');
    expect(needs(staging!)).toContain('image');
    expect(needs(production!)).toEqual(expect.arrayContaining(['image', 'staging']));
    for (const [job, env] of [
      [staging!, 'staging'],
      [production!, 'production'],
    ] as const) {
      expect(job.environment).toMatchObject({ name: env });
      const steps = job.steps!;
      const deploy = steps.findIndex(
        (s) => s.run?.includes('deploy/scripts/k8s-deploy.sh') && s.run.includes(`deploy/k8s/overlays/${env}`),
      );
      const smoke = steps.findIndex((s) => s.id === 'smoke' && s.run?.includes('node test/smoke/smoke.mjs'));
      const rollback = steps.findIndex((s) => s.run?.includes('deploy/scripts/k8s-rollback.sh'));
      expect([deploy >= 0, smoke > deploy, rollback > smoke]).toEqual([true, true, true]);
      // The rollback runs only when something failed, and always when the deploy or the smoke test did (the
      // rollback script itself undoes only what the deploy rolled out: test/deploy/deploy-scripts.spec.ts).
      expect(steps[rollback]!.if).toMatch(/^failure\(\) && .*steps\.smoke\.outcome == 'failure'/);
      expect(steps[rollback]!.if).toMatch(/steps\.deploy\.outcome == 'failure'/);
      expect(steps.find((s) => s.id === 'deploy')!.run).toContain('deploy/scripts/k8s-deploy.sh');
    }
  });

  it('references only files that exist', () => {
    const text = ['ci.yml', 'deliver.yml'].map((f) => readFileSync(join(ROOT, '.github', 'workflows', f), 'utf8')).join('\n');
    for (const m of text.matchAll(/((?:deploy|docker|test)\/[A-Za-z0-9_./-]+\.(?:sh|mjs|ya?ml|Dockerfile)|docker\/Dockerfile)/g)) {
      expect(() => readFileSync(join(ROOT, m[1]!))).not.toThrow();
    }
  });
});
