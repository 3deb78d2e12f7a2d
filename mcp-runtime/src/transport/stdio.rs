//! Serving a [`Server`] over this process's stdin and stdout, with stdout protected from
//! stray writes.

use rmcp::ServiceExt;
use tokio::io::AsyncWrite;

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
        // rmcp's reader reads a piped stdin on the reactor rather than a blocking thread, so a
        // signal can stop the server while the client keeps stdin open (a blocked read would
        // keep the runtime alive). Its writer is not used: fd 1 is about to become stderr.
        let (input, _) = rmcp::transport::io::stdio_pipes();
        let io: super::stream::BoxedStream = Box::new(tokio::io::join(input, output));
        let running = ServiceExt::serve(self.clone(), io)
            .await
            .map_err(|error| Error::Initialize(error.to_string()))?;
        let stop = running.cancellation_token();
        let server = self.clone();
        let on_signal = tokio::spawn(async move {
            stop_signal.recv().await;
            tracing::info!("stopping: draining in-flight requests");
            server.shutdown().await;
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
fn protected_stdout() -> Result<Box<dyn AsyncWrite + Send + Unpin>, Error> {
    Ok(crate::logging::protect_stdout()?.async_writer()?)
}
