//! One request through the whole protocol path in memory, for `call`, `read` and `prompt`: the
//! server speaks JSON-RPC over an in-memory pipe, exactly as over stdio, to a minimal line
//! client here. Not rmcp's client (nor [`TestClient`](crate::testing::TestClient)): a server
//! binary then links no client code for its command line.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, Lines};

use crate::error::Error;
use crate::server::Server;

/// The id of the `initialize` request; the command's own request is `REQUEST`.
const INITIALIZE: u64 = 0;
const REQUEST: u64 = 1;

/// Sends `method` with `params` after the handshake, and returns the `result` the server
/// answered, or its JSON-RPC error as [`Error::CallFailed`].
pub(super) async fn request(server: Server, method: &str, params: Value) -> Result<Value, Error> {
    let (io, serving) = server.clone().serve_in_memory();
    let (read, mut write) = tokio::io::split(io);
    let mut lines = BufReader::new(read).lines();
    let answer = exchange(&mut lines, &mut write, method, params).await;
    // The session ends once its input closes; then the server stops as a served one does
    // (what is left drains, the shutdown hooks run), as serving in memory leaves it to us.
    drop(write);
    drop(lines);
    let served = serving.await;
    server.shutdown().await;
    match served {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(error),
        Err(error) => {
            return Err(Error::CallFailed(format!(
                "the server task failed: {error}"
            )));
        }
    }
    answer
}

async fn exchange<R, W>(
    lines: &mut Lines<R>,
    write: &mut W,
    method: &str,
    params: Value,
) -> Result<Value, Error>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let version = serde_json::to_value(rmcp::model::ProtocolVersion::default())
        .map_err(|error| Error::Initialize(error.to_string()))?;
    let initialize = json!({
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": { "name": "mcp-runtime-cli", "version": env!("CARGO_PKG_VERSION") },
    });
    send(write, INITIALIZE, "initialize", initialize).await?;
    answer(lines, write, INITIALIZE)
        .await?
        .map_err(|error| Error::Initialize(describe(&error)))?;
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    write_line(write, &initialized).await?;
    send(write, REQUEST, method, params).await?;
    answer(lines, write, REQUEST)
        .await?
        .map_err(|error| Error::CallFailed(describe(&error)))
}

/// Reads until the answer to `id`: its `result`, or its `error`. Requests from the server
/// (sampling, elicitation) get a JSON-RPC error, since nobody is there to answer them;
/// notifications (progress, log messages, which also reach stderr) are passed over.
async fn answer<R, W>(
    lines: &mut Lines<R>,
    write: &mut W,
    id: u64,
) -> Result<Result<Value, Value>, Error>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    while let Some(line) = lines.next_line().await? {
        let message: Value = serde_json::from_str(&line).map_err(|error| {
            Error::CallFailed(format!("the server sent a line that is not JSON: {error}"))
        })?;
        let method = message.get("method").and_then(Value::as_str);
        match (message.get("id"), method) {
            (Some(answered), None) if answered.as_u64() == Some(id) => {
                return Ok(match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                });
            }
            (Some(request), Some(method)) => {
                let refusal = json!({
                    "jsonrpc": "2.0",
                    "id": request,
                    "error": {
                        "code": -32601,
                        "message": format!("the command line does not answer `{method}`"),
                    },
                });
                write_line(write, &refusal).await?;
            }
            _ => {}
        }
    }
    Err(Error::CallFailed(
        "the server closed the connection without answering".to_owned(),
    ))
}

/// A JSON-RPC error object as one line: its code and message (and data, when there is some).
fn describe(error: &Value) -> String {
    let code = error.get("code").cloned().unwrap_or(Value::Null);
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    match error.get("data") {
        Some(data) if !data.is_null() => format!("JSON-RPC error {code}: {message} ({data})"),
        _ => format!("JSON-RPC error {code}: {message}"),
    }
}

async fn send<W: AsyncWrite + Unpin>(
    write: &mut W,
    id: u64,
    method: &str,
    params: Value,
) -> Result<(), Error> {
    let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
    write_line(write, &request).await
}

async fn write_line<W: AsyncWrite + Unpin>(write: &mut W, message: &Value) -> Result<(), Error> {
    let mut line = message.to_string();
    line.push('\n');
    write.write_all(line.as_bytes()).await?;
    write.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says hello.
    #[crate::tool]
    async fn hello(name: String) -> String {
        format!("hello, {name}")
    }

    fn server() -> Server {
        Server::builder("oneshot")
            .tools(crate::tools![hello])
            .build()
            .expect("one valid tool")
    }

    #[tokio::test]
    async fn a_call_goes_through_the_protocol_and_returns_the_result() {
        let result = request(
            server(),
            "tools/call",
            json!({ "name": "hello", "arguments": { "name": "cli" } }),
        )
        .await
        .expect("the call is answered");
        assert_eq!(result["content"][0]["text"], "hello, cli", "{result}");
    }

    #[tokio::test]
    async fn a_json_rpc_error_names_its_code_and_message() {
        let error = request(server(), "prompts/get", json!({ "name": "missing" }))
            .await
            .expect_err("no such prompt");
        let Error::CallFailed(text) = error else {
            panic!("not a failed call: {error}");
        };
        assert!(text.starts_with("JSON-RPC error -32"), "{text}");
        assert!(text.contains("missing"), "{text}");
    }
}
