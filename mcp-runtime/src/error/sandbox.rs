//! [`SandboxError`]: why sandboxed code did not run, or was stopped. It lives here, beside
//! [`ToolError`](super::ToolError), which shows the caller the errors meant for it; its public
//! path is `sandbox::SandboxError`.

use std::io;

/// A limit of a [`SandboxPolicy`](crate::sandbox::SandboxPolicy) that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// It ran longer than the wall-clock limit: the whole process tree was killed.
    WallTime,
    /// It used more CPU time than allowed (`RLIMIT_CPU`): the kernel killed it.
    CpuTime,
    /// An allocation failed at the memory limit (`RLIMIT_AS`) and the program failed.
    Memory,
    /// It wrote more than the output cap to stdout or stderr: the tree was killed and the
    /// output cut at the cap.
    Output,
    /// A file it wrote reached the file size limit (`RLIMIT_FSIZE`) and the program failed.
    FileSize,
    /// It could not start a process past the process limit and failed.
    Processes,
}

impl Limit {
    /// The limit's name in words: `wall time`, `CPU time`, `memory`, `output`, `file size`,
    /// `processes`.
    pub fn name(self) -> &'static str {
        match self {
            Limit::WallTime => "wall time",
            Limit::CpuTime => "CPU time",
            Limit::Memory => "memory",
            Limit::Output => "output",
            Limit::FileSize => "file size",
            Limit::Processes => "processes",
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a [`Sandbox`](crate::sandbox::Sandbox) run failed, or (from
/// [`SandboxOutput::check`](crate::sandbox::SandboxOutput::check)) was stopped by a limit.
///
/// A tool may use `?` on it: [`Limit`](SandboxError::Limit) and
/// [`InvalidFile`](SandboxError::InvalidFile) become messages the caller (the model that wrote
/// the code) reads; the rest are the operator's to fix, so they are internal errors (logged,
/// masked by default).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The kernel (or the platform) lacks an isolation feature the policy requires. Nothing
    /// ran: the sandbox never runs code with less isolation than asked for.
    #[error(
        "the sandbox cannot run code here: {feature} is not available{}",
        opt_out.map(|name| format!(
            " (to run without it anyway, set `SandboxPolicy::{name}(false)`)"
        )).unwrap_or_default()
    )]
    Unsupported {
        /// What is missing, in words.
        feature: String,
        /// The [`SandboxPolicy`](crate::sandbox::SandboxPolicy) method that opts out of it,
        /// if one does.
        opt_out: Option<&'static str>,
    },
    /// The interpreter could not be found or used.
    #[error("cannot run {program:?}: {reason}")]
    Interpreter {
        /// The program as the command named it.
        program: String,
        /// What went wrong.
        reason: String,
    },
    /// A file to place in the scratch directory has a name that leads out of it.
    #[error(
        "cannot place the file {name:?} in the sandbox: its name {reason}; name it relative to the working directory, such as `main.py`"
    )]
    InvalidFile {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A limit stopped the code (from
    /// [`SandboxOutput::check`](crate::sandbox::SandboxOutput::check)).
    #[error("the code was stopped: it reached the sandbox's {limit} limit{}", allowed.as_ref().map(|allowed| format!(" ({allowed})")).unwrap_or_default())]
    Limit {
        /// The limit.
        limit: Limit,
        /// The limit's value, in words (`2s`, `64 MiB`), when known.
        allowed: Option<String>,
    },
    /// A step of confining the child failed in a way that says nothing about the kernel's
    /// support (the operating system's error says why).
    #[error("the sandbox could not be set up ({step}): {source}")]
    Setup {
        /// The step ("creating the scratch directory", "setrlimit", …).
        step: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl SandboxError {
    /// Whether the kernel or platform lacks a required isolation feature.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported { .. })
    }

    /// The limit that stopped the code, for [`SandboxError::Limit`].
    pub fn limit(&self) -> Option<Limit> {
        match self {
            Self::Limit { limit, .. } => Some(*limit),
            _ => None,
        }
    }

    /// Whether the caller (the model that wrote the code) can act on the message.
    pub(crate) fn is_for_caller(&self) -> bool {
        matches!(self, Self::Limit { .. } | Self::InvalidFile { .. })
    }

    pub(crate) fn setup(step: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Setup { step, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_names_the_feature_and_the_opt_out() {
        let error = SandboxError::Unsupported {
            feature: "Landlock".into(),
            opt_out: Some("require_landlock"),
        };
        assert_eq!(
            error.to_string(),
            "the sandbox cannot run code here: Landlock is not available (to run without it \
             anyway, set `SandboxPolicy::require_landlock(false)`)"
        );
        assert!(!error.is_for_caller());
    }

    #[test]
    fn a_limit_names_itself_and_its_value() {
        let error = SandboxError::Limit {
            limit: Limit::CpuTime,
            allowed: Some("2s".into()),
        };
        assert_eq!(
            error.to_string(),
            "the code was stopped: it reached the sandbox's CPU time limit (2s)"
        );
        assert!(error.is_for_caller());
        assert_eq!(error.limit(), Some(Limit::CpuTime));
    }
}
