import { listConfigVars, SERVICE_CONFIG_SPECS } from '@weft/config';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Deployment, IDeployment } from 'kubernetes-models/apps/v1';
import { IPodSpec } from 'kubernetes-models/v1';
import { COMPOSE_DIR, ComposeService, environmentOf, rawCompose, weftServices } from './compose.util';
import { ROOT } from './deploy-tools.util';
import { byKind, find, K8S_DIR, K8sObject, Overlay, OVERLAYS, renderKustomization, renderOverlay } from './manifests.util';
import { podSecurityRestrictedViolations } from './pod-security.util';

// The node runner's code sandbox (bubblewrap, apps/node-runner/src/sandbox) needs a few relaxations of the
// container runtime's defaults; these checks hold that the node runner gets them, that they are no wider
// than the sandbox needs, and that no other service gets any.

const SECURITY_DIR = join(ROOT, 'deploy', 'security');
const SECCOMP_PROFILE = join(SECURITY_DIR, 'node-runner-seccomp.json');
const APPARMOR_PROFILE = join(SECURITY_DIR, 'node-runner.apparmor');
const SANDBOX_PATCHES = join(K8S_DIR, 'sandbox');
/** Where the Kubernetes manifests expect the seccomp profile, under the kubelet's seccomp folder on each node. */
const LOCALHOST_SECCOMP = 'weft/node-runner-seccomp.json';

/** What bubblewrap and the Python run processes need beyond the runtime default for a container without capabilities. */
const SANDBOX_CALLS = ['clone', 'mount', 'pivot_root', 'sethostname', 'umount2', 'unshare'];
/** Namespace, mount and root calls: of these the profile allows exactly SANDBOX_CALLS. */
const NAMESPACE_AND_MOUNT_CALLS = [
  ...SANDBOX_CALLS,
  ...[
    'chroot',
    'clone3',
    'fsconfig',
    'fsmount',
    'fsopen',
    'fspick',
    'mount_setattr',
    'move_mount',
    'open_tree',
    'setdomainname',
    'setns',
    'umount',
  ],
];
/** Calls the runtime default refuses a container without capabilities, which nothing in the node runner needs. */
const NEVER_ALLOWED = [
  ...[
    'acct',
    'add_key',
    'bpf',
    'delete_module',
    'finit_module',
    'init_module',
    'io_uring_setup',
    'kexec_file_load',
    'kexec_load',
    'keyctl',
    'lookup_dcookie',
  ],
  ...[
    'open_by_handle_at',
    'perf_event_open',
    'process_vm_readv',
    'process_vm_writev',
    'ptrace',
    'quotactl',
    'reboot',
    'request_key',
    'settimeofday',
    'swapon',
    'syslog',
    'userfaultfd',
  ],
];

interface SeccompRule {
  names: string[];
  action: string;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
  errnoRet?: number;
  includes?: { arches?: string[] };
  comment?: string;
}

interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet: number;
  syscalls: SeccompRule[];
}

function seccompProfile(): SeccompProfile {
  return JSON.parse(readFileSync(SECCOMP_PROFILE, 'utf8')) as SeccompProfile;
}

function allowedCalls(profile: SeccompProfile): Set<string> {
  return new Set(profile.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ALLOW').flatMap((rule) => rule.names));
}

/** The profile with `call` taken out of the sandbox's additions; clone falls back to the runtime default's (no namespace flags). */
function withoutSandboxCall(profile: SeccompProfile, call: string): SeccompProfile {
  const copy = JSON.parse(JSON.stringify(profile)) as SeccompProfile;
  for (const rule of copy.syscalls) if (rule.names.includes('unshare')) rule.names = rule.names.filter((name) => name !== call);
  const namespaceFlags = 0x7e020000;
  if (call === 'clone')
    copy.syscalls.push({
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: namespaceFlags }],
      names: ['clone'],
    });
  return copy;
}

// Loads a Docker-format profile with libseccomp (Debian's python3-seccomp), as runc does, and execs the rest.
const SECCOMP_LOADER = String.raw`
import json, os, sys
import seccomp
profile, arch = json.loads(sys.argv[1]), sys.argv[2]
ops = {"SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_LT": seccomp.LT, "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}
rules = seccomp.SyscallFilter(defaction=seccomp.ERRNO(profile["defaultErrnoRet"]))
for rule in profile["syscalls"]:
    arches = rule.get("includes", {}).get("arches")
    if arches and arch not in arches:
        continue
    if rule["action"] == "SCMP_ACT_ALLOW":
        action = seccomp.ALLOW
    elif rule["action"] == "SCMP_ACT_ERRNO":
        action = seccomp.ERRNO(rule.get("errnoRet", profile["defaultErrnoRet"]))
    else:
        raise SystemExit("unexpected action " + rule["action"])
    args = [seccomp.Arg(a["index"], ops[a["op"]], a["value"], a.get("valueTwo", 0)) for a in rule.get("args", [])]
    for name in rule["names"]:
        try:
            rules.add_rule(action, name, *args)
        except (OSError, RuntimeError, ValueError):
            pass  # a call this libseccomp or architecture does not know
rules.load()
os.execv(sys.argv[3], sys.argv[3:])
`;

// What a Python run process does inside the sandbox before it runs user code (python-zygote.util.ts, isolate).
const RUN_PROCESS_STEPS = String.raw`
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def check(result, what):
    if result != 0:
        raise OSError(ctypes.get_errno(), what)
pid = os.fork()
if pid == 0:
    uid, gid = os.getuid(), os.getgid()
    check(libc.unshare(0x10000000 | 0x00020000), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", "65534 %d 1" % uid), ("gid_map", "65534 %d 1" % gid)):
        with open("/proc/self/" + name, "w") as handle:
            handle.write(text)
    check(libc.mount(b"scratch", b"/tmp", b"tmpfs", 2 | 4, b"size=1m,mode=0700"), "mount /tmp")
    check(libc.mount(b"none", b"/proc", b"tmpfs", 1 | 2 | 4 | 8, b"size=4k,mode=0555"), "hide /proc")
    os._exit(0)
print("run process isolated" if os.waitpid(pid, 0)[1] == 0 else "run process failed", os.uname().nodename)
`;

/** bubblewrap's arguments as SandboxLauncher builds them for the Python zygote (with /proc). */
function bubblewrapArgs(): string[] {
  const args = ['--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
  args.push(
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--cap-drop',
    'ALL',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    '--ro-bind',
    '/usr',
    '/usr',
  );
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64']) {
    const path = `/${top}`;
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind', path, path);
  }
  args.push('--dev', '/dev', '--tmpfs', '/tmp', '--proc', '/proc', '--chmod', '0111', '/', '--remount-ro', '/', '--chdir', '/tmp');
  args.push('--uid', '65534', '--gid', '65534', '--hostname', 'weft-sandbox');
  return args;
}

const BWRAP = '/usr/bin/bwrap';
const PYTHON = '/usr/bin/python3';

/** Starts a sandboxed Python run process under the given container seccomp profile, as the unprivileged user the node runner uses. */
function sandboxUnder(profile: SeccompProfile): { status: number | null; output: string } {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const asUser = process.getuid?.() === 0 ? { gid: 65534, uid: 65534 } : {};
  const result = spawnSync(
    PYTHON,
    ['-I', '-c', SECCOMP_LOADER, JSON.stringify(profile), arch, BWRAP, ...bubblewrapArgs(), '--', PYTHON, '-I', '-c', RUN_PROCESS_STEPS],
    {
      ...asUser,
      cwd: '/',
      env: {},
      timeout: 20_000,
    },
  );
  return {
    output: `${result.stdout?.toString() ?? ''}${result.stderr?.toString() ?? ''}${result.error ? String(result.error) : ''}`.trim(),
    status: result.status,
  };
}

function requireSandboxTools(): void {
  const probe = spawnSync(PYTHON, ['-I', '-c', 'import seccomp'], { env: {} });
  if (!existsSync(BWRAP) || probe.status !== 0) {
    throw new Error(
      `${BWRAP} or ${PYTHON} with libseccomp is missing: apt-get install bubblewrap python3 python3-seccomp (scripts/infra/infra.sh does, as npm test runs it)`,
    );
  }
}

function podSpecOf(object: K8sObject): IPodSpec {
  return (object as unknown as IDeployment).spec!.template.spec!;
}

function workloads(objects: K8sObject[]): K8sObject[] {
  return [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet'), ...byKind(objects, 'Job')];
}

/** An overlay with one of deploy/k8s/sandbox's patches added, as its comments tell an operator to do. */
function renderWithPatch(overlay: Overlay, patch: string): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'weft-kustomize-'));
  try {
    copyFileSync(join(SANDBOX_PATCHES, patch), join(dir, patch));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `bases:\n  - ${relative(dir, join(K8S_DIR, 'overlays', overlay))}\npatchesStrategicMerge:\n  - ${patch}\n`,
    );
    return renderKustomization(dir);
  } finally {
    rmSync(dir, { force: true, recursive: true });
  }
}

/** Secret variables of any service's configuration that the node runner's own configuration does not read. */
function secretsTheNodeRunnerDoesNotRead(): string[] {
  const own = new Set(listConfigVars(SERVICE_CONFIG_SPECS['node-runner']).map(({ variable }) => variable.env));
  const secrets = Object.values(SERVICE_CONFIG_SPECS).flatMap((spec) =>
    listConfigVars(spec)
      .filter(({ variable }) => variable.secret)
      .map(({ variable }) => variable.env),
  );
  return [...new Set([...secrets, 'DATABASE_URL', 'DATABASE_READ_URLS', 'POSTGRES_PASSWORD'])].filter((name) => !own.has(name)).sort();
}

describe('the code sandbox in the deployment', () => {
  describe('seccomp profile (deploy/security/node-runner-seccomp.json)', () => {
    it('is an allow list: the runtime default plus exactly the namespace and mount calls bubblewrap needs', () => {
      const profile = seccompProfile();
      expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
      const allowed = allowedCalls(profile);
      expect(NAMESPACE_AND_MOUNT_CALLS.filter((call) => allowed.has(call)).sort()).toEqual([...SANDBOX_CALLS].sort());
      expect(NEVER_ALLOWED.filter((call) => allowed.has(call))).toEqual([]);
      // Ordinary calls of the runtime default stay in (Node.js, Python and bubblewrap use them).
      for (const call of ['read', 'openat', 'futex', 'epoll_wait', 'execve', 'prlimit64', 'seccomp', 'capset', 'prctl'])
        expect([call, allowed.has(call)]).toEqual([call, true]);
      // clone3 answers ENOSYS, as in the runtime default, so glibc falls back to clone.
      expect(profile.syscalls.find((rule) => rule.names.includes('clone3'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    });

    it('lets bubblewrap build the sandbox, and each added call is needed (libseccomp, the real bubblewrap and Python)', () => {
      requireSandboxTools();
      const profile = seccompProfile();
      const allowed = sandboxUnder(profile);
      expect([allowed.status, allowed.output]).toEqual([0, 'run process isolated weft-sandbox']);
      for (const call of SANDBOX_CALLS) {
        const refused = sandboxUnder(withoutSandboxCall(profile, call));
        expect([call, refused.status === 0, refused.output]).toEqual([call, false, expect.stringContaining('bwrap')]);
      }
    });
  });

  describe('AppArmor profile (deploy/security/node-runner.apparmor)', () => {
    it('is the runtime default with mounts allowed, under the name the Kubernetes patch asks for', () => {
      const text = readFileSync(APPARMOR_PROFILE, 'utf8');
      const rules = text.split('\n').filter((line) => !/^\s*(#(?!include)|$)/.test(line));
      expect(rules.join('\n')).toMatch(/^profile weft-node-runner flags=\(attach_disconnected,mediate_deleted\) \{$/m);
      for (const rule of ['mount,', 'remount,', 'umount,', 'pivot_root,']) expect(rules.map((line) => line.trim())).toContain(rule);
      expect(rules.filter((line) => /^\s*deny mount/.test(line))).toEqual([]);
      for (const denied of [
        'deny @{PROC}/sysrq-trigger rwklx,',
        'deny @{PROC}/kcore rwklx,',
        'deny /sys/firmware/** rwklx,',
        'deny /sys/kernel/security/** rwklx,',
      ]) {
        expect(rules.map((line) => line.trim())).toContain(denied);
      }
      const patch = readFileSync(join(SANDBOX_PATCHES, 'node-runner-apparmor.yaml'), 'utf8');
      expect(patch).toMatch(/type: Localhost\n\s+localhostProfile: weft-node-runner\n/);
    });
  });

  describe('image (docker/Dockerfile)', () => {
    it('installs bubblewrap and a full CPython with libseccomp in the runtime stage, before dropping root', () => {
      const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      const install =
        /^RUN apt-get update\s+&& apt-get install -y --no-install-recommends ([^&\n]+)&& rm -rf \/var\/lib\/apt\/lists\/\*$/m.exec(runtime);
      expect(install).not.toBeNull();
      expect(install![1]!.trim().split(/\s+/).sort()).toEqual(['bubblewrap', 'python3', 'python3-seccomp']);
      const users = [...runtime.matchAll(/^USER (.+)$/gm)];
      expect(runtime.indexOf(install![0])).toBeLessThan(users[users.length - 1]!.index);
      expect(users[users.length - 1]![1]).toBe('1000:1000');
    });
  });

  describe('Compose (deploy/compose/docker-compose.prod.yml)', () => {
    const compose = rawCompose();

    it('gives the node runner the sandbox relaxations and nothing more: its seccomp profile, no AppArmor mount denial, unmasked /proc', () => {
      const runner = compose.services['node-runner']!;
      expect([...(runner['security_opt'] as string[])].sort()).toEqual(
        ['apparmor=unconfined', 'no-new-privileges:true', 'seccomp=../security/node-runner-seccomp.json', 'systempaths=unconfined'].sort(),
      );
      const seccomp = (runner['security_opt'] as string[]).find((opt) => opt.startsWith('seccomp='))!.slice('seccomp='.length);
      // Compose reads the profile relative to the Compose file's folder and sends it to the engine.
      expect(resolve(COMPOSE_DIR, seccomp)).toBe(SECCOMP_PROFILE);
      expect(runner['user']).toBe('1000:1000');
      expect(runner['cap_drop']).toEqual(['ALL']);
      expect(runner['cap_add']).toBeUndefined();
      expect(runner['privileged']).toBeUndefined();
      expect(runner['read_only']).toBe(true);
      // The sandbox's runtime folder (payloads, the JavaScript host's packages) lives under /tmp.
      expect(runner['tmpfs']).toEqual(['/tmp']);
    });

    it('gives no other service a relaxation, a capability or privileges', () => {
      const relaxation = /^(seccomp|apparmor|systempaths|label)[=:]/;
      for (const [name, service] of Object.entries(compose.services) as Array<[string, ComposeService]>) {
        expect([name, service['privileged'], service['cap_add']]).toEqual([name, undefined, undefined]);
        if (name === 'node-runner') continue;
        expect([name, ((service['security_opt'] as string[] | undefined) ?? []).filter((opt) => relaxation.test(opt))]).toEqual([name, []]);
      }
      for (const [name, service] of weftServices(compose).filter(([n]) => n !== 'node-runner')) {
        expect([name, service['security_opt'], service['cap_drop'], service['read_only']]).toEqual([
          name,
          ['no-new-privileges:true'],
          ['ALL'],
          true,
        ]);
      }
    });

    it('gives the node runner no secret its configuration does not read', () => {
      const env = Object.keys(environmentOf(compose.services['node-runner']!));
      expect(env.filter((name) => secretsTheNodeRunnerDoesNotRead().includes(name))).toEqual([]);
      expect(compose.services['node-runner']!['secrets']).toBeUndefined();
    });
  });

  describe.each(OVERLAYS)('Kubernetes overlay %s', (overlay) => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderOverlay(overlay);
    });

    it('runs the node runner in a user namespace, with the seccomp profile and an unmasked /proc, and no capability or privilege', () => {
      const spec = podSpecOf(find(objects, 'Deployment', 'node-runner'));
      expect(spec.hostUsers).toBe(false);
      expect(spec.securityContext?.seccompProfile).toEqual({ localhostProfile: LOCALHOST_SECCOMP, type: 'Localhost' });
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(spec.runtimeClassName).toBeUndefined();
      const [container] = spec.containers;
      expect(container!.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        procMount: 'Unmasked',
        readOnlyRootFilesystem: true,
      });
      const tmp = container!.volumeMounts!.find((mount) => mount.mountPath === '/tmp')!;
      expect(spec.volumes!.find((volume) => volume.name === tmp.name)!.emptyDir).toBeDefined();
    });

    it('gives no other workload any of those relaxations', () => {
      for (const workload of workloads(objects).filter((w) => !(w.kind === 'Deployment' && w.metadata.name === 'node-runner'))) {
        const spec = podSpecOf(workload);
        const where = `${workload.kind}/${workload.metadata.name}`;
        expect([
          where,
          spec.hostUsers,
          spec.runtimeClassName,
          spec.securityContext?.seccompProfile,
          spec.securityContext?.appArmorProfile,
        ]).toEqual([where, undefined, undefined, { type: 'RuntimeDefault' }, undefined]);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers])
          expect([where, c.name, c.securityContext?.procMount]).toEqual([where, c.name, undefined]);
      }
    });

    it('stays within the namespace\'s Pod Security level "restricted", every workload', () => {
      for (const workload of workloads(objects))
        expect([workload.metadata.name, podSecurityRestrictedViolations(podSpecOf(workload))]).toEqual([workload.metadata.name, []]);
    });

    it('gives the node runner no secret its configuration does not read, and no service account token', () => {
      const spec = podSpecOf(find(objects, 'Deployment', 'node-runner'));
      const names = spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.name));
      expect(names.filter((name) => secretsTheNodeRunnerDoesNotRead().includes(name))).toEqual([]);
      expect(spec.automountServiceAccountToken).toBe(false);
      // Its own NATS NKey seed (NATS_CREDENTIALS_DIR) is the one secret volume, and no other service's.
      expect((spec.volumes ?? []).filter((volume) => volume.secret || volume.projected)).toEqual([
        { name: 'nats-credentials', secret: expect.objectContaining({ secretName: 'weft-nats-node-runner' }) },
      ]);
    });

    it.each(['node-runner-apparmor.yaml', 'node-runner-gvisor.yaml'])(
      'applies deploy/k8s/sandbox/%s as its comments say, within "restricted"',
      (patch) => {
        const patched = find(renderWithPatch(overlay, patch), 'Deployment', 'node-runner');
        expect(() => new Deployment(patched as never).validate()).not.toThrow();
        const spec = podSpecOf(patched);
        expect(podSecurityRestrictedViolations(spec)).toEqual([]);
        const container = spec.containers[0]!;
        if (patch === 'node-runner-apparmor.yaml') {
          expect(spec.securityContext?.appArmorProfile).toEqual({ localhostProfile: 'weft-node-runner', type: 'Localhost' });
          expect([spec.hostUsers, spec.securityContext?.seccompProfile?.type, container.securityContext?.procMount]).toEqual([
            false,
            'Localhost',
            'Unmasked',
          ]);
        } else {
          // gVisor instead of the relaxations: none of them is left.
          expect([
            spec.runtimeClassName,
            spec.hostUsers,
            spec.securityContext?.seccompProfile,
            container.securityContext?.procMount,
          ]).toEqual(['gvisor', undefined, { type: 'RuntimeDefault' }, 'Default']);
        }
      },
    );
  });

  it('the Pod Security check catches what it is for', () => {
    const spec: IPodSpec = {
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80, hostPort: 80 }],
          securityContext: { capabilities: { add: ['SYS_ADMIN'] }, privileged: true, procMount: 'Unmasked' },
        },
      ],
      hostPID: true,
      securityContext: { appArmorProfile: { type: 'Unconfined' }, seccompProfile: { type: 'Unconfined' } },
      volumes: [{ hostPath: { path: '/' }, name: 'host' }],
    };
    expect(podSecurityRestrictedViolations(spec)).toEqual([
      'hostPID is set',
      'volume "host" is of type hostPath',
      `the pod's AppArmor profile is Unconfined`,
      `the pod's seccomp profile is Unconfined`,
      'container "a" is privileged',
      'container "a" does not set allowPrivilegeEscalation: false',
      'container "a" does not set runAsNonRoot: true',
      'container "a" adds capability SYS_ADMIN',
      'container "a" does not drop ALL capabilities',
      'container "a" sets procMount Unmasked outside a user namespace',
      'container "a" runs with seccomp profile Unconfined',
      'container "a" uses host port 80',
    ]);
  });
});
