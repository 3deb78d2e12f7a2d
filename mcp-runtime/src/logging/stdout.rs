//! Keeping stdout for the protocol: [`protect_stdout`] and the saved real stdout,
//! [`ProtectedStdout`].

use std::io::{self, Write};
use std::sync::Arc;

/// The real stdout once [`protect_stdout`] saved it (for the rest of the process).
#[cfg(unix)]
static SAVED: std::sync::Mutex<Option<Arc<std::fs::File>>> = std::sync::Mutex::new(None);

/// Points this process's stdout at stderr, keeping the real stdout for the protocol: call it
/// first thing in `main`, before anything can print, in a server an MCP client spawns over
/// stdio.
///
/// Over stdio, stdout carries JSON-RPC and nothing else: one stray line (a `println!` while
/// the server starts up, a library's banner) and the client drops the connection.
/// [`Server::run`](crate::Server::run) and [`Server::serve_stdio`](crate::Server::serve_stdio)
/// protect stdout themselves when they start, which covers everything printed while serving;
/// what was printed *before* them has already reached the client. This call closes that gap:
/// from here on `println!` (and anything else writing to file descriptor 1) lands on stderr,
/// and the protocol, the results `run()`'s `inspect`/`call`/`read`/`prompt` commands print, and
/// the JSON logs of an HTTP server, go to the real stdout through the returned handle, which the
/// transport shares.
///
/// ```no_run
/// use mcp_runtime::prelude::*;
///
/// #[tokio::main]
/// async fn main() -> Result<(), mcp_runtime::Error> {
///     mcp_runtime::logging::protect_stdout()?;
///     println!("loading…"); // goes to stderr, not to the client
///     Server::builder("quiet").build()?.run().await
/// }
/// ```
///
/// The protection lasts until the process exits, whether or not the handle is kept; calling
/// again returns the same saved stdout. Text still buffered in `std::io::stdout()` when it is
/// called is written to stderr too. On platforms other than Unix it does nothing, and the
/// handle writes to stdout as it is.
///
/// Not for tests or for processes whose stdout is a terminal someone reads: it moves the whole
/// process's stdout.
pub fn protect_stdout() -> io::Result<ProtectedStdout> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;

        let mut saved = SAVED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = &*saved {
            return Ok(ProtectedStdout {
                file: Some(file.clone()),
            });
        }
        let real = rustix::io::dup(io::stdout().as_fd()).map_err(io::Error::from)?;
        rustix::stdio::dup2_stdout(io::stderr().as_fd()).map_err(io::Error::from)?;
        let file = Arc::new(std::fs::File::from(real));
        *saved = Some(file.clone());
        Ok(ProtectedStdout { file: Some(file) })
    }
    #[cfg(not(unix))]
    {
        Ok(ProtectedStdout { file: None })
    }
}

/// The real stdout: the saved one if [`protect_stdout`] ran, else stdout as it is.
pub(crate) fn real_stdout() -> ProtectedStdout {
    #[cfg(unix)]
    {
        let saved = SAVED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ProtectedStdout {
            file: saved.clone(),
        }
    }
    #[cfg(not(unix))]
    {
        ProtectedStdout { file: None }
    }
}

/// The process's real stdout, as [`protect_stdout`] saved it: write to it what must reach
/// whatever reads the process's output (the protocol, a command's result), while `println!`
/// goes to stderr.
#[derive(Debug, Clone)]
pub struct ProtectedStdout {
    /// `None` where stdout could not be moved (not Unix): stdout as it is.
    file: Option<Arc<std::fs::File>>,
}

impl ProtectedStdout {
    /// Whether stdout really was moved (always `false` outside Unix).
    pub fn is_protected(&self) -> bool {
        self.file.is_some()
    }

    /// The real stdout's file, where it was moved (Unix).
    pub(crate) fn file(&self) -> Option<&std::fs::File> {
        self.file.as_deref()
    }

    /// An async writer to the real stdout, for the stdio transport (its writes go through
    /// tokio's blocking pool).
    pub(crate) fn async_writer(&self) -> io::Result<Box<dyn tokio::io::AsyncWrite + Send + Unpin>> {
        match &self.file {
            Some(file) => Ok(Box::new(tokio::fs::File::from_std(file.try_clone()?))),
            None => Ok(Box::new(tokio::io::stdout())),
        }
    }
}

impl Write for ProtectedStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &self.file {
            Some(file) => (&**file).write(buf),
            None => io::stdout().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &self.file {
            Some(file) => (&**file).flush(),
            None => io::stdout().flush(),
        }
    }
}
