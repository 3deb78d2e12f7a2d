//! Errors: [`Error`] for building and serving a server, [`ToolError`] for a failed tool call.

pub(crate) mod codes;
// `fetch::FetchError`, defined here so that `ToolError` can show its refusals without this
// module importing `fetch` (which imports it).
#[cfg(feature = "fetch")]
pub(crate) mod fetch;
// `files::FileError`, defined here so that `ToolError` can show its refusals without this
// module importing `files` (which imports it).
#[cfg(feature = "files")]
pub(crate) mod files;
// `sandbox::SandboxError`, here for the same reason.
#[cfg(feature = "sandbox")]
pub(crate) mod sandbox;

use std::borrow::Cow;
use std::fmt;

use rmcp::model::{CallToolResult, ContentBlock};

/// An error while building, configuring or serving a [`Server`](crate::Server).
///
/// Every variant names the component or setting at fault, so a server that fails at startup
/// says what to fix.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A component failed startup validation (its name, its schema, …).
    #[error("tool `{tool}`: {message}")]
    InvalidTool {
        /// The tool's registered name.
        tool: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two tools were registered under the same name.
    #[error(
        "tool name `{0}` is registered twice; give one of them another name with `#[tool(name = \"…\")]`"
    )]
    DuplicateTool(String),
    /// A component needs shared state that the builder was not given.
    #[error(
        "{kind} `{name}` takes `State<{type_name}>`, but the builder has no state of that type; add `.state(…)` with a `{type_name}` value"
    )]
    MissingState {
        /// `tool`, `resource` or `prompt`.
        kind: &'static str,
        /// The component that needs the state.
        name: String,
        /// The Rust type of the missing state.
        type_name: &'static str,
    },
    /// Two components, possibly from mounted servers, have the same name (or URI).
    #[error(
        "{kind} `{name}` is defined twice: by {first} and by {second}; rename one, or mount under another prefix"
    )]
    Collision {
        /// `tool`, `resource` or `prompt`.
        kind: &'static str,
        /// The colliding name or URI.
        name: String,
        /// Where the first definition comes from.
        first: String,
        /// Where the second definition comes from.
        second: String,
    },
    /// A setting is invalid; the message names the variable (or file and key) and the value.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A startup hook failed; the message names the state it was building.
    #[error("the server could not start: {0}")]
    Startup(String),
    /// The MCP session could not start (the handshake failed or the transport closed early).
    #[error("the MCP session could not start: {0}")]
    Initialize(String),
    /// The MCP session ended with an error.
    #[error("the MCP session failed: {0}")]
    Session(String),
    /// An I/O error from a transport.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A command-line usage error (already printed with help by `run`).
    #[error("{0}")]
    Usage(String),
    /// A one-shot command (`call`, `read`, `prompt`) failed: an error result or a JSON-RPC
    /// error.
    #[error("the request failed: {0}")]
    CallFailed(String),
}

// `main` returning `Result<(), Error>` prints the error with `Debug`: make that the readable
// message rather than a struct dump, as anyhow does.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The error a tool returns: a message the caller (usually a model) reads, or an internal failure
/// that is logged and masked.
///
/// A tool returning `Result<T, E>` may use any `E` that converts into `ToolError`:
///
/// - [`ToolError::new`] is a message the caller sees as-is (`isError: true`): use it for
///   everything the caller can act on ("no note with id 7").
/// - Any `std::error::Error + Send + Sync + 'static` converts (so `?` works on I/O, database and
///   parse errors) into an *internal* error: the server logs it, and the caller sees
///   `internal error` unless the server was built with
///   [`ServerBuilder::mask_internal_errors(false)`](crate::ServerBuilder::mask_internal_errors).
/// - A tool may also return `Result<T, Box<dyn Error + Send + Sync>>` or `anyhow::Result<T>`:
///   those errors are internal in the same way (logged with their whole chain).
/// - With the `files` feature, a refused path (`files::FileError`: escape, not found, too
///   large, read-only) converts into a message the caller sees, so the model can name another
///   path; its I/O failures stay internal.
/// - With the `fetch` feature, a URL refused or failed (`fetch::FetchError`: blocked, timed
///   out, too large, rate limited, unreachable) converts into a message the caller sees, which
///   names the reason but not what a host resolved to; an invalid policy or request built by
///   the server's own code stays internal.
/// - With the `sandbox` feature, code stopped by a limit or a file name leading out of the
///   scratch directory (`sandbox::SandboxError`) converts into a message the caller sees, so the
///   model can change its code; an unsupported kernel or a failed set-up stays internal.
/// - [`ToolError::internal`] does the same for anything that is not an `Error` type (a `String`,
///   or an `anyhow::Error` met with `?` inside a function that returns `ToolError`).
///
/// `ToolError` deliberately does not implement `std::error::Error` (as `anyhow::Error` does
/// not): that is what lets every error type convert into it with `?`.
pub struct ToolError {
    kind: Kind,
}

enum Kind {
    /// Caller-visible message.
    Message(Cow<'static, str>),
    /// Arguments did not match the input schema; caller-visible.
    InvalidArguments(String),
    /// Internal failure: logged, masked unless the server shows internal errors.
    Internal(Box<dyn std::error::Error + Send + Sync>),
    /// The tool panicked; the payload's message, if it had one.
    Panic(String),
    /// The tool asked the client a question that goes out with this round's result (protocol
    /// 2026-07-28, see `rounds`): not a failure.
    InputRequired,
}

impl ToolError {
    /// A failure the caller sees as-is, as an error result (`isError: true`).
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: Kind::Message(message.into()),
        }
    }

    /// An internal failure: logged by the server, shown to the caller as `internal error` unless
    /// the server disables masking.
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            kind: Kind::Internal(error.into()),
        }
    }

    /// Arguments that do not fit the tool's input schema. The message names the field and the
    /// rule, so a model can correct its call.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::InvalidArguments(message.into()),
        }
    }

    pub(crate) fn panic(message: String) -> Self {
        Self {
            kind: Kind::Panic(message),
        }
    }

    /// Whether this is an internal error (masked by default) rather than a caller-visible one.
    pub fn is_internal(&self) -> bool {
        matches!(self.kind, Kind::Internal(_) | Kind::Panic(_))
    }

    /// The message the caller sees, given the server's masking setting.
    pub(crate) fn caller_message(&self, mask_internal: bool) -> String {
        match &self.kind {
            Kind::Message(message) => message.to_string(),
            Kind::InvalidArguments(message) => format!("invalid arguments: {message}"),
            Kind::Internal(_) | Kind::Panic(_) if mask_internal => "internal error".to_owned(),
            Kind::Internal(error) => error_chain(error.as_ref()),
            Kind::Panic(message) => format!("the tool panicked: {message}"),
            Kind::InputRequired => self_message_input_required().to_owned(),
        }
    }

    /// The error as a resource or prompt failure takes it (`?` on a `Ctx` method there).
    pub(crate) fn into_plain(self) -> Plain {
        match self.kind {
            Kind::Message(message) => Plain::Message(message),
            Kind::InvalidArguments(message) => Plain::InvalidArguments(message),
            Kind::Internal(error) => Plain::Internal(error),
            Kind::Panic(message) => Plain::Internal(format!("panicked: {message}").into()),
            Kind::InputRequired => Plain::Message(self_message_input_required().into()),
        }
    }

    /// The tool stopped at a question to the client, which goes out with this round's result.
    pub(crate) fn input_required() -> Self {
        Self {
            kind: Kind::InputRequired,
        }
    }

    /// Turns the error into the tool's error result, logging internal failures.
    pub(crate) fn into_call_result(self, tool: &str, mask_internal: bool) -> CallToolResult {
        if matches!(self.kind, Kind::InputRequired) {
            // Not an error: an incomplete result (never cached, retried or counted as a
            // failure), which the handler replaces with the `InputRequiredResult`.
            let mut result = CallToolResult::success(Vec::new());
            result.result_type = Some(rmcp::model::ResultType::INPUT_REQUIRED);
            return result;
        }
        if self.is_internal() {
            tracing::error!(tool, error = %self, "tool call failed with an internal error");
        }
        CallToolResult::error(vec![ContentBlock::text(self.caller_message(mask_internal))])
    }
}

fn self_message_input_required() -> &'static str {
    "the client's answer is needed to go on"
}

/// A [`ToolError`] in the terms resource and prompt errors share.
pub(crate) enum Plain {
    Message(Cow<'static, str>),
    InvalidArguments(String),
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// `250ms`, `5s`, `1.5s`, `2m`: a duration as people write it.
pub(crate) fn format_duration(duration: std::time::Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1_000 {
        format!("{millis}ms")
    } else if millis.is_multiple_of(60_000) {
        format!("{}m", millis / 60_000)
    } else if millis.is_multiple_of(1_000) {
        format!("{}s", millis / 1_000)
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.caller_message(false))
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Message(_) => "Message",
            Kind::InvalidArguments(_) => "InvalidArguments",
            Kind::Internal(_) => "Internal",
            Kind::Panic(_) => "Panic",
            Kind::InputRequired => "InputRequired",
        };
        f.debug_struct("ToolError")
            .field("kind", &kind)
            .field("message", &self.caller_message(false))
            .finish()
    }
}

impl<E> From<E> for ToolError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        // rmcp's own error type carries a message meant for the caller: `from_boxed` keeps it
        // visible rather than masking it as an internal failure.
        Self::from_boxed(Box::new(error))
    }
}

impl ToolError {
    /// A boxed error (from `?` on any error, a `Box<dyn Error + Send + Sync>` or an
    /// `anyhow::Error`): internal, except rmcp's own error type and the refusals of
    /// `files::FileError` and `fetch::FetchError`, whose messages are meant for the caller.
    pub(crate) fn from_boxed(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        let error = match error.downcast::<rmcp::ErrorData>() {
            Ok(data) => return Self::new(data.message.clone()),
            Err(other) => other,
        };
        // A refused path (escape, not found, too large, read-only) is for the model to act on.
        #[cfg(feature = "files")]
        let error = match error.downcast::<files::FileError>() {
            Ok(file) if file.is_for_caller() => return Self::new(file.to_string()),
            Ok(file) => file,
            Err(other) => other,
        };
        // A refused or failed fetch (blocked, timed out, too large…) is for the model too.
        #[cfg(feature = "fetch")]
        let error = match error.downcast::<fetch::FetchError>() {
            Ok(fetch) if fetch.is_for_caller() => return Self::new(fetch.to_string()),
            Ok(fetch) => fetch,
            Err(other) => other,
        };
        // Code stopped by a limit, or a file name leading out: for the model to change.
        #[cfg(feature = "sandbox")]
        let error = match error.downcast::<sandbox::SandboxError>() {
            Ok(sandbox) if sandbox.is_for_caller() => return Self::new(sandbox.to_string()),
            Ok(sandbox) => sandbox,
            Err(other) => other,
        };
        Self {
            kind: Kind::Internal(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_errors_are_internal_and_masked() {
        let error: ToolError = std::io::Error::other("disk on fire").into();
        assert!(error.is_internal());
        assert_eq!(error.caller_message(true), "internal error");
        assert_eq!(error.caller_message(false), "disk on fire");
    }

    #[cfg(feature = "files")]
    #[test]
    fn file_refusals_are_visible_and_file_io_failures_internal() {
        let refused: ToolError = files::FileError::ReadOnly { path: "a".into() }.into();
        assert!(!refused.is_internal());
        assert!(refused.caller_message(true).contains("read-only"));
        let failed: ToolError = files::FileError::Io {
            path: "a".into(),
            source: std::io::Error::other("disk on fire"),
        }
        .into();
        assert!(failed.is_internal());
        assert_eq!(failed.caller_message(true), "internal error");
    }

    #[cfg(feature = "fetch")]
    #[test]
    fn fetch_refusals_are_visible_and_policy_mistakes_internal() {
        let blocked: ToolError = fetch::FetchError::Blocked {
            url: "http://127.0.0.1/".into(),
            reason: "its host 127.0.0.1 is a loopback address".into(),
        }
        .into();
        assert!(!blocked.is_internal());
        assert_eq!(
            blocked.caller_message(true),
            "refused to fetch http://127.0.0.1/: its host 127.0.0.1 is a loopback address"
        );
        let timeout: ToolError = fetch::FetchError::Timeout {
            url: "https://example.com/".into(),
            what: "the request",
            after: std::time::Duration::from_millis(1500),
        }
        .into();
        assert_eq!(
            timeout.caller_message(true),
            "fetching https://example.com/ timed out: the request took longer than 1.5s"
        );
        let config: ToolError = fetch::FetchError::Config {
            message: "deny_hosts: `10.0.0.0/33` is not a host or network".into(),
        }
        .into();
        assert!(config.is_internal());
        assert_eq!(config.caller_message(true), "internal error");
    }

    #[cfg(feature = "sandbox")]
    #[test]
    fn sandbox_limits_are_visible_and_set_up_failures_internal() {
        let stopped: ToolError = sandbox::SandboxError::Limit {
            limit: sandbox::Limit::WallTime,
            allowed: Some("2s".into()),
        }
        .into();
        assert!(!stopped.is_internal());
        assert!(
            stopped
                .caller_message(true)
                .contains("wall time limit (2s)")
        );
        let unsupported: ToolError = sandbox::SandboxError::Unsupported {
            feature: "Landlock".into(),
            opt_out: None,
        }
        .into();
        assert!(unsupported.is_internal());
        assert_eq!(unsupported.caller_message(true), "internal error");
    }

    #[test]
    fn rmcp_errors_stay_visible() {
        let error: ToolError = rmcp::ErrorData::invalid_params("bad id", None).into();
        assert!(!error.is_internal());
        assert_eq!(error.caller_message(true), "bad id");
    }

    #[test]
    fn internal_shows_the_source_chain_when_unmasked() {
        #[derive(Debug, thiserror::Error)]
        #[error("query failed")]
        struct Outer(#[source] std::io::Error);
        let error = ToolError::from(Outer(std::io::Error::other("connection reset")));
        assert_eq!(
            error.caller_message(false),
            "query failed: connection reset"
        );
    }
}
