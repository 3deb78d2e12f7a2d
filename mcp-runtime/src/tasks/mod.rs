//! Tasks: a `tools/call` answered with a handle the client polls, for work that outlives a
//! request (the `io.modelcontextprotocol/tasks` extension, SEP-2663, of protocol 2026-07-28).
//!
//! Mark a tool `#[tool(task = "optional")]` (a task when the request declares the tasks
//! extension, else an ordinary call) or `#[tool(task = "required")]` (only as a task: a client
//! that did not declare the extension gets `-32021`, missing required client capability). The
//! server then advertises the extension, and a call of that tool:
//!
//! - answers at once with a task (`resultType: "task"`, a `taskId`, `status: "working"`, its
//!   `ttlMs` and `pollIntervalMs`) and runs the tool in the background, through the same
//!   middleware as any call;
//! - `tasks/get` returns the task's status, and its result (or JSON-RPC error) once it is done;
//!   a tool that asks the client (`Ctx::elicit`, `Ctx::sample`) puts the task in
//!   `input_required` with its `inputRequests`, and `tasks/update` with the `inputResponses`
//!   answers it;
//! - `tasks/cancel` cancels the run: the tool's
//!   [`Ctx::cancellation_token`](crate::Ctx::cancellation_token) fires, the tool has a second
//!   to stop on its own before its run is dropped, and the task is `cancelled`;
//! - each change of status is also sent as `notifications/tasks` while the client is
//!   connected, and the tool's progress notifications reach it as for any call;
//! - the task and its result outlive the client's connection until its time to live
//!   (`[tasks] ttl`, 10 minutes by default), which also bounds the run (unless the tool has its
//!   own `timeout`).
//!
//! A task belongs to the caller's token subject when the request is authenticated: another
//! subject gets "no such task". Without auth, the task id (128 random bits) is the only key.
//! How many tasks run at once is capped per subject and in all (`[tasks] max_per_client`,
//! `max_running`), with a clear error past the cap.
//!
//! The records live in a [`TaskStore`]: [`MemoryTaskStore`] by default, or a shared store
//! given with [`ServerBuilder::task_store`](crate::ServerBuilder::task_store). Running tools,
//! their cancellation and their open questions stay in the process that runs them.
//!
//! ```
//! use std::time::Duration;
//! use mcp_runtime::prelude::*;
//!
//! /// Renders a long report.
//! #[tool(task = "optional")]
//! async fn report(ctx: Ctx, pages: u32) -> String {
//!     for page in 1..=pages {
//!         ctx.progress(page as f64, Some(pages as f64)).await;
//!         tokio::time::sleep(Duration::from_millis(10)).await;
//!     }
//!     format!("{pages} pages")
//! }
//!
//! let server = Server::builder("reports").tools(tools![report]).build().unwrap();
//! assert!(server.info().capabilities.supports_tasks());
//! ```

pub(crate) mod runtime;
mod store;

pub use store::{MemoryTaskStore, TaskRecord, TaskStore, TaskStoreError};

/// What [`TaskStore`]'s methods return: a boxed, sendable future (the same type as
/// `futures::future::BoxFuture`).
pub use crate::util::BoxFuture;

/// Whether a tool runs as a task (`#[tool(task = "…")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TaskSupport {
    /// Never: every call is answered when the tool returns (the default).
    #[default]
    Forbidden,
    /// As a task when the request declares the tasks extension, else an ordinary call.
    Optional,
    /// Only as a task: a request that does not declare the tasks extension is refused.
    Required,
}

impl TaskSupport {
    /// How the tool's listing says it (`_meta["io.modelcontextprotocol/tasks"].taskSupport`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSupport::Forbidden => "forbidden",
            TaskSupport::Optional => "optional",
            TaskSupport::Required => "required",
        }
    }
}
