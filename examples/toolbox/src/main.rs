//! A toolbox: the runtime's three security helpers, each behind tools a model may call with
//! whatever arguments it likes.
//!
//! - `fetch_url` fetches a page through a [`Fetcher`], whose policy comes from the `[fetch]`
//!   settings (`MCP_FETCH__*`): `https` only, and nothing on loopback, private or link-local
//!   networks, nor a cloud metadata service (server-side request forgery).
//! - `read_file` and `write_file` work in a [`FileRoot`]: the `[files] root` directory of the
//!   settings (`MCP_FILES__ROOT`), or else `./toolbox-files`, which the toolbox creates at start.
//!   A path out of it (`../x`, `/etc/passwd`, a symlink out) is refused.
//! - `run_python` runs a snippet with `python3 -c` in a [`Sandbox`] (Linux): no network, a
//!   filesystem view of the interpreter and a scratch directory, a syscall filter, limits. The
//!   toolbox always has one, whether or not `[sandbox] enabled` is set; its limits are those of
//!   the `[sandbox]` settings (`MCP_SANDBOX__WALL_TIME`, `MCP_SANDBOX__CPU_TIME`, …).
//!
//! ```text
//! cargo run -p toolbox -- call run_python '{"code":"print(6*7)"}'
//! cargo run -p toolbox -- call write_file '{"path":"notes/hello.md","content":"# Hello"}'
//! cargo run -p toolbox -- call read_file '{"path":"notes/hello.md"}'
//! cargo run -p toolbox -- call read_file '{"path":"../../etc/passwd"}'         # refused
//! cargo run -p toolbox -- call fetch_url '{"url":"https://example.com/"}'
//! cargo run -p toolbox -- call fetch_url '{"url":"https://169.254.169.254/"}'  # refused
//! MCP_SANDBOX__WALL_TIME=2s cargo run -p toolbox -- call run_python '{"code":"while True: pass"}'
//! cargo run -p toolbox -- inspect
//! cargo run -p toolbox                    # serve over stdio
//! ```
#![forbid(unsafe_code)]

use mcp_runtime::fetch::Fetcher;
use mcp_runtime::files::FileRoot;
use mcp_runtime::prelude::*;
use mcp_runtime::sandbox::{Sandbox, SandboxCommand, SandboxPolicy};

/// Where the files are when the settings name no `[files] root`, relative to the working
/// directory.
const DEFAULT_ROOT: &str = "toolbox-files";

/// Fetch a web page and return its body as text. Only public `https` URLs: addresses on the
/// local or a private network, and cloud metadata services, are refused.
#[tool(annotations(read_only, open_world))]
async fn fetch_url(
    fetcher: Fetcher,
    /// The URL, such as `https://example.com/`
    url: String,
) -> Result<String, ToolError> {
    let response = fetcher.get(&url).await?;
    if !response.status().is_success() {
        return Err(ToolError::new(format!(
            "{} answered with status {}",
            response.url(),
            response.status()
        )));
    }
    Ok(response.text())
}

/// Read a text file of the toolbox's directory.
#[tool(annotations(read_only, open_world = false))]
async fn read_file(
    root: FileRoot,
    /// The file's path, relative to the directory, such as `notes/today.md`
    path: String,
) -> Result<String, ToolError> {
    Ok(root.read_to_string(&path).await?)
}

/// Write a text file in the toolbox's directory, creating it (and its directories) or
/// replacing what it held.
#[tool(annotations(destructive, idempotent, open_world = false))]
async fn write_file(
    root: FileRoot,
    /// The file's path, relative to the directory, such as `notes/today.md`
    path: String,
    /// The text to write
    content: String,
) -> Result<String, ToolError> {
    if let Some((parent, _)) = path.rsplit_once('/') {
        root.create_dir_all(parent).await?;
    }
    root.write(&path, &content).await?;
    Ok(format!("wrote {} bytes to {path}", content.len()))
}

/// Run a Python 3 snippet in a sandbox (no network, no access to the host's files, limited
/// time and memory) and return what it printed, stdout then stderr.
#[tool(annotations(open_world = false))]
async fn run_python(
    sandbox: Sandbox,
    /// The Python code, run with `python3 -c`
    code: String,
) -> Result<String, ToolError> {
    let command = SandboxCommand::new("python3").arg("-c").arg(code);
    // A limit (time, memory, output…) becomes an error result naming it.
    let output = sandbox.run(command).await?.check()?;
    let printed = format!("{}{}", output.stdout_text(), output.stderr_text());
    if !output.status.success() {
        return Err(ToolError::new(format!(
            "the code failed ({}):\n{printed}",
            output.status
        )));
    }
    Ok(printed)
}

/// The toolbox server, from the settings (defaults, `mcp.toml`, `.env`, `MCP_*` variables).
fn server(settings: mcp_runtime::Settings) -> Result<Server, mcp_runtime::Error> {
    // `.settings(…)` gives the server a `FileRoot` when `[files] root` is set, a `Fetcher`
    // always, and a `Sandbox` when `[sandbox] enabled` is: the rest is the toolbox's to add.
    let root = match settings.files.root {
        Some(_) => None,
        None => Some(default_root()?),
    };
    let sandbox = (!settings.sandbox.enabled)
        .then(|| Sandbox::new(SandboxPolicy::from_settings(&settings.sandbox)));
    let mut builder = Server::builder("toolbox")
        .version(env!("CARGO_PKG_VERSION"))
        .settings(settings)
        .instructions(
            "Fetch public web pages, read and write files in one directory, and run Python \
             snippets in a sandbox.",
        )
        .tools(tools![fetch_url, read_file, write_file, run_python]);
    if let Some(root) = root {
        builder = builder.state(root);
    }
    if let Some(sandbox) = sandbox {
        builder = builder.state(sandbox);
    }
    builder.build()
}

/// `./toolbox-files`, created if missing.
fn default_root() -> Result<FileRoot, mcp_runtime::Error> {
    std::fs::create_dir_all(DEFAULT_ROOT).map_err(|error| {
        mcp_runtime::Error::Startup(format!("creating ./{DEFAULT_ROOT}: {error}"))
    })?;
    FileRoot::open(DEFAULT_ROOT).map_err(|error| mcp_runtime::Error::Startup(error.to_string()))
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Before anything can print: `println!` goes to stderr, stdout stays the protocol's.
    mcp_runtime::logging::protect_stdout()?;
    server(mcp_runtime::Settings::load()?)?.run().await
}
