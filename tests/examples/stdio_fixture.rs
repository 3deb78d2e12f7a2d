//! A fixture server that `tests/it/stdio_transport.rs` runs as a child process (stdio needs a
//! process of its own): it prints before serving, has tools that misbehave on stdout and report
//! progress, and is served with the standard command line.
#![forbid(unsafe_code)]

use mcp_runtime::prelude::*;

/// Prints to stdout, as careless user code does, then answers.
#[tool]
async fn shout(text: String) -> String {
    println!("stray output from a tool: {text}");
    print!("and a partial line");
    text.to_uppercase()
}

/// Reports progress twice; returns whether the notifications were sent.
#[tool]
async fn progress(ctx: Ctx) -> bool {
    let first = ctx.progress(1.0, Some(2.0)).await;
    let second = ctx.progress_with_message(2.0, Some(2.0), "done").await;
    first && second
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // First thing: from here on `println!` goes to stderr, and stdout is the protocol's.
    mcp_runtime::logging::protect_stdout()?;
    println!("stdio-fixture: starting up");
    print!("a partial line before run");
    Server::builder("stdio-fixture")
        .tools(tools![shout, progress])
        .build()?
        .run()
        .await
}
