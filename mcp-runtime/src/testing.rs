//! Testing servers in memory: [`TestClient`] speaks real JSON-RPC to a [`Server`] over an
//! in-memory duplex, the same protocol path stdio takes, with no process and no port.
//!
//! ```
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//! use serde_json::json;
//!
//! /// Add two integers.
//! #[tool]
//! async fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = Server::builder("calc").tools(tools![add]).build().unwrap();
//! let client = TestClient::new(server).await;
//! let result = client.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
//! assert!(!result.is_error());
//! assert_eq!(result.json::<i64>().unwrap(), 5);
//! assert_eq!(result.text(), r#"{"result":5}"#);
//! # }
//! ```

use std::fmt;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig, Implementation, Tool};
use rmcp::service::{RunningService, ServiceError};
use rmcp::{RoleClient, ServiceExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::server::Server;

/// Buffer of the in-memory duplex, per direction.
const DUPLEX_BUFFER: usize = 64 * 1024;

/// An MCP client connected to a server in memory.
pub struct TestClient {
    service: RunningService<RoleClient, ClientConfig>,
    server: tokio::task::JoinHandle<Result<(), Error>>,
}

impl TestClient {
    /// Connects to `server` and completes the `initialize` handshake.
    ///
    /// # Panics
    /// If the handshake fails, which means the server is broken: this is test tooling, and a
    /// panic is the clearest failure in a test. Use [`TestClient::connect`] to get the error.
    pub async fn new(server: Server) -> Self {
        match Self::connect(server).await {
            Ok(client) => client,
            Err(error) => panic!("TestClient could not connect: {error}"),
        }
    }

    /// Connects to `server`, returning the error if the handshake fails.
    pub async fn connect(server: Server) -> Result<Self, Error> {
        let (client_io, server_io) = tokio::io::duplex(DUPLEX_BUFFER);
        let server = tokio::spawn(server.serve(server_io));
        let mut config = ClientConfig::default();
        config.client_info =
            Implementation::new("mcp-runtime-test-client", env!("CARGO_PKG_VERSION"));
        let service = config
            .serve(client_io)
            .await
            .map_err(|error| Error::Initialize(error.to_string()))?;
        Ok(Self { service, server })
    }

    /// The server's `initialize` response: name, version, capabilities, instructions.
    pub fn server_info(&self) -> Option<std::sync::Arc<rmcp::model::ServerPeerInfo>> {
        self.service.peer_info()
    }

    /// Lists every tool (all pages).
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        Ok(self.service.list_all_tools().await?)
    }

    /// Calls a tool. `arguments` must be a JSON object (or `null` for none).
    ///
    /// A tool that fails returns `Ok` with [`ToolResult::is_error`] set; `Err` is a
    /// protocol error, such as an unknown tool (`-32602`).
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<ToolResult, ClientError> {
        let mut params = CallToolRequestParams::new(name.to_owned());
        match arguments {
            Value::Object(map) => params = params.with_arguments(map),
            Value::Null => {}
            other => {
                return Err(ClientError::Arguments(format!(
                    "tool arguments must be a JSON object, not `{other}`"
                )));
            }
        }
        Ok(ToolResult(self.service.call_tool(params).await?))
    }

    /// The underlying rmcp client, for requests this type has no helper for.
    pub fn peer(&self) -> &rmcp::Peer<RoleClient> {
        self.service.peer()
    }

    /// Closes the connection and waits for the server to stop.
    pub async fn close(self) -> Result<(), Error> {
        self.service
            .cancel()
            .await
            .map_err(|error| Error::Session(error.to_string()))?;
        self.server
            .await
            .map_err(|error| Error::Session(error.to_string()))?
    }
}

impl fmt::Debug for TestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestClient").finish_non_exhaustive()
    }
}

/// A protocol-level failure of a [`TestClient`] request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("JSON-RPC error {}: {}", .0.code.0, .0.message)]
    Rpc(rmcp::ErrorData),
    /// The connection failed.
    #[error(transparent)]
    Service(ServiceError),
    /// The arguments were not a JSON object.
    #[error("{0}")]
    Arguments(String),
}

impl ClientError {
    /// The JSON-RPC error code, if the server answered with an error.
    pub fn code(&self) -> Option<i32> {
        match self {
            ClientError::Rpc(error) => Some(error.code.0),
            _ => None,
        }
    }

    /// The JSON-RPC error message, if the server answered with an error.
    pub fn message(&self) -> Option<&str> {
        match self {
            ClientError::Rpc(error) => Some(&error.message),
            _ => None,
        }
    }
}

impl From<ServiceError> for ClientError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::McpError(error) => ClientError::Rpc(error),
            other => ClientError::Service(other),
        }
    }
}

/// The result of a tool call, with helpers to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult(pub CallToolResult);

impl ToolResult {
    /// Whether the tool reported an error (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.0.is_error == Some(true)
    }

    /// The text content blocks, joined with newlines.
    pub fn text(&self) -> String {
        self.0
            .content
            .iter()
            .filter_map(|block| block.as_text())
            .map(|text| text.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The structured content, if any.
    pub fn structured(&self) -> Option<&Value> {
        self.0.structured_content.as_ref()
    }

    /// The structured content as `T`. A scalar result wrapped as `{"result": …}` is unwrapped
    /// when `T` does not match the wrapper itself.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        let Some(value) = self.structured() else {
            return serde_json::from_str(&self.text());
        };
        serde_json::from_value::<T>(value.clone()).or_else(|error| match value {
            Value::Object(map) if map.len() == 1 && map.contains_key("result") => {
                serde_json::from_value(map["result"].clone())
            }
            _ => Err(error),
        })
    }

    /// The raw result.
    pub fn into_inner(self) -> CallToolResult {
        self.0
    }
}
