import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  constants,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DENIED_SYSCALLS, SECCOMP_EXPORT_SOURCE } from './seccomp-policy.util';
import type { IsolationStatus, SandboxIsolationOptions } from './sandbox.types';

/** A folder of the host made visible inside the sandbox. */
export interface SandboxBind {
  from: string;
  to: string;
  writable?: boolean;
}

/** One sandboxed program: what it runs and what it may see besides the read-only runtime. */
export interface SandboxCommand {
  binds: SandboxBind[];
  command: string[];
  /** Mount a /proc of the sandbox's own PID namespace (the Python zygote needs it to set up each run). */
  proc: boolean;
  /** Install the deny-list seccomp filter before the program starts. */
  seccomp: boolean;
}

/** The unprivileged user sandboxes run as when the node runner itself runs as root ("nobody"). */
const SANDBOX_UID = 65534;
const RUNTIME_PREFIX = 'weft-sandbox-';
// Packages the JavaScript host loads: QuickJS compiled to WebAssembly, and what its loader requires.
const QUICKJS_PACKAGES = ['quickjs-emscripten-core', '@jitl/quickjs-ffi-types', '@jitl/quickjs-wasmfile-release-sync'];

/**
 * Starts the processes that run user code, confined by bubblewrap: new user, PID, network, IPC, UTS and
 * cgroup namespaces, an empty environment, a file system of the read-only /usr plus the folders a command
 * names, a fresh /tmp, a root that cannot be listed or written, no capabilities, a new session, killed with the node runner,
 * as the unprivileged user 65534, optionally under the deny-list seccomp filter. {@link start} checks once
 * that this works here; when it does not, code nodes are refused unless the operator accepted weak isolation
 * (then the same programs start as plain child processes with an empty environment, as that user if the
 * node runner is root).
 */
export class SandboxLauncher {
  private runtimeDir?: string;
  private readonly seccompPrograms = new Map<string, Buffer>();
  private status: IsolationStatus = { level: 'unavailable', reason: 'The code sandbox has not been started' };

  constructor(private readonly options: SandboxIsolationOptions) {}

  /** Prepares the runtime folder and checks the sandbox once; the answer holds for the life of the process. */
  start(): IsolationStatus {
    removeStaleRuntimeDirs();
    this.runtimeDir = mkdtempSync(join(runtimeBase(), `${RUNTIME_PREFIX}${process.pid}-`));
    chmodSync(this.runtimeDir, 0o711);
    for (const name of QUICKJS_PACKAGES) {
      // Copied rather than bound, so the sandbox user can read them wherever (and however privately) Weft is installed.
      cpSync(packageDir(name), join(this.runtimeDir, 'node_modules', name), { recursive: true, dereference: true });
    }
    chmodRecursive(join(this.runtimeDir, 'node_modules'));
    const problem = this.probe();
    if (!problem) this.status = { level: 'bubblewrap' };
    else if (this.options.allowWeak) this.status = { level: 'weak', reason: problem };
    else this.status = { level: 'unavailable', reason: problem };
    return this.status;
  }

  isolation(): IsolationStatus {
    return this.status;
  }

  /** A new private folder under the runtime folder, writable by the sandbox user and nobody else. */
  privateDir(name: string): string {
    const dir = join(this.requireRuntimeDir(), name);
    mkdirSync(dir, { mode: 0o700 });
    if (runningAsRoot()) chownSync(dir, SANDBOX_UID, SANDBOX_UID);
    return dir;
  }

  /** Where the JavaScript host finds its packages, as the host sees it (inside or outside the sandbox). */
  nodeModulesPath(): string {
    return this.status.level === 'bubblewrap' ? '/sandbox/node_modules' : join(this.requireRuntimeDir(), 'node_modules');
  }

  /** The Python interpreter, the same path inside the sandbox (it lives under /usr) and outside it. */
  pythonPath(): string {
    return this.options.pythonPath;
  }

  /** The node binary, as the sandboxed program sees it. */
  nodePath(): string {
    return this.status.level === 'bubblewrap' ? '/sandbox/node' : process.execPath;
  }

  /** The runtime folder's QuickJS packages, to bind into a sandbox. */
  nodeModulesBind(): SandboxBind {
    return { from: join(this.requireRuntimeDir(), 'node_modules'), to: '/sandbox/node_modules' };
  }

  launch(spec: SandboxCommand): ChildProcess {
    const [program, ...args] = spec.command;
    if (!program) throw new Error('No command to start in the sandbox');
    const identity = runningAsRoot() ? { gid: SANDBOX_UID, uid: SANDBOX_UID } : {};
    if (this.status.level === 'weak') {
      return spawn(program, args, { ...identity, cwd: this.requireRuntimeDir(), env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    }
    if (this.status.level !== 'bubblewrap') throw new Error(`The code sandbox is unavailable: ${this.status.reason}`);
    const seccompFd = spec.seccomp ? 3 : undefined;
    const child = spawn(this.options.bwrapPath, [...this.bubblewrapArgs(spec, seccompFd), '--', program, ...args], {
      ...identity,
      env: {},
      stdio: ['pipe', 'pipe', 'pipe', ...(seccompFd ? (['pipe'] as const) : [])],
    });
    if (seccompFd) {
      const pipe = child.stdio[seccompFd] as NodeJS.WritableStream | null;
      // A sandbox killed before bubblewrap read its filter resets this pipe; its exit reports the failure.
      pipe?.on('error', () => undefined);
      pipe?.end(this.seccompProgram());
    }
    return child;
  }

  /** Removes the runtime folder (payload files included). */
  close(): void {
    if (this.runtimeDir) rmSync(this.runtimeDir, { force: true, recursive: true });
    this.runtimeDir = undefined;
  }

  private bubblewrapArgs(spec: SandboxCommand, seccompFd: number | undefined): string[] {
    const args = [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      '--cap-drop',
      'ALL',
      '--setenv',
      'PATH',
      '/usr/bin:/bin',
      '--setenv',
      'LANG',
      'C.UTF-8',
      '--setenv',
      'HOME',
      '/tmp',
      // One malloc arena: per-thread arenas reserve 64 MB of address space each, which the memory limit counts.
      '--setenv',
      'GLIBC_TUNABLES',
      'glibc.malloc.arena_max=1',
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64']) args.push(...topLevelRuntime(top));
    args.push('--dev', '/dev', '--tmpfs', '/tmp');
    if (spec.proc) args.push('--proc', '/proc');
    for (const bind of spec.binds) args.push(bind.writable ? '--bind' : '--ro-bind', bind.from, bind.to);
    // The root can be walked through but not listed, and nothing can be written to it.
    args.push(
      '--chmod',
      '0111',
      '/',
      '--remount-ro',
      '/',
      '--chdir',
      '/tmp',
      '--uid',
      String(SANDBOX_UID),
      '--gid',
      String(SANDBOX_UID),
      '--hostname',
      'weft-sandbox',
    );
    if (seccompFd) args.push('--seccomp', String(seccompFd));
    return args;
  }

  /**
   * The deny-list filter (plus `alsoDenied`) as a BPF program, compiled once per list by libseccomp through
   * the sandbox's Python: the JavaScript host gets it from bubblewrap, every Python run installs it itself.
   */
  seccompProgram(alsoDenied: readonly string[] = []): Buffer {
    const key = alsoDenied.join(',');
    let program = this.seccompPrograms.get(key);
    if (!program) {
      const denied = JSON.stringify([...DENIED_SYSCALLS, ...alsoDenied]);
      const compiled = spawnSync(this.options.pythonPath, ['-I', '-c', SECCOMP_EXPORT_SOURCE, denied], { env: {}, timeout: 10_000 });
      if (compiled.status !== 0 || compiled.stdout.length === 0) {
        throw new Error(
          `Compiling the seccomp filter failed: ${firstLine(compiled.stderr?.toString() || compiled.error?.message || 'no output')}`,
        );
      }
      program = compiled.stdout;
      this.seccompPrograms.set(key, program);
    }
    return program;
  }

  /** Why the sandbox cannot run here, or undefined when libseccomp compiles the filter and a sandboxed Python starts under it. */
  private probe(): string | undefined {
    if (!existsSync(this.options.bwrapPath))
      return `bubblewrap is not installed (${this.options.bwrapPath} does not exist; on Debian: apt-get install bubblewrap)`;
    if (!existsSync(this.options.pythonPath))
      return `Python is not installed at ${this.options.pythonPath} (on Debian: apt-get install python3 python3-seccomp)`;
    try {
      this.seccompProgram();
    } catch (error) {
      return `${(error as Error).message} (on Debian: apt-get install python3-seccomp)`;
    }
    // The probe starts Python the way the zygote starts: bubblewrap with /proc and the seccomp filter (read
    // from a file here, since spawnSync cannot write to an extra pipe).
    const filterPath = join(this.requireRuntimeDir(), 'probe.bpf');
    writeFileSync(filterPath, this.seccompProgram(), { mode: 0o644 });
    const fd = openSync(filterPath, 'r');
    try {
      const args = this.bubblewrapArgs({ binds: [], command: [], proc: true, seccomp: true }, 3);
      const probe = spawnSync(this.options.bwrapPath, [...args, '--', this.options.pythonPath, '-I', '-c', 'print("ok")'], {
        ...(runningAsRoot() ? { gid: SANDBOX_UID, uid: SANDBOX_UID } : {}),
        env: {},
        stdio: ['ignore', 'pipe', 'pipe', fd],
        timeout: 10_000,
      });
      if (probe.status === 0 && probe.stdout.toString().trim() === 'ok') return undefined;
      const said = probe.stderr?.toString().trim() || probe.error?.message || `exit code ${String(probe.status)}`;
      return `bubblewrap could not start a sandbox here: ${firstLine(said)}`;
    } finally {
      closeSync(fd);
      rmSync(filterPath, { force: true });
    }
  }

  private requireRuntimeDir(): string {
    if (!this.runtimeDir) throw new Error('The code sandbox has not been started');
    return this.runtimeDir;
  }
}

/** `/bin`, `/lib`, ... as the host has them: a symlink into /usr (merged /usr) or a folder to bind read-only. */
function topLevelRuntime(name: string): string[] {
  const path = `/${name}`;
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return ['--symlink', readlinkSync(path), path];
    if (stat.isDirectory()) return ['--ro-bind', path, path];
  } catch {
    // absent on this host
  }
  return [];
}

/** The installed folder of a package (some packages do not export their package.json, so it is found from the entry point). */
function packageDir(name: string): string {
  let dir = dirname(createRequire(__filename).resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith(name)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the folder of the package "${name}"`);
    dir = parent;
  }
  return dir;
}

function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function chmodRecursive(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  chmodSync(path, stat.isDirectory() ? 0o755 : 0o644);
  if (stat.isDirectory()) for (const entry of readdirSync(path)) chmodRecursive(join(path, entry));
}

/** Where runtime folders go: /dev/shm when it is there (run payloads then never reach a disk), else the temporary folder. */
function runtimeBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Runtime folders left by node runners that died without cleaning up (they may hold run payloads). */
function removeStaleRuntimeDirs(): void {
  for (const base of new Set([runtimeBase(), tmpdir()])) {
    let entries: string[];
    try {
      entries = readdirSync(base);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const pid = Number(/^weft-sandbox-(\d+)-/.exec(entry)?.[1]);
      if (!pid || pid === process.pid || processExists(pid)) continue;
      rmSync(join(base, entry), { force: true, recursive: true });
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  );
}
