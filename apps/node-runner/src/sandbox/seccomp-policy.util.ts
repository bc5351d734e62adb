/**
 * System calls that sandboxed code gets EPERM for, on top of the namespaces it already runs in. The
 * filter is a deny list (the interpreters need a broad, version-dependent set of ordinary calls): these are
 * the calls that reach the kernel's larger attack surface or another process, and none of them is needed
 * to compute a result. {@link SECCOMP_EXPORT_SOURCE} compiles it, once per node runner: bubblewrap installs
 * it for the JavaScript host, and every Python run process installs it (with {@link PYTHON_ONLY_DENIED_SYSCALLS}).
 * Processes are threads only (clone without CLONE_THREAD is refused, clone3 answers ENOSYS so glibc falls
 * back to clone), and no namespace can be created.
 */
export const DENIED_SYSCALLS: readonly string[] = [
  // other processes and the kernel's debugging, tracing and key interfaces
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  'pidfd_open',
  'pidfd_getfd',
  'pidfd_send_signal',
  'kill',
  'tkill',
  'tgkill',
  'rt_sigqueueinfo',
  'rt_tgsigqueueinfo',
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'keyctl',
  'add_key',
  'request_key',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'syslog',
  'acct',
  'quotactl',
  'lookup_dcookie',
  'fanotify_init',
  'personality',
  'uselib',
  'ioperm',
  'iopl',
  'vhangup',
  // namespaces, mounts and the root
  'unshare',
  'setns',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'name_to_handle_at',
  'open_by_handle_at',
  'mknod',
  'mknodat',
  // the machine
  'reboot',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'swapon',
  'swapoff',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'sethostname',
  'setdomainname',
  // the network and System V IPC shared by every run of a sandbox
  'socket',
  'socketpair',
  'shmget',
  'shmat',
  'msgget',
  'semget',
  // new processes and sessions (threads stay allowed)
  'fork',
  'vfork',
  'setsid',
  'setpgid',
];

/** Calls the Python run processes are also denied: they never start a program. */
export const PYTHON_ONLY_DENIED_SYSCALLS: readonly string[] = ['execve', 'execveat'];

/**
 * Python, run as `python3 -I -c SOURCE DENIED_JSON`, that writes the compiled BPF program of the deny list to
 * stdout, for bubblewrap's `--seccomp FD`. libseccomp (Debian's python3-seccomp) does the compiling.
 */
export const SECCOMP_EXPORT_SOURCE = String.raw`
import errno, json, os, sys
import seccomp

rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in json.loads(sys.argv[1]):
    try:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    except (RuntimeError, ValueError):
        pass  # not a system call of this architecture
rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 0x00010000, 0))
rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 0x7E020000, 0x7E020000))
rules.export_bpf(os.fdopen(1, "wb"))
`;
