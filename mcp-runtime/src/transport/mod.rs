//! The ways a [`Server`](crate::Server) is served: over stdio ([`Server::serve_stdio`]), any
//! byte stream ([`Server::serve`]), in memory (for the [`TestClient`](crate::testing::TestClient))
//! and streamable HTTP ([`http`]).
//!
//! [`Server::serve_stdio`]: crate::Server::serve_stdio
//! [`Server::serve`]: crate::Server::serve

#[cfg(feature = "http")]
pub mod http;
pub(crate) mod line;
pub use line::StdioLimits;
mod memory;
mod stdio;
mod stream;
