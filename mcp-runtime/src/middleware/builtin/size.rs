//! Built-in middleware: [`SizeLimit`], caps on the serialized size of responses (and,
//! optionally, of requests).

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::{Value, json};

use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// One mebibyte, the default response limit.
const MIB: usize = 1024 * 1024;

/// Caps the serialized size of responses, and optionally of request arguments.
///
/// The size is that of the result serialized as JSON (without the JSON-RPC envelope), counted
/// without building the text.
///
/// - A tool result over the limit becomes an error result (`isError: true`) that gives the
///   size and the limit, so the model can ask for less: "the result of the tool `dump` is
///   2.0 MiB (2097152 bytes), over the 1.0 MiB limit (1048576 bytes); ask for less".
/// - Any other response over the limit becomes a JSON-RPC internal error (`-32603`) with the
///   same message and `data` `{"reason": "response_too_large", "size", "limit"}` plus the
///   `uri` or `prompt`.
/// - With [`max_request`](Self::max_request), a tool call whose arguments are over the limit
///   gets an error result without running; a prompt's arguments or a resource URI over it, an
///   invalid-params error (`-32602`).
///
/// The response is still built before it is measured: the limit protects the client and the
/// transport, not the server's memory.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::SizeLimit;
///
/// let builder = Server::builder("files")
///     .middleware(SizeLimit::new().max_response(256 * 1024).max_request(64 * 1024));
/// ```
#[derive(Debug, Clone)]
pub struct SizeLimit {
    max_response: usize,
    max_request: Option<usize>,
}

impl Default for SizeLimit {
    fn default() -> Self {
        Self::new()
    }
}

impl SizeLimit {
    /// Responses up to 1 MiB; requests unlimited.
    pub fn new() -> Self {
        Self {
            max_response: MIB,
            max_request: None,
        }
    }

    /// The most bytes a serialized response may have.
    pub fn max_response(mut self, bytes: usize) -> Self {
        self.max_response = bytes;
        self
    }

    /// The most bytes a request's serialized arguments (or a resource URI) may have.
    pub fn max_request(mut self, bytes: usize) -> Self {
        self.max_request = Some(bytes);
        self
    }

    fn check_request(&self, request: &Request) -> Option<Result<Response, McpError>> {
        let limit = self.max_request?;
        let size = request_len(request);
        if size <= limit {
            return None;
        }
        let what = describe(request);
        let message = format!(
            "the arguments of {what} are {}, over the {} limit; send less",
            bytes(size),
            bytes(limit)
        );
        tracing::warn!(target: "mcp_runtime::size", size, limit, "{message}");
        Some(match request {
            Request::CallTool(_) => Ok(Response::CallTool(CallToolResult::error(vec![
                ContentBlock::text(message),
            ]))),
            _ => Err(McpError::invalid_params(
                message,
                Some(error_data(request, "request_too_large", size, limit)),
            )),
        })
    }
}

impl Middleware for SizeLimit {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        Box::pin(async move {
            if let Some(refused) = self.check_request(&request) {
                return refused;
            }
            // What the messages need, kept before the request is passed on.
            let what = describe(&request);
            let mut data = error_data(&request, "response_too_large", 0, self.max_response);
            let response = next.run_request(request).await?;
            let size = response_len(&response);
            if size <= self.max_response {
                return Ok(response);
            }
            let message = format!(
                "the result of {what} is {}, over the {} limit; ask for less",
                bytes(size),
                bytes(self.max_response)
            );
            tracing::warn!(target: "mcp_runtime::size", size, limit = self.max_response, "{message}");
            if let Response::CallTool(_) = response {
                return Ok(Response::CallTool(CallToolResult::error(vec![
                    ContentBlock::text(message),
                ])));
            }
            data["size"] = json!(size);
            Err(McpError::internal_error(message, Some(data)))
        })
    }
}

/// "the tool `x`", "the resource `uri`", "the prompt `p`", "`tools/list`".
fn describe(request: &Request) -> String {
    match request {
        Request::CallTool(call) => format!("the tool `{}`", call.name),
        Request::ReadResource(read) => format!("the resource `{}`", read.uri),
        Request::GetPrompt(get) => format!("the prompt `{}`", get.name),
        other => format!("`{}`", other.method()),
    }
}

/// `data` of a size error: why, the sizes, and what was asked for.
fn error_data(request: &Request, reason: &str, size: usize, limit: usize) -> Value {
    let mut data = json!({ "reason": reason, "size": size, "limit": limit });
    match request {
        Request::ReadResource(read) => data["uri"] = json!(read.uri),
        Request::GetPrompt(get) => data["prompt"] = json!(get.name),
        Request::CallTool(call) => data["tool"] = json!(call.name),
        _ => data["method"] = json!(request.method()),
    }
    data
}

/// `1.5 MiB (1572864 bytes)`, `900 bytes`.
fn bytes(size: usize) -> String {
    const KIB: usize = 1024;
    let (unit, name) = if size >= MIB {
        (MIB, "MiB")
    } else if size >= KIB {
        (KIB, "KiB")
    } else {
        return format!("{size} bytes");
    };
    format!("{:.1} {name} ({size} bytes)", size as f64 / unit as f64)
}

/// Counts what is written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `value` serialized as JSON, without building the text.
pub(crate) fn serialized_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail; a value that cannot serialize counts what it wrote.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// The size of what a request carries: a tool's or prompt's serialized arguments, a
/// resource's URI; 0 for lists.
pub(crate) fn request_len(request: &Request) -> usize {
    match request {
        Request::CallTool(call) => serialized_len(&call.arguments),
        Request::GetPrompt(get) => serialized_len(&get.arguments),
        Request::ReadResource(read) => read.uri.len(),
        _ => 0,
    }
}

/// The size of a response serialized as JSON.
pub(crate) fn response_len(response: &Response) -> usize {
    match response {
        Response::CallTool(r) => serialized_len(r),
        Response::ReadResource(r) => serialized_len(r),
        Response::GetPrompt(r) => serialized_len(r),
        Response::ListTools(r) => serialized_len(r),
        Response::ListResources(r) => serialized_len(r),
        Response::ListResourceTemplates(r) => serialized_len(r),
        Response::ListPrompts(r) => serialized_len(r),
    }
}

/// A response as JSON.
pub(crate) fn response_json(response: &Response) -> Value {
    let value = match response {
        Response::CallTool(r) => serde_json::to_value(r),
        Response::ReadResource(r) => serde_json::to_value(r),
        Response::GetPrompt(r) => serde_json::to_value(r),
        Response::ListTools(r) => serde_json::to_value(r),
        Response::ListResources(r) => serde_json::to_value(r),
        Response::ListResourceTemplates(r) => serde_json::to_value(r),
        Response::ListPrompts(r) => serde_json::to_value(r),
    };
    value.unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(900), "900 bytes");
        assert_eq!(bytes(1536), "1.5 KiB (1536 bytes)");
        assert_eq!(bytes(2 * MIB), "2.0 MiB (2097152 bytes)");
    }

    #[test]
    fn the_counted_length_is_the_serialized_length() {
        let value = json!({"a": [1, 2, "three"], "é": null});
        assert_eq!(
            serialized_len(&value),
            serde_json::to_vec(&value).unwrap().len()
        );
    }
}
