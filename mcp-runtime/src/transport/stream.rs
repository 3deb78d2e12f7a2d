//! Serving a [`Server`] over any byte stream: a socket, a pipe, a duplex.

use futures::future::BoxFuture;
use rmcp::ServiceExt;
use tokio::io::{AsyncRead, AsyncWrite};

use super::line::{BoxedRead, BoxedWrite, LineTransport};
use crate::error::Error;
use crate::server::Server;

impl Server {
    /// Serves MCP over any byte stream until it closes: a socket, a pipe, one half of a
    /// `tokio::io::duplex`, or a reader and a writer joined with `tokio::io::join`. Runs the
    /// startup hooks first (once per server); one stream is one session, so shutdown is left
    /// to the caller ([`Server::shutdown`]).
    pub async fn serve<T>(self, io: T) -> Result<(), Error>
    where
        T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let (read, write) = tokio::io::split(io);
        self.serve_boxed(Box::new(read), Box::new(write)).await
    }

    /// [`serve`](Self::serve)'s one body, not generic: every byte-stream transport (stdio, in
    /// memory, a caller's stream) is boxed to one type, so rmcp's service loop is compiled once.
    pub(crate) fn serve_boxed(
        self,
        read: BoxedRead,
        write: BoxedWrite,
    ) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            self.start().await?;
            let transport = LineTransport::new(read, write)
                .with_lists(self.list_cache())
                .with_limits(self.stdio_limits());
            let direct = transport.direct_slot();
            let running = ServiceExt::serve(self, transport)
                .await
                .map_err(|error| Error::Initialize(error.to_string()))?;
            super::line::dispatch_directly(&direct, &running);
            running
                .waiting()
                .await
                .map_err(|error| Error::Session(error.to_string()))?;
            Ok(())
        })
    }
}
