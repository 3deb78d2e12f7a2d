//! The in-memory transport: a server on one half of a duplex, for the
//! [`TestClient`](crate::testing::TestClient) and the command line's one-shot commands (`call`,
//! `read`, `prompt`), over the same protocol path stdio takes.

use tokio::io::DuplexStream;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::server::Server;

/// Buffer of the in-memory duplex, per direction.
const DUPLEX_BUFFER: usize = 64 * 1024;

impl Server {
    /// Serves this server on one half of an in-memory duplex, in a task, until the other half
    /// (returned, for a client) closes.
    pub(crate) fn serve_in_memory(self) -> (DuplexStream, JoinHandle<Result<(), Error>>) {
        let (client_io, server_io) = tokio::io::duplex(DUPLEX_BUFFER);
        let (read, write) = tokio::io::split(server_io);
        (
            client_io,
            tokio::spawn(self.serve_boxed(Box::new(read), Box::new(write))),
        )
    }
}
