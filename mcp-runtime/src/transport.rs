//! Serving a [`Server`] over stdio or any byte stream.

use rmcp::ServiceExt;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::Error;
use crate::server::Server;

impl Server {
    /// Serves MCP over this process's stdin and stdout until the client disconnects (stdin
    /// closes). This is what an MCP client expects of a server it spawns.
    ///
    /// Stdout then carries protocol messages alone: log to stderr (the `run` command line sets
    /// that up).
    pub async fn serve_stdio(self) -> Result<(), Error> {
        self.serve(tokio::io::join(tokio::io::stdin(), tokio::io::stdout()))
            .await
    }

    /// Serves MCP over any byte stream until it closes: a socket, a pipe, one half of a
    /// `tokio::io::duplex`, or a reader and a writer joined with `tokio::io::join`.
    pub async fn serve<T>(self, io: T) -> Result<(), Error>
    where
        T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let running = ServiceExt::serve(self, io)
            .await
            .map_err(|error| Error::Initialize(error.to_string()))?;
        running
            .waiting()
            .await
            .map_err(|error| Error::Session(error.to_string()))?;
        Ok(())
    }
}
