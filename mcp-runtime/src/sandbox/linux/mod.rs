//! [`LinuxExecutor`]: namespaces, Landlock, seccomp and rlimits around a child process.

// The one module of the crate allowed unsafe code: see its docs.
#[allow(unsafe_code)]
mod child;
mod filesystem;
mod interpreter;
mod scratch;
mod spawner;
mod syscalls;

use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

use super::executor::RunFuture;
use super::output::limit_from_stderr;
use super::{
    Executor, ExitStatus, Limit, SandboxCommand, SandboxError, SandboxOutput, SandboxPolicy,
};
use child::{Confinement, Report, Step};
use interpreter::Interpreter;
use scratch::Scratch;

/// The Linux executor, [`Sandbox::new`](super::Sandbox::new)'s default: see the [module
/// docs](super) for what it does.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinuxExecutor {
    _private: (),
}

impl LinuxExecutor {
    /// The executor.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Executor for LinuxExecutor {
    fn run<'a>(&'a self, policy: &'a SandboxPolicy, command: SandboxCommand) -> RunFuture<'a> {
        Box::pin(run(policy, command))
    }
}

/// Set once user namespaces turned out not to be creatable here (a policy opted out of
/// them), so later runs do not try again.
static NO_NAMESPACES: AtomicBool = AtomicBool::new(false);

async fn run(
    policy: &SandboxPolicy,
    command: SandboxCommand,
) -> Result<SandboxOutput, SandboxError> {
    let interpreter = interpreter::resolve(command.get_program()).await?;
    let files: Vec<(String, Vec<u8>)> = command
        .get_files()
        .map(|(name, contents)| (name.to_owned(), contents.to_owned()))
        .collect();
    let scratch = tokio::task::spawn_blocking(move || {
        Scratch::create(
            files
                .iter()
                .map(|(name, data)| (name.as_str(), data.as_slice())),
        )
    })
    .await
    .map_err(|error| SandboxError::setup("creating the scratch directory")(error.into()))??;
    let mut guard = ScratchGuard(Some(scratch));
    let outcome = match &guard.0 {
        Some(scratch) => run_in(policy, &command, &interpreter, scratch).await,
        None => unreachable!("the guard holds the scratch directory until here"),
    };
    if let Some(scratch) = guard.0.take() {
        let _ = tokio::task::spawn_blocking(move || scratch.remove()).await;
    }
    outcome
}

/// Removes the scratch directory when a run is dropped half-way (its caller gave up).
struct ScratchGuard(Option<Scratch>);

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        if let Some(scratch) = self.0.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn_blocking(move || scratch.remove())),
                Err(_) => scratch.remove(),
            }
        }
    }
}

/// What a run is confined with, decided before the fork.
struct Plan {
    namespaces: bool,
    landlock: Option<OwnedFd>,
    seccomp: Vec<seccompiler::BpfProgram>,
    rlimits: Vec<(child::Resource, libc::rlim_t)>,
}

/// Decides the confinement, failing on what the kernel lacks and the policy requires.
fn plan(
    policy: &SandboxPolicy,
    interpreter: &Interpreter,
    scratch: &Path,
    namespaces: bool,
) -> Result<Plan, SandboxError> {
    let mut read_only = interpreter.read_only.clone();
    read_only.extend(policy.read_only_paths.iter().cloned());
    let landlock = filesystem::ruleset(&read_only, scratch, policy.require_landlock)?;
    if landlock.is_none() {
        tracing::warn!(
            "running sandboxed code without Landlock (the kernel has none, and the policy \
             does not require it): it can read and write whatever this server's user can"
        );
    }

    let no_processes = policy.max_processes <= 1;
    let programs = if seccomp_available() {
        syscalls::programs(no_processes)
    } else {
        Err(SandboxError::Unsupported {
            feature: "seccomp filters (a kernel built with CONFIG_SECCOMP_FILTER)".to_owned(),
            opt_out: Some("require_seccomp"),
        })
    };
    let seccomp = match programs {
        Ok(programs) => programs,
        Err(error @ SandboxError::Unsupported { .. }) if !policy.require_seccomp => {
            tracing::warn!(%error, "running sandboxed code without a seccomp filter");
            Vec::new()
        }
        Err(error) => return Err(error),
    };

    let root = rustix::process::getuid().is_root();
    // RLIMIT_NPROC counts the processes of the run's own user namespace; the kernel exempts
    // root from it.
    let counted = namespaces && !root;
    let enforced = (no_processes && !seccomp.is_empty()) || counted;
    if !enforced {
        let why = if root {
            "the kernel does not apply RLIMIT_NPROC to root: run the server as another user, \
             or allow a single process"
        } else {
            "without a user namespace, RLIMIT_NPROC would count every process of this user"
        };
        let feature = format!("a limit of {} processes ({why})", policy.max_processes);
        if policy.require_process_limit {
            return Err(SandboxError::Unsupported {
                feature,
                opt_out: Some("require_process_limit"),
            });
        }
        tracing::warn!(
            "running sandboxed code without {feature}; the wall-time limit still ends every \
             process of the run"
        );
    }

    let mut rlimits = vec![
        (
            libc::RLIMIT_CPU,
            super::policy::cpu_seconds(policy.cpu_time),
        ),
        (libc::RLIMIT_AS, policy.memory),
        (libc::RLIMIT_FSIZE, policy.max_file_size),
        (libc::RLIMIT_NOFILE, policy.max_open_files),
        (libc::RLIMIT_CORE, 0),
    ];
    if counted {
        // The keeper, in the same namespace, counts too.
        rlimits.push((libc::RLIMIT_NPROC, u64::from(policy.max_processes) + 1));
    }
    Ok(Plan {
        namespaces,
        landlock,
        seccomp,
        rlimits: rlimits
            .into_iter()
            .map(|(resource, limit)| (resource, limit as libc::rlim_t))
            .collect(),
    })
}

/// Whether the kernel has seccomp (its line in `/proc/self/status`).
fn seccomp_available() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|status| status.lines().any(|line| line.starts_with("Seccomp:")))
}

/// A started child, and the read end of its report pipe.
struct Started {
    child: tokio::process::Child,
    report: OwnedFd,
}

/// Starts the child: with namespaces unless they are known to be missing (and the policy
/// allows that), falling back once if the kernel refuses them and the policy allows it.
async fn start(
    policy: &SandboxPolicy,
    command: &SandboxCommand,
    interpreter: &Interpreter,
    scratch: &Path,
) -> Result<Started, SandboxError> {
    let unsupported = |reason: String| SandboxError::Unsupported {
        feature: format!("user namespaces ({reason})"),
        opt_out: Some("require_namespaces"),
    };
    let mut namespaces = !NO_NAMESPACES.load(Ordering::Relaxed);
    if !namespaces && policy.require_namespaces {
        return Err(unsupported(
            "an earlier run found they cannot be created".to_owned(),
        ));
    }
    loop {
        if !namespaces {
            tracing::warn!(
                "running sandboxed code without namespaces (the kernel refused them, and the \
                 policy does not require them): it has the network and sees other processes"
            );
        }
        let plan = plan(policy, interpreter, scratch, namespaces)?;
        let (report, report_in_child) = report_pipe()?;
        let mut std_command = std::process::Command::new(&interpreter.exe);
        std_command
            .args(command.get_args())
            .env_clear()
            .envs(environment(policy, interpreter, scratch))
            .current_dir(scratch)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        child::confine(
            &mut std_command,
            Confinement {
                parent_pid: std::process::id() as libc::pid_t,
                namespaces: if plan.namespaces {
                    child::NAMESPACES
                } else {
                    0
                },
                rlimits: plan.rlimits,
                landlock: plan.landlock,
                seccomp: plan.seccomp,
                report: report_in_child,
                max_fd: max_fd(),
            },
        );
        let mut tokio_command = tokio::process::Command::from(std_command);
        tokio_command.kill_on_drop(true);
        let error = match spawner::spawn(tokio_command).await {
            Ok(child) => return Ok(Started { child, report }),
            Err(error) => error,
        };
        match read_report(&report) {
            Some(Report::Failed {
                step: Step::Unshare,
                errno,
            }) if namespaces => {
                let reason = std::io::Error::from_raw_os_error(errno).to_string();
                if policy.require_namespaces {
                    return Err(unsupported(reason));
                }
                NO_NAMESPACES.store(true, Ordering::Relaxed);
                namespaces = false;
            }
            Some(Report::Failed { step, errno }) => {
                return Err(SandboxError::Setup {
                    step: step.name(),
                    source: std::io::Error::from_raw_os_error(errno),
                });
            }
            _ => {
                return Err(SandboxError::Interpreter {
                    program: command.get_program().to_string_lossy().into_owned(),
                    reason: format!(
                        "{} could not be started in the sandbox: {error}",
                        interpreter.exe.display()
                    ),
                });
            }
        }
    }
}

/// The program's whole environment.
fn environment<'a>(
    policy: &'a SandboxPolicy,
    interpreter: &Interpreter,
    scratch: &'a Path,
) -> impl Iterator<Item = (String, String)> + 'a {
    let bin = interpreter
        .exe
        .parent()
        .map(|dir| format!("{}:", dir.display()))
        .unwrap_or_default();
    let scratch = scratch.display().to_string();
    [
        (
            "PATH".to_owned(),
            format!("{bin}/usr/local/bin:/usr/bin:/bin"),
        ),
        ("HOME".to_owned(), scratch.clone()),
        ("TMPDIR".to_owned(), scratch),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
        ("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned()),
        ("PYTHONNOUSERSITE".to_owned(), "1".to_owned()),
        // What was printed before a limit stopped it reaches the caller.
        ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
    ]
    .into_iter()
    .chain(policy.env.iter().cloned())
}

/// The report pipe: the parent's read end (non-blocking) and the child's write end, both
/// close-on-exec and above stderr (the child's stdio is set up over 0 to 2 before it runs).
fn report_pipe() -> Result<(OwnedFd, OwnedFd), SandboxError> {
    let setup = |error: Errno| SandboxError::setup("creating the report pipe")(error.into());
    let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).map_err(setup)?;
    let read = rustix::io::fcntl_dupfd_cloexec(&read, 3).map_err(setup)?;
    let write = rustix::io::fcntl_dupfd_cloexec(&write, 3).map_err(setup)?;
    rustix::fs::fcntl_setfl(&read, rustix::fs::OFlags::NONBLOCK).map_err(setup)?;
    Ok((read, write))
}

/// What the child reported, once it is gone (the pipe is non-blocking).
fn read_report(report: &OwnedFd) -> Option<Report> {
    let mut bytes = [0u8; 64];
    let read = rustix::io::read(report, &mut bytes).ok()?;
    Report::parse(&bytes[..read])
}

/// The highest descriptor the child closes one by one where `close_range` is missing.
fn max_fd() -> libc::c_int {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    limit.map_or(65_536, |limit| limit.min(1 << 20) as libc::c_int)
}

/// Runs the command in `scratch` and gathers its output.
async fn run_in(
    policy: &SandboxPolicy,
    command: &SandboxCommand,
    interpreter: &Interpreter,
    scratch: &Scratch,
) -> Result<SandboxOutput, SandboxError> {
    let Started { mut child, report } = start(policy, command, interpreter, scratch.path()).await?;
    let started = Instant::now();
    let group = child.id();

    if let Some(mut stdin) = child.stdin.take() {
        let bytes = command.get_stdin().to_vec();
        tokio::spawn(async move {
            // A program that does not read its input closes the pipe: not an error.
            let _ = stdin.write_all(&bytes).await;
        });
    }
    let overflow = Arc::new(Notify::new());
    let cap = policy.max_output;
    let stdout = child
        .stdout
        .take()
        .map(|out| tokio::spawn(read_capped(out, cap, Arc::clone(&overflow))));
    let stderr = child
        .stderr
        .take()
        .map(|err| tokio::spawn(read_capped(err, cap, Arc::clone(&overflow))));

    let killed_for = tokio::select! {
        _ = child.wait() => None,
        () = tokio::time::sleep(policy.wall_time) => Some(Limit::WallTime),
        () = overflow.notified() => Some(Limit::Output),
    };
    if killed_for.is_some() {
        kill_group(group);
        let _ = child.start_kill();
    }
    let keeper = child.wait().await;
    // Whatever is left of the group (without a PID namespace, a straggler can outlive the
    // program).
    kill_group(group);
    let wall_time = started.elapsed();
    let (stdout, stdout_over) = gather(stdout).await;
    let (stderr, stderr_over) = gather(stderr).await;
    // Output past the cap, even from a program that ended before it could be killed.
    let killed_for = killed_for.or((stdout_over || stderr_over).then_some(Limit::Output));

    let report = read_report(&report);
    let (status, cpu_time, peak_memory) = match report {
        Some(Report::Exited {
            status,
            cpu_micros,
            max_rss_kib,
        }) => (
            decode(status),
            Some(Duration::from_micros(cpu_micros.max(0) as u64)),
            Some(max_rss_kib.max(0) as u64 * 1024),
        ),
        // The keeper was killed (by the wall-time or output limit, or by the program
        // signalling its process group) before it could say.
        _ => {
            use std::os::unix::process::ExitStatusExt;
            let signal = keeper
                .ok()
                .and_then(|status| status.signal())
                .unwrap_or(libc::SIGKILL);
            (ExitStatus::Signal(signal), None, None)
        }
    };
    let limit = killed_for
        .or_else(|| {
            let cpu_limit = Duration::from_secs(super::policy::cpu_seconds(policy.cpu_time));
            // The kernel counts CPU time in ticks, rusage more finely: near the limit will do.
            let at_limit = cpu_time.is_some_and(|used| used >= cpu_limit.mul_f64(0.8));
            let signalled = matches!(status, ExitStatus::Signal(libc::SIGKILL | libc::SIGXCPU));
            (signalled && at_limit).then_some(Limit::CpuTime)
        })
        .or_else(|| (status == ExitStatus::Signal(libc::SIGXFSZ)).then_some(Limit::FileSize))
        .or_else(|| {
            (!status.success())
                .then(|| limit_from_stderr(&stderr))
                .flatten()
        });

    let mut output = SandboxOutput::new(status, stdout, stderr, wall_time);
    output.cpu_time = cpu_time;
    output.peak_memory = peak_memory;
    output.limit = limit;
    Ok(output)
}

/// Kills the process group the keeper leads (its pid is the group's id).
fn kill_group(group: Option<u32>) {
    let Some(pid) = group.and_then(|pid| rustix::process::Pid::from_raw(pid as i32)) else {
        return;
    };
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}

/// A reader's output, waiting a little for its end (the pipes close when the tree is gone).
async fn gather(reader: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>) -> (Vec<u8>, bool) {
    let Some(mut reader) = reader else {
        return (Vec::new(), false);
    };
    match tokio::time::timeout(Duration::from_secs(2), &mut reader).await {
        Ok(Ok(output)) => output,
        _ => {
            reader.abort();
            (Vec::new(), false)
        }
    }
}

/// Reads `reader` to its end, keeping at most `cap` bytes; past that, notifies `overflow` and
/// stops reading (the run is killed).
async fn read_capped(
    mut reader: impl AsyncRead + Unpin,
    cap: usize,
    overflow: Arc<Notify>,
) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => return (kept, false),
            Ok(read) => {
                let room = cap - kept.len();
                if read > room {
                    kept.extend_from_slice(&buffer[..room]);
                    overflow.notify_one();
                    return (kept, true);
                }
                kept.extend_from_slice(&buffer[..read]);
            }
        }
    }
}

/// A raw wait status as an [`ExitStatus`].
fn decode(status: i32) -> ExitStatus {
    if status & 0x7f == 0 {
        ExitStatus::Code((status >> 8) & 0xff)
    } else {
        ExitStatus::Signal(status & 0x7f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_statuses_decode() {
        assert_eq!(decode(0), ExitStatus::Code(0));
        assert_eq!(decode(3 << 8), ExitStatus::Code(3));
        assert_eq!(decode(9), ExitStatus::Signal(9));
    }

    #[tokio::test]
    async fn output_past_the_cap_is_cut_and_told() {
        let overflow = Arc::new(Notify::new());
        let (kept, over) = read_capped(&[7u8; 100][..], 10, Arc::clone(&overflow)).await;
        assert_eq!((kept.len(), over), (10, true));
        overflow.notified().await; // the permit was stored
        let (kept, over) = read_capped(&b"short"[..], 10, overflow).await;
        assert_eq!((kept, over), (b"short".to_vec(), false));
    }
}
