//! Running code a model wrote: [`Sandbox`].
//!
//! A tool that runs a Python snippet from its caller runs code nobody reviewed. A [`Sandbox`]
//! runs it in a fresh child process that, on Linux:
//!
//! - has **no network** and sees no other process: its own user, network, PID, IPC and UTS
//!   namespaces (a loopback interface that is down, and it is PID 1 of its own tree);
//! - sees a **filesystem limited by Landlock**: the interpreter's installation and the
//!   system's libraries read-only (`/usr`, `/lib`, `/lib64`, `/bin`, `/etc/ld.so.cache`,
//!   `/dev/null`, `/dev/urandom`…; not `/etc`, not `/home`, not `/root`), and a fresh
//!   **scratch directory**, its working directory and `HOME`, read-write and removed after;
//! - runs under a **seccomp filter** that refuses (`EPERM`) `ptrace`, `mount`, `unshare`,
//!   `setns`, `bpf`, `perf_event_open`, `keyctl`, `kexec_*`, `process_vm_*`, `io_uring_*`,
//!   sockets other than Unix ones, and more;
//! - has **resource limits**: CPU time, address space, processes, file size, open files, no
//!   core dumps, and a **wall-clock timeout** that kills its whole process tree (the PID
//!   namespace goes with its first process, so even a grandchild that called `setsid()` dies);
//! - gets a **clean environment** (`PATH`, `HOME`, `TMPDIR`, `LANG=C.UTF-8`, Python's
//!   `PYTHONDONTWRITEBYTECODE`, …), no file descriptor of the server's but its stdin, stdout
//!   and stderr pipes, `no_new_privs`, and a parent-death signal, so it dies with the server.
//!
//! Where the kernel lacks one of these, the run fails with [`SandboxError::Unsupported`]
//! naming it: it never runs with less isolation than the [`SandboxPolicy`] asks for (each
//! feature has an explicit opt-out there). Elsewhere than Linux, `run` always fails that way,
//! unless the sandbox was given another [`Executor`] (a container runtime…).
//!
//! Put the sandbox on the builder with [`.state(…)`](crate::ServerBuilder::state) (or turn on
//! `[sandbox]` in the settings); a tool takes it as a parameter (`Sandbox` or
//! `State<Sandbox>`), and `?` on [`SandboxOutput::check`] turns a run stopped by a limit into a
//! message the model reads:
//!
//! ```
//! use std::time::Duration;
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::sandbox::{Sandbox, SandboxCommand, SandboxPolicy};
//! use mcp_runtime::testing::TestClient;
//!
//! /// Run a Python snippet and return what it printed.
//! #[tool]
//! async fn run_python(sandbox: Sandbox, code: String) -> Result<String, ToolError> {
//!     let output = sandbox
//!         .run(SandboxCommand::new("python3").arg("-c").arg(code))
//!         .await?
//!         .check()?; // a limit becomes an error result naming it
//!     Ok(format!("{}{}", output.stdout_text(), output.stderr_text()))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if !cfg!(target_os = "linux") { return Ok(()); }
//! let sandbox = Sandbox::new(SandboxPolicy::new().wall_time(Duration::from_secs(3)));
//! let output = sandbox
//!     .run(SandboxCommand::new("python3").arg("main.py").file("main.py", "print(6 * 7)"))
//!     .await?;
//! assert_eq!(output.stdout_text(), "42\n");
//!
//! let server = Server::builder("runner")
//!     .state(sandbox)
//!     .tools(tools![run_python])
//!     .build()?;
//! let client = TestClient::new(server).await;
//! let code = "open('/etc/passwd').read()";
//! let result = client.call_tool("run_python", serde_json::json!({ "code": code })).await?;
//! assert!(result.text().contains("PermissionError"));
//! let result = client.call_tool("run_python", serde_json::json!({ "code": "while True: pass" })).await?;
//! assert!(result.is_error());
//! assert!(result.text().contains("wall time limit (3s)"));
//! # Ok(())
//! # }
//! ```

mod command;
mod executor;
#[cfg(target_os = "linux")]
mod linux;
mod output;
mod policy;

use std::sync::Arc;

pub use crate::error::sandbox::{Limit, SandboxError};
pub use command::SandboxCommand;
pub use executor::{Executor, RunFuture, Unavailable};
#[cfg(target_os = "linux")]
pub use linux::LinuxExecutor;
pub use output::{ExitStatus, SandboxOutput};
pub use policy::SandboxPolicy;

use crate::RequestCx;
use crate::ToolError;
use crate::extract::{FromRequestCx, Requirements};

/// Runs code a model wrote, isolated and limited as its [`SandboxPolicy`] says: see the
/// [module docs](self).
///
/// Cheap to clone (the policy and the executor are shared). Each [`run`](Self::run) is a new
/// process with a new scratch directory; runs may go on at once.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    policy: SandboxPolicy,
    executor: Box<dyn Executor>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox with the platform's executor: [`LinuxExecutor`] on Linux, elsewhere one that
    /// refuses every run ([`Unavailable`]).
    pub fn new(policy: SandboxPolicy) -> Self {
        #[cfg(target_os = "linux")]
        let executor = LinuxExecutor::new();
        #[cfg(not(target_os = "linux"))]
        let executor = Unavailable;
        Self::with_executor(policy, executor)
    }

    /// A sandbox that runs commands with `executor` (a container runtime…).
    pub fn with_executor(policy: SandboxPolicy, executor: impl Executor) -> Self {
        Self {
            inner: Arc::new(Inner {
                policy,
                executor: Box::new(executor),
            }),
        }
    }

    /// The sandbox the `[sandbox]` settings describe; `None` unless `enabled`.
    /// [`ServerBuilder::settings`](crate::ServerBuilder::settings) gives the server this
    /// sandbox as state.
    pub fn from_settings(settings: &crate::config::SandboxSettings) -> Option<Self> {
        settings
            .enabled
            .then(|| Self::new(SandboxPolicy::from_settings(settings)))
    }

    /// The policy.
    pub fn policy(&self) -> &SandboxPolicy {
        &self.inner.policy
    }

    /// Runs `command`: see the [module docs](self) for the isolation. Fails when the command
    /// cannot start ([`SandboxError`]); a program that fails, or that a limit stopped, is an
    /// [`SandboxOutput`] (see [`SandboxOutput::check`]).
    pub async fn run(&self, command: SandboxCommand) -> Result<SandboxOutput, SandboxError> {
        let policy = &self.inner.policy;
        let mut output = self.inner.executor.run(policy, command).await?;
        output.allowed = output.limit.map(|limit| policy.describe(limit));
        Ok(output)
    }
}

/// A tool parameter `sandbox: Sandbox` is the sandbox given to the builder with
/// `.state(sandbox)` (the same as `State<Sandbox>`, without the wrapper).
impl FromRequestCx for Sandbox {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        crate::State::<Sandbox>::from_request_cx(cx).map(|state| Sandbox::clone(&state))
    }

    fn requirements(requirements: &mut Requirements) {
        requirements.state::<Sandbox>();
    }
}
