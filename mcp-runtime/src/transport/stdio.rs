//! Serving a [`Server`] over this process's stdin and stdout, with stdout protected from
//! stray writes.

use rmcp::ServiceExt;

use super::line::{BoxedRead, BoxedWrite};
use crate::error::Error;
use crate::server::Server;

impl Server {
    /// Serves MCP over this process's stdin and stdout until the client disconnects (stdin
    /// closes). This is what an MCP client expects of a server it spawns.
    ///
    /// Stdout then carries protocol messages alone, even when code writes to it: on Unix, the
    /// protocol keeps a duplicate of the real stdout and file descriptor 1 is pointed at
    /// stderr ([`protect_stdout`](crate::logging::protect_stdout)), so a stray `println!` lands
    /// in the logs instead of corrupting the stream. What was printed before this call has
    /// already gone to the client: call `protect_stdout()` first thing in `main` to cover it.
    ///
    /// This is the whole life of a stdio server: startup hooks first, then serving until stdin
    /// closes or the process gets SIGINT/SIGTERM, then a graceful [`shutdown`](Self::shutdown)
    /// (in-flight requests drain, shutdown hooks run).
    pub async fn serve_stdio(self) -> Result<(), Error> {
        // First, so that startup hooks cannot print into the stream either.
        let output = protected_stdout()?;
        let stop_signal = crate::lifespan::StopSignal::install();
        self.start().await?;
        let transport = super::line::LineTransport::new(stdin(), output)
            .with_lists(self.list_cache())
            .with_limits(self.stdio_limits());
        let direct = transport.direct_slot();
        let running = ServiceExt::serve(self.clone(), transport)
            .await
            .map_err(|error| Error::Initialize(error.to_string()))?;
        super::line::dispatch_directly(&direct, &running);
        let stop = running.cancellation_token();
        let server = self.clone();
        let on_signal = tokio::spawn(async move {
            stop_signal.recv().await;
            tracing::info!("stopping: draining in-flight requests");
            if server.shutdown().await > 0 {
                // Requests abandoned at the end of the grace were answered with an error: let
                // those answers reach the transport (which writes what it holds on close)
                // before the session stops.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            stop.cancel();
        });
        let quit = running.waiting().await;
        on_signal.abort();
        // After EOF (or a signal): drain what is left and run the shutdown hooks, once.
        self.shutdown().await;
        quit.map_err(|error| Error::Session(error.to_string()))?;
        Ok(())
    }
}

/// The protocol's stdout: the real stdout, saved by
/// [`protect_stdout`](crate::logging::protect_stdout) (file descriptor 1 then points at stderr).
/// A pipe (what an MCP client gives its server) is written on the reactor; anything else
/// through tokio's blocking pool.
fn protected_stdout() -> Result<BoxedWrite, Error> {
    let stdout = crate::logging::protect_stdout()?;
    #[cfg(target_os = "linux")]
    if let Some(pipe) = stdout.file().and_then(pipe::writer) {
        return Ok(Box::new(pipe));
    }
    Ok(stdout.async_writer()?)
}

/// The protocol's stdin. A pipe is read on the reactor rather than on a blocking thread: no
/// thread hand-off per read, and a signal can stop the server while the client keeps stdin
/// open (a blocked read would keep the runtime alive).
fn stdin() -> BoxedRead {
    #[cfg(target_os = "linux")]
    if let Some(pipe) = pipe::reader(&std::io::stdin()) {
        return Box::new(pipe);
    }
    Box::new(tokio::io::stdin())
}

/// Standard streams that are pipes, driven by tokio's reactor.
///
/// Each is reopened through `/proc/self/fd` with `O_NONBLOCK`: the reopened descriptor has its
/// own open file description, so the non-blocking flag stays private to the transport instead
/// of reaching the process's own standard streams (and children that inherit them).
#[cfg(target_os = "linux")]
mod pipe {
    use std::os::fd::{AsFd, AsRawFd};
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

    use tokio::net::unix::pipe::{Receiver, Sender};

    fn reopen(fd: &impl AsFd, write: bool) -> Option<std::fs::File> {
        let path = format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd());
        let file = std::fs::OpenOptions::new()
            .read(!write)
            .write(write)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(path)
            .ok()?;
        let fifo = file.metadata().ok()?.file_type().is_fifo();
        fifo.then_some(file)
    }

    /// `fd` as a pipe read on the reactor, if it is a pipe.
    pub(super) fn reader(fd: &impl AsFd) -> Option<Receiver> {
        Receiver::from_file(reopen(fd, false)?).ok()
    }

    /// `fd` as a pipe written on the reactor, if it is a pipe.
    pub(super) fn writer(fd: &impl AsFd) -> Option<Sender> {
        Sender::from_file(reopen(fd, true)?).ok()
    }
}
