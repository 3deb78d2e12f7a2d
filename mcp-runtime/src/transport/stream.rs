//! Serving a [`Server`] over any byte stream: a socket, a pipe, a duplex.

use futures::future::BoxFuture;
use rmcp::ServiceExt;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::Error;
use crate::server::Server;

/// A byte stream the server serves on.
pub(crate) trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> ByteStream for T {}

/// Every transport boxed to one type (stdio, in memory, a caller's stream), so rmcp's service
/// loop is compiled once for the server instead of once per transport type and caller.
pub(crate) type BoxedStream = Box<dyn ByteStream>;

impl Server {
    /// Serves MCP over any byte stream until it closes: a socket, a pipe, one half of a
    /// `tokio::io::duplex`, or a reader and a writer joined with `tokio::io::join`. Runs the
    /// startup hooks first (once per server); one stream is one session, so shutdown is left
    /// to the caller ([`Server::shutdown`]).
    pub async fn serve<T>(self, io: T) -> Result<(), Error>
    where
        T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        self.serve_boxed(Box::new(io)).await
    }

    /// [`serve`](Self::serve)'s one body, not generic.
    pub(crate) fn serve_boxed(self, io: BoxedStream) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            self.start().await?;
            let running = ServiceExt::serve(self, io)
                .await
                .map_err(|error| Error::Initialize(error.to_string()))?;
            running
                .waiting()
                .await
                .map_err(|error| Error::Session(error.to_string()))?;
            Ok(())
        })
    }
}
