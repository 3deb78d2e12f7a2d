//! The integration tests of `mcp-runtime`, through its public API: one test binary (the SDK is
//! linked once), one module per concern, helpers in [`support`].
//!
//! Every test runs in this one process, on parallel threads, so none may change what the
//! process shares: no environment variables (configuration tests pass theirs to
//! `Config::builder()`, child processes get theirs on their `Command`), no current directory,
//! no global `tracing` subscriber (captures are thread defaults, set through
//! [`support::set_thread_default`]). What needs a process of its own runs as a child: stdio
//! serving (it points file descriptor 1 at stderr), the command line, SIGTERM handling; the
//! examples and `examples/stdio_fixture.rs` are built once and started by
//! [`support::process`]. The Prometheus recorder behind `/metrics` is process-wide: metrics
//! tests check "at least" counts of their own series.
#![forbid(unsafe_code)]

mod support;

mod auth_identity;
mod blocking_tools;
mod builtin_middleware;
mod call_options;
mod cli_http;
mod cli_stdio;
mod client_requests;
mod completion;
mod composition;
mod config;
mod config_warnings;
mod conformance_fixture;
mod error_returns;
mod errors;
mod extractors;
mod fetch;
mod files;
mod fuzz;
mod fuzz_http;
mod http_auth;
mod http_auth_example;
mod http_limits;
mod http_metrics;
mod http_transport;
mod jwks_refresh;
mod lifespan;
mod logging;
mod macro_usage;
mod middleware;
mod notes_stdio;
mod pagination;
mod prompts;
mod resource_passthrough;
mod resources;
mod rounds;
mod sandbox;
mod server_build;
mod signals;
mod stdio_limits;
mod stdio_transport;
mod subscriptions;
mod tasks;
mod tool_timeout;
mod toolbox;
mod tools_call;
mod tools_schema;
mod validation;
