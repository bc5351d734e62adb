/**
 * The Python sandbox's zygote, run by `python3 -I -B -c` inside bubblewrap (see SandboxLauncher) with one JSON
 * argument ({@link PythonZygoteConfig}). It never runs user code itself. It keeps spare run processes forked
 * ahead of time; each one isolates itself (own user and mount namespaces, a private scratch /tmp, /proc and
 * /dev/shm hidden, kernel resource limits), waits for exactly one run, then drops its capabilities, loads the
 * seccomp filter and runs the code. So every run starts from the zygote's clean state, and nothing one run
 * does (modules, globals, files) reaches another.
 *
 * Protocol, one JSON object per line. In on stdin: `{"op":"run","id"}` and `{"op":"kill","id"}`. Out on
 * stdout: `{"op":"ready"}` once, then per run either `{"op":"done","id"}` (the result file is complete) or
 * `{"op":"exit","id","timedOut","code"|"signal"}` (the process ended without one). Payloads never pass through
 * the zygote's memory, which every later run inherits: the node runner writes `<ipc>/<id>.in` (`{code, inputs}`)
 * and reads `<ipc>/<id>.out`; the run process opens both, then hides the folder before any user code runs.
 */
export const PYTHON_ZYGOTE_SOURCE = String.raw`import base64, ctypes, gc, json, os, resource, select, signal, sys, time

CONFIG = json.loads(sys.argv[1])
IPC = CONFIG["ipc"]
ISOLATE = CONFIG["isolate"]
libc = ctypes.CDLL(None, use_errno=True)
# Resolved here once: a run process that looked them up itself would pay for dlsym and new objects every time.
for _name in ("capset", "mount", "prctl", "unshare"):
    getattr(libc, _name)

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
PR_SET_PDEATHSIG = 1


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_program(program):
    """The node runner's compiled seccomp filter (SECCOMP_EXPORT_SOURCE), ready for one prctl per run."""
    buffer = ctypes.create_string_buffer(program, len(program))
    return buffer, SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))


FILTER_BUFFER, FILTER_PROGRAM = load_program(base64.b64decode(CONFIG["seccompFilter"]))

# Modules most code nodes use, imported once here so every run's fork starts with them loaded.
import collections, datetime, decimal, functools, hashlib, itertools, math, random, re, string, traceback, typing, uuid  # noqa: E401,F401


def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, what + ": " + os.strerror(err))


def write_file(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


CAP_HEADER, NO_CAPABILITIES = CapHeader(0x20080522, 0), (CapData * 2)()
CAP_HEADER_REF, FILTER_PROGRAM_REF = ctypes.byref(CAP_HEADER), ctypes.byref(FILTER_PROGRAM)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def drop_capabilities():
    check(libc.capset(CAP_HEADER_REF, NO_CAPABILITIES), "capset")


def load_filter():
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, FILTER_PROGRAM_REF, 0, 0), "seccomp")


def isolate(scratch_mb):
    """Own user and mount namespaces: a fresh scratch /tmp, /proc and /dev/shm hidden."""
    uid, gid = os.getuid(), os.getgid()
    check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare")
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", "65534 %d 1" % uid)
    write_file("/proc/self/gid_map", "65534 %d 1" % gid)
    check(libc.mount(b"scratch", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=%dm,mode=0700" % scratch_mb), "mount /tmp")
    for hidden in (b"/proc", b"/dev/shm"):
        if os.path.isdir(hidden):
            check(libc.mount(b"none", hidden, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0555"), "hide")


def address_space_bytes():
    fd = os.open("/proc/self/statm", os.O_RDONLY)
    try:
        return int(os.read(fd, 256).split()[0]) * resource.getpagesize()
    finally:
        os.close(fd)


def read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def standby(control_fd, status_fd):
    """A spare run process: isolates itself ahead of time, then waits for one run. Trusted code until execute()."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    keep = sorted((control_fd, status_fd))
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, 65536)
    limits = {
        resource.RLIMIT_AS: address_space_bytes() + (CONFIG["memoryMb"] + CONFIG["headroomMb"]) * 1024 * 1024,
        resource.RLIMIT_CORE: 0,
        # A backstop one second past the wall-clock deadline the zygote enforces.
        resource.RLIMIT_CPU: -(-CONFIG["timeoutMs"] // 1000) + 1,
        resource.RLIMIT_FSIZE: CONFIG["scratchMb"] * 1024 * 1024,
        resource.RLIMIT_MEMLOCK: 0,
        resource.RLIMIT_NOFILE: 64,
    }
    if ISOLATE:
        isolate(CONFIG["scratchMb"])
        # Counted in this run's own user namespace: its threads, nothing else's.
        limits[resource.RLIMIT_NPROC] = CONFIG["maxThreads"]
    os.chdir(CONFIG["scratch"])
    for limit, value in limits.items():
        resource.setrlimit(limit, (value, value))
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(control_fd, 4096)
        if not chunk:
            return 0  # the zygote is stopping
        line += chunk
    os.close(control_fd)
    run_id = json_loads(line)["id"]
    in_fd = os.open(os.path.join(IPC, run_id + ".in"), os.O_RDONLY)
    out_fd = os.open(os.path.join(IPC, run_id + ".out"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    if ISOLATE:
        check(libc.mount(b"none", IPC.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0555"), "hide")
        drop_capabilities()
    load_filter()
    payload = json_loads(read_all(in_fd))
    os.close(in_fd)
    result = execute(payload["code"], payload["inputs"], CONFIG["maxOutputBytes"])
    os.write(out_fd, result.encode("utf-8"))
    os.write(status_fd, b"1")
    return 0


def refuse_processes(*args, **kwargs):
    raise PermissionError("Starting processes is not allowed in the code sandbox")


class RefusedModules:
    NAMES = ("ctypes", "_ctypes", "seccomp", "js", "pyodide", "pyodide_js", "_pyodide", "micropip")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.NAMES:
            raise ImportError("Module '" + name + "' is not available in the code sandbox")
        return None


def guard_interpreter():
    """Once, in the zygote (which keeps its own references): the interpreter every run starts from."""
    for name in list(sys.modules):
        if name.split(".")[0] in RefusedModules.NAMES:
            del sys.modules[name]
    sys.meta_path.insert(0, RefusedModules())
    for name in ("system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp", "execv", "execve", "execl",
                 "execle", "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe",
                 "spawnv", "spawnve", "spawnvp", "spawnvpe"):
        if hasattr(os, name):
            setattr(os, name, refuse_processes)


def prepare_interpreter():
    global libc
    libc = None
    # Every run is forked from the same state: without this, each would draw the same random numbers.
    random.seed()


def describe(error):
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    if isinstance(error, SyntaxError):
        return text.splitlines()[-1] + (" (line " + str(error.lineno) + ")" if error.lineno else "")
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<code>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return text + (" (line " + str(line) + ")" if line else "")


json_dumps, json_loads = json.dumps, json.loads


def failure(kind, error):
    return json_dumps({"ok": False, "kind": kind, "error": error})


def execute(code, inputs, max_output_bytes):
    try:
        prepare_interpreter()
        namespace = {"__builtins__": __builtins__, "__name__": "__main__"}
        exec(compile(code, "<code>", "exec"), namespace)
        main = namespace.get("main")
        if not callable(main):
            return failure("runtime", "Code must define a function named main")
        result = main(**inputs)
        if not isinstance(result, dict):
            return failure("invalid_output", "Output must be a dict, got " + type(result).__name__)
        try:
            output = json_dumps(result, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            return failure("invalid_output", "Output is not JSON-serializable: " + str(error))
        if len(output.encode("utf-8")) > max_output_bytes:
            return failure("invalid_output", "Output is larger than the " + str(max_output_bytes) + " byte limit")
        return '{"ok": true, "result": ' + output + "}"
    except MemoryError:
        return failure("memory", "MemoryError")
    except RecursionError as error:
        return failure("runtime", describe(error))
    except BaseException as error:  # noqa: B036 - user code may raise anything, SystemExit included
        return failure("runtime", describe(error))


def send(message):
    os.write(1, (json_dumps(message) + "\n").encode())


def prepare_spare(spares):
    read_fd, write_fd = os.pipe()
    status_read, status_write = os.pipe()
    pid = FORK()
    if pid == 0:
        code = 70
        try:
            os.close(write_fd)
            os.close(status_read)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = standby(read_fd, status_write)
        finally:
            os._exit(code)
    os.close(read_fd)
    os.close(status_write)
    spares.append((pid, write_fd, status_read))


FORK = os.fork


def warm_up():
    """Runs the harness's own paths once, so run processes find their caches built instead of building them
    (each page a run process writes is a copy-on-write fault, the largest part of its cost)."""
    namespace = {"__builtins__": __builtins__, "__name__": "__main__"}
    exec(compile("def main(text):\n    return {'result': text.upper()}", "<code>", "exec"), namespace)
    json_dumps(namespace["main"](**json_loads('{"text": "warm"}')), ensure_ascii=False, allow_nan=False)
    try:
        exec(compile("def main():\n    raise ValueError('warm')\nmain()", "<code>", "exec"), {"__builtins__": __builtins__})
    except ValueError as error:
        describe(error)


def serve():
    runs = {}  # run id -> Run
    spares = []
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    poller = select.poll()
    poller.register(0, select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    by_status_fd = {}
    pending = b""
    guard_interpreter()
    warm_up()
    gc.freeze()
    prepare_spare(spares)
    send({"op": "ready"})
    while True:
        now = time.monotonic()
        wait_ms = 0 if len(spares) < CONFIG["spares"] else 1000
        for run in runs.values():
            if not run.timed_out:
                wait_ms = min(wait_ms, max(0, int((run.deadline - now) * 1000) + 1))
        for fd, _ in poller.poll(wait_ms):
            if fd == wake_r:
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
            elif fd in by_status_fd:
                collect_status(by_status_fd.pop(fd), poller)
            else:
                chunk = os.read(0, 65536)
                if not chunk:
                    for spare in spares:
                        kill(spare[0])
                    for run in runs.values():
                        kill(run.pid)
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    run = handle(json_loads(line), runs, spares)
                    if run is not None:
                        by_status_fd[run.status_fd] = run
                        poller.register(run.status_fd, select.POLLIN)
        now = time.monotonic()
        for run in runs.values():
            if not run.timed_out and not run.reported and now >= run.deadline:
                run.timed_out = True
                kill(run.pid)
        reap(runs, spares, lambda run: collect_status(by_status_fd.pop(run.status_fd), poller) if run.status_fd in by_status_fd else None)
        if len(spares) < CONFIG["spares"]:
            prepare_spare(spares)


def collect_status(run, poller):
    """Reads the byte a run process writes once its result file is complete, and reports the run done."""
    poller.unregister(run.status_fd)
    signalled = os.read(run.status_fd, 1) == b"1"
    os.close(run.status_fd)
    if signalled and not run.timed_out:
        run.reported = True
        send({"op": "done", "id": run.run_id})
        # The harness exits right after the byte; user code that wrote it early to go on running does not get to.
        kill(run.pid)


class Run:
    def __init__(self, run_id, pid, status_fd):
        self.run_id, self.pid, self.status_fd = run_id, pid, status_fd
        self.deadline = time.monotonic() + CONFIG["timeoutMs"] / 1000
        self.timed_out = self.reported = False


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def handle(message, runs, spares):
    """A run starts on a spare process; a kill ends one. Returns the started run."""
    run_id = str(message["id"])
    if message["op"] == "kill":
        if run_id in runs:
            kill(runs[run_id].pid)
        return None
    if not spares:
        prepare_spare(spares)
    pid, write_fd, status_fd = spares.pop(0)
    try:
        os.write(write_fd, (json_dumps({"id": run_id}) + "\n").encode())
    except OSError:
        pass  # the spare died: its exit is reported like any failed run
    os.close(write_fd)
    runs[run_id] = Run(run_id, pid, status_fd)
    return runs[run_id]


def reap(runs, spares, collect):
    for run_id, run in list(runs.items()):
        try:
            pid, status = os.waitpid(run.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = run.pid, 0
        if pid == 0:
            continue
        del runs[run_id]
        # It may have finished after this round's poll: its status byte, if any, is in the pipe by now.
        collect(run)
        if run.reported:
            continue
        report = {"op": "exit", "id": run_id, "timedOut": run.timed_out}
        if os.WIFSIGNALED(status):
            report["signal"] = os.WTERMSIG(status)
        else:
            report["code"] = os.WEXITSTATUS(status)
        send(report)
    for spare in list(spares):
        try:
            pid, _ = os.waitpid(spare[0], os.WNOHANG)
        except ChildProcessError:
            pid = spare[0]
        if pid != 0:
            spares.remove(spare)
            os.close(spare[1])
            os.close(spare[2])


serve()
`;

/** The zygote's one argument. */
export interface PythonZygoteConfig {
  /** Extra address space for the interpreter's own needs (thread stacks, allocator arenas) beyond memoryMb. */
  headroomMb: number;
  /** Folder, as the zygote sees it, where run payloads and results are exchanged. */
  ipc: string;
  /** False only with weak isolation: runs then share the zygote's namespaces and the host's file system view. */
  isolate: boolean;
  maxOutputBytes: number;
  /** Threads a run may have (RLIMIT_NPROC, counted in the run's own user namespace). */
  maxThreads: number;
  memoryMb: number;
  /** Working folder of a run (its private tmpfs when isolated). */
  scratch: string;
  scratchMb: number;
  /** The compiled seccomp filter every run process installs (base64 of the BPF program). */
  seccompFilter: string;
  /** Run processes kept forked and isolated ahead of time. */
  spares: number;
  timeoutMs: number;
}
