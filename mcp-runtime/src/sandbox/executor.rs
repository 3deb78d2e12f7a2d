//! [`Executor`]: what runs a command under a policy. The Linux one is the default; a container
//! runtime, a remote runner or a test double can stand in.

use std::future::Future;
use std::pin::Pin;

use super::{SandboxCommand, SandboxError, SandboxOutput, SandboxPolicy};

/// The future an [`Executor`] returns.
pub type RunFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SandboxOutput, SandboxError>> + Send + 'a>>;

/// Runs a [`SandboxCommand`] under a [`SandboxPolicy`]: the backend of a
/// [`Sandbox`](super::Sandbox).
///
/// [`Sandbox::new`](super::Sandbox::new) uses [`LinuxExecutor`](super::LinuxExecutor) on Linux
/// (and [`Unavailable`] elsewhere); [`Sandbox::with_executor`](super::Sandbox::with_executor)
/// takes another, such as one that runs the command in a container. An executor must honour
/// every limit of the policy, and must fail with
/// [`SandboxError::Unsupported`] rather than run with less isolation than it asks for.
pub trait Executor: Send + Sync + 'static {
    /// Runs `command` under `policy`.
    fn run<'a>(&'a self, policy: &'a SandboxPolicy, command: SandboxCommand) -> RunFuture<'a>;
}

/// The executor of platforms without a sandbox: every run fails with
/// [`SandboxError::Unsupported`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Unavailable;

impl Executor for Unavailable {
    fn run<'a>(&'a self, _policy: &'a SandboxPolicy, _command: SandboxCommand) -> RunFuture<'a> {
        Box::pin(async {
            Err(SandboxError::Unsupported {
                feature: format!(
                    "a sandbox on this platform ({}: the built-in one is Linux's; give \
                     `Sandbox::with_executor` another)",
                    std::env::consts::OS
                ),
                opt_out: None,
            })
        })
    }
}
