//! The integration tests of `mcp-runtime`, through its public API: one test binary (the SDK is
//! linked once), one module per concern, helpers in [`support`].
//!
//! Every test runs in this one process, on parallel threads: a test must not change what the
//! process shares (environment variables, the current directory, file descriptors, a global
//! `tracing` subscriber or `metrics` recorder). What needs a process of its own runs one: the
//! examples and `examples/stdio_fixture.rs` are started as child processes.

mod support;

mod auth_identity;
mod builtin_middleware;
mod cli_http;
mod cli_stdio;
mod client_requests;
mod completion;
mod composition;
mod config;
mod errors;
mod extractors;
mod http_auth;
mod http_auth_example;
mod http_transport;
mod lifespan;
mod logging;
mod macro_usage;
mod middleware;
mod notes_stdio;
mod prompts;
mod resource_passthrough;
mod resources;
mod server_build;
mod signals;
mod stdio_transport;
mod subscriptions;
mod tools_call;
mod tools_schema;
mod validation;
