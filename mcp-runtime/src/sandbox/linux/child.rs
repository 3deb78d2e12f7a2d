//! The only unsafe code of the crate: what a sandboxed child does between `fork` and `exec`.
//!
//! `Command::pre_exec` runs a closure in the forked child, which is a copy of a multithreaded
//! process: only async-signal-safe work is sound there. So everything is prepared in the
//! parent before the fork (the Landlock ruleset's file descriptor, the seccomp BPF programs,
//! the rlimits, the report pipe), and the closure makes raw system calls on that data and
//! nothing else: no allocation, no lock, no formatting. Its errors are `io::Error`s made from
//! an errno (which allocate nothing), and the step that failed is written to the report pipe
//! as fixed-size integers.
//!
//! The child forked by `Command` (the *keeper*) enters new namespaces, then forks the
//! *worker*, which is PID 1 of the new PID namespace and confines itself before `exec`. The
//! keeper waits for the worker and reports how it ended; killing the keeper (the wall-clock
//! limit) kills the worker by its parent-death signal, and the worker's death kills every
//! process left in its PID namespace.
//!
//! ```text
//! server ──fork (std)──► keeper: unshare(user, net, pid, ipc, uts), PDEATHSIG, setsid
//!                           │ clone
//!                           ▼
//!                        worker (PID 1): PDEATHSIG, rlimits, CLOEXEC on every other fd,
//!                           capability bounding set dropped, no_new_privs, Landlock,
//!                           seccomp ──exec──► the interpreter
//! ```

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

use seccompiler::BpfProgram;

/// A step of confining the child, as reported through the pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i64)]
pub(super) enum Step {
    Unshare = 1,
    ParentDeathSignal = 2,
    ParentGone = 3,
    Setsid = 4,
    Pipe = 5,
    Clone = 6,
    Rlimit = 7,
    CloseFds = 8,
    NoNewPrivs = 9,
    Landlock = 10,
    Seccomp = 11,
}

impl Step {
    fn from_raw(raw: i64) -> Option<Step> {
        use Step::*;
        [
            Unshare,
            ParentDeathSignal,
            ParentGone,
            Setsid,
            Pipe,
            Clone,
            Rlimit,
            CloseFds,
            NoNewPrivs,
            Landlock,
            Seccomp,
        ]
        .into_iter()
        .find(|step| *step as i64 == raw)
    }

    /// The step in words, for errors.
    pub(super) fn name(self) -> &'static str {
        match self {
            Step::Unshare => "creating the namespaces (unshare)",
            Step::ParentDeathSignal => "setting the parent-death signal",
            Step::ParentGone => "the server went away",
            Step::Setsid => "starting a session (setsid)",
            Step::Pipe => "creating a pipe",
            Step::Clone => "starting the sandboxed process (clone)",
            Step::Rlimit => "setting resource limits (setrlimit)",
            Step::CloseFds => "closing inherited file descriptors",
            Step::NoNewPrivs => "setting no_new_privs",
            Step::Landlock => "applying the Landlock ruleset",
            Step::Seccomp => "installing the seccomp filter",
        }
    }
}

/// What the keeper writes to the report pipe: four integers.
const RECORD: usize = 4;
/// `[FAILED, step, errno, 0]`: a step failed, and the child returns the errno to `spawn`.
const FAILED: i64 = 1;
/// `[EXITED, wait status, CPU microseconds, peak RSS in KiB]`: the worker ended.
const EXITED: i64 = 2;

/// What the report pipe said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Report {
    /// A step failed with this errno.
    Failed { step: Step, errno: i32 },
    /// The worker ended.
    Exited {
        /// The raw wait status.
        status: i32,
        /// User and system CPU time, in microseconds.
        cpu_micros: i64,
        /// Peak resident set, in KiB.
        max_rss_kib: i64,
    },
}

impl Report {
    /// The first record in what was read from the pipe.
    pub(super) fn parse(bytes: &[u8]) -> Option<Report> {
        let record = bytes.get(..RECORD * 8)?;
        let mut values = [0i64; RECORD];
        for (value, chunk) in values.iter_mut().zip(record.chunks_exact(8)) {
            *value = i64::from_ne_bytes(chunk.try_into().ok()?);
        }
        match values {
            [FAILED, step, errno, _] => Some(Report::Failed {
                step: Step::from_raw(step)?,
                errno: i32::try_from(errno).ok()?,
            }),
            [EXITED, status, cpu_micros, max_rss_kib] => Some(Report::Exited {
                status: i32::try_from(status).ok()?,
                cpu_micros,
                max_rss_kib,
            }),
            _ => None,
        }
    }
}

/// An rlimit's resource, as `setrlimit` takes it (glibc has a type of its own).
#[cfg(target_env = "gnu")]
pub(super) type Resource = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
pub(super) type Resource = libc::c_int;

/// Everything the child needs, made in the parent before the fork.
pub(super) struct Confinement {
    /// The server's PID: if the keeper's parent is another, the server died during the fork.
    pub(super) parent_pid: libc::pid_t,
    /// `unshare` flags; 0 runs without namespaces.
    pub(super) namespaces: libc::c_int,
    /// `(resource, soft and hard limit)`, set in the worker.
    pub(super) rlimits: Vec<(Resource, libc::rlim_t)>,
    /// The Landlock ruleset, or none to run without.
    pub(super) landlock: Option<OwnedFd>,
    /// The seccomp programs, installed in this order; none to run without.
    pub(super) seccomp: Vec<BpfProgram>,
    /// The write end of the report pipe (`O_CLOEXEC`, above 2).
    pub(super) report: OwnedFd,
    /// The highest file descriptor to close one by one, where `close_range` is missing.
    pub(super) max_fd: libc::c_int,
}

/// Namespaces a run gets: user (so the rest needs no privilege, and root's capabilities
/// are gone after `exec`), network, PID, IPC and UTS.
pub(super) const NAMESPACES: libc::c_int = libc::CLONE_NEWUSER
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUTS;

/// Makes `command` confine its child as `confinement` says.
pub(super) fn confine(command: &mut Command, confinement: Confinement) {
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe work is sound. `Confinement::enter` and everything it calls only read
    // data prepared before the fork (integers, file descriptors, the BPF programs' memory)
    // and make raw system calls through libc; they allocate nothing, take no lock and touch no
    // global state but errno. The data lives in the `Command` until the parent's `spawn`
    // returns.
    unsafe {
        command.pre_exec(move || confinement.enter());
    }
}

impl Confinement {
    /// In the keeper: namespaces, then the worker. Returns only in the worker (`Ok`, to
    /// exec), or on a failure (to `spawn`).
    fn enter(&self) -> io::Result<()> {
        // SAFETY (every block below): raw system calls with integer arguments or pointers to
        // this stack frame's locals; nothing is allocated.
        if self.namespaces != 0 && unsafe { libc::unshare(self.namespaces) } != 0 {
            return Err(self.fail(Step::Unshare));
        }
        // After `unshare`: a change of credentials may clear the parent-death signal.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) } != 0 {
            return Err(self.fail(Step::ParentDeathSignal));
        }
        if unsafe { libc::getppid() } != self.parent_pid {
            return Err(self.fail_with(Step::ParentGone, libc::ESRCH));
        }
        // A session and process group of its own (no controlling terminal): the server kills
        // the group at the end.
        if unsafe { libc::setsid() } < 0 {
            return Err(self.fail(Step::Setsid));
        }
        // Held open by the keeper alone: the worker sees it hang up if the keeper is gone.
        let mut alive = [-1 as libc::c_int; 2];
        if unsafe { libc::pipe2(alive.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(self.fail(Step::Pipe));
        }
        // A raw clone, as fork(2) without glibc's atfork handlers.
        let pid = unsafe {
            libc::syscall(
                libc::SYS_clone,
                libc::SIGCHLD as libc::c_long,
                0 as libc::c_long,
                0 as libc::c_long,
                0 as libc::c_long,
                0 as libc::c_long,
            )
        };
        if pid < 0 {
            return Err(self.fail(Step::Clone));
        }
        if pid == 0 {
            unsafe { libc::close(alive[1]) };
            return self.worker(alive[0]);
        }
        unsafe { libc::close(alive[0]) };
        self.keep(pid as libc::pid_t, alive[1])
    }

    /// In the worker: confine, then return to exec.
    fn worker(&self, alive: libc::c_int) -> io::Result<()> {
        // SAFETY (every block below): raw system calls with integer arguments, pointers to
        // this frame's locals, or pointers into the prepared rlimits and BPF programs, which
        // the parent keeps alive and nobody writes while the child runs.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) } != 0 {
            return Err(self.fail(Step::ParentDeathSignal));
        }
        // The keeper died before the signal was set: nothing would kill this process.
        let mut poll = libc::pollfd {
            fd: alive,
            events: libc::POLLIN,
            revents: 0,
        };
        if unsafe { libc::poll(&mut poll, 1, 0) } != 0 {
            return Err(self.fail_with(Step::ParentGone, libc::ESRCH));
        }
        unsafe { libc::close(alive) };
        for &(resource, limit) in &self.rlimits {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if unsafe { libc::setrlimit(resource, &rlimit) } != 0 {
                return Err(self.fail(Step::Rlimit));
            }
        }
        self.cloexec_from_3()?;
        // No capability can come back, whatever the namespace (errors ignored: only the
        // namespace's owner may drop them, and without a user namespace an unprivileged
        // process has none to drop).
        for capability in 0..64 {
            unsafe { libc::prctl(libc::PR_CAPBSET_DROP, capability as libc::c_ulong) };
        }
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) } != 0 {
            return Err(self.fail(Step::NoNewPrivs));
        }
        if let Some(ruleset) = &self.landlock {
            let done = unsafe {
                libc::syscall(
                    libc::SYS_landlock_restrict_self,
                    ruleset.as_raw_fd() as libc::c_long,
                    0 as libc::c_long,
                )
            };
            if done != 0 {
                return Err(self.fail(Step::Landlock));
            }
        }
        for program in &self.seccomp {
            let fprog = libc::sock_fprog {
                len: program.len() as libc::c_ushort,
                // `seccompiler::sock_filter` is `repr(C)` with the kernel's layout.
                filter: program.as_ptr() as *mut libc::sock_filter,
            };
            let done = unsafe {
                libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER as libc::c_ulong,
                    &fprog as *const libc::sock_fprog as libc::c_ulong,
                )
            };
            if done != 0 {
                return Err(self.fail(Step::Seccomp));
            }
        }
        Ok(())
    }

    /// Marks every descriptor above stderr close-on-exec: the server's own that were not
    /// (a library's, opened without `O_CLOEXEC`) must not reach the program.
    fn cloexec_from_3(&self) -> io::Result<()> {
        const CLOSE_RANGE_CLOEXEC: libc::c_long = 1 << 2;
        // SAFETY: raw system calls with integer arguments.
        let done = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                3 as libc::c_long,
                u32::MAX as libc::c_long,
                CLOSE_RANGE_CLOEXEC,
            )
        };
        if done == 0 {
            return Ok(());
        }
        for fd in 3..=self.max_fd {
            // SAFETY: as above; EBADF for a descriptor that is not open is expected.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        Ok(())
    }

    /// In the keeper, once the worker runs: wait for it, report how it ended, exit.
    // `time_t`, `suseconds_t` and `c_long` are `i64` on 64-bit targets only.
    #[allow(clippy::useless_conversion)]
    fn keep(&self, worker: libc::pid_t, alive: libc::c_int) -> ! {
        // SAFETY (every block below): raw system calls with integer arguments or pointers to
        // this frame's locals; `_exit` ends the process without running anything of the
        // server's (no destructor, no atexit handler).
        unsafe {
            // The server's signal handlers are still installed here: none may run.
            let mut all: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::sigprocmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
        }
        // Close the pipes to the server (stdio, std's error pipe), keeping the report pipe
        // and the keeper's end of `alive`: the output ends when the worker's tree does, and
        // `spawn` returns once the worker has exec'd.
        let report = self.report.as_raw_fd();
        let (low, high) = (report.min(alive), report.max(alive));
        close_range(0, low - 1, self.max_fd);
        close_range(low + 1, high - 1, self.max_fd);
        close_range(high + 1, libc::c_int::MAX, self.max_fd);
        let mut status: libc::c_int = 0;
        // SAFETY: see above; `rusage` is plain integers, valid zeroed.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            let waited = unsafe { libc::wait4(worker, &mut status, 0, &mut usage) };
            if waited == worker {
                break;
            }
            if waited < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                unsafe { libc::_exit(127) };
            }
        }
        let micros =
            |time: libc::timeval| i64::from(time.tv_sec) * 1_000_000 + i64::from(time.tv_usec);
        let record: [i64; RECORD] = [
            EXITED,
            i64::from(status),
            micros(usage.ru_utime) + micros(usage.ru_stime),
            i64::from(usage.ru_maxrss),
        ];
        write_record(report, &record);
        unsafe { libc::_exit(0) }
    }

    /// Reports that `step` failed with the current errno, and returns that error.
    fn fail(&self, step: Step) -> io::Error {
        let errno = io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        self.fail_with(step, errno)
    }

    fn fail_with(&self, step: Step, errno: i32) -> io::Error {
        write_record(
            self.report.as_raw_fd(),
            &[FAILED, step as i64, i64::from(errno), 0],
        );
        io::Error::from_raw_os_error(errno)
    }
}

/// Closes `first..=last` (nothing when `first > last`).
fn close_range(first: libc::c_int, last: libc::c_int, max_fd: libc::c_int) {
    if first > last {
        return;
    }
    // SAFETY: raw system calls with integer arguments.
    let done = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_long,
            last as libc::c_long,
            0 as libc::c_long,
        )
    };
    if done != 0 {
        for fd in first..=last.min(max_fd) {
            // SAFETY: as above.
            unsafe { libc::close(fd) };
        }
    }
}

/// Writes one record to the report pipe (32 bytes: below `PIPE_BUF`, so in one piece).
fn write_record(fd: libc::c_int, record: &[i64; RECORD]) {
    // SAFETY: `record` is 32 readable bytes on the caller's stack.
    unsafe {
        libc::write(
            fd,
            record.as_ptr().cast::<libc::c_void>(),
            std::mem::size_of_val(record),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip() {
        let bytes: Vec<u8> = [FAILED, Step::Landlock as i64, 1, 0]
            .iter()
            .flat_map(|value| value.to_ne_bytes())
            .collect();
        assert_eq!(
            Report::parse(&bytes),
            Some(Report::Failed {
                step: Step::Landlock,
                errno: 1
            })
        );
        assert_eq!(Report::parse(&bytes[..8]), None);
    }
}
