//! One line of input to one client message, or to the error the transport answers itself.
//!
//! The line is read once into an envelope that borrows from it (`jsonrpc`, `id`, `method`, and
//! `params`, `result` and `error` as raw slices). A request for one of the methods every session
//! calls (`tools/call`, the lists, `resources/read`, `prompts/get`, `ping`) then has its
//! `params` deserialized straight into the request type its method names; anything else goes
//! through rmcp's own message type, so rare messages behave exactly as rmcp reads them.
//!
//! What cannot be delivered is answered here, never dropped in silence: a line that is not JSON
//! gets `-32700` with `id: null`; a message of the wrong shape `-32600`, with its `id` when the
//! `id` was readable; a request for a known method whose `params` do not fit `-32602`.

use std::borrow::Cow;

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientJsonRpcMessage, ClientRequest, ErrorCode,
    GetPromptRequest, GetPromptRequestParams, PaginatedRequestParams, ReadResourceRequest,
    ReadResourceRequestParams, RequestId, RequestMetaObject, RequestNoParam, RequestOptionalParam,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// What one line of input comes to.
#[derive(Debug)]
pub(super) enum Decoded {
    /// A message for the service.
    Message(Box<ClientJsonRpcMessage>),
    /// Nothing to deliver: a blank line, a response nobody can use, an ignored notification.
    Skip,
    /// The answer the transport writes itself, because the message cannot be delivered.
    Reply(Value),
}

/// Decodes one line (without its `\n`).
pub(super) fn decode(line: &[u8]) -> Decoded {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let Some(first) = line.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Decoded::Skip;
    };
    let Ok(text) = std::str::from_utf8(line) else {
        return reject(
            None,
            ErrorCode::PARSE_ERROR,
            "Parse error: the line is not valid UTF-8",
        );
    };
    if line[first] == b'[' {
        if let Err(syntax) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            return reject(
                None,
                ErrorCode::PARSE_ERROR,
                &format!("Parse error: {syntax}"),
            );
        }
        return reject(
            None,
            ErrorCode::INVALID_REQUEST,
            "Invalid request: JSON-RPC batches are not supported",
        );
    }
    let envelope = match serde_json::from_str::<Envelope<'_>>(text) {
        Ok(envelope) => envelope,
        // A shape error met before a syntax error further on (`"jsonrpc":0"2.0"`): not JSON.
        Err(error)
            if error.is_data()
                && let Err(syntax) = serde_json::from_str::<serde::de::IgnoredAny>(text) =>
        {
            return reject(
                None,
                ErrorCode::PARSE_ERROR,
                &format!("Parse error: {syntax}"),
            );
        }
        Err(error) if error.is_data() => {
            // Well-formed JSON of the wrong shape: answer with its id if that much is readable.
            // Read as a map, where a repeated key keeps its last value, as JSON parsers do
            // (a struct refuses duplicate fields).
            let id = serde_json::from_str::<serde_json::Map<String, Value>>(text)
                .ok()
                .and_then(|mut message| message.remove("id"))
                .and_then(|id| serde_json::value::to_raw_value(&id).ok());
            return reject(
                id.as_deref(),
                ErrorCode::INVALID_REQUEST,
                &format!("Invalid request: {error}"),
            );
        }
        Err(error) => {
            return reject(
                None,
                ErrorCode::PARSE_ERROR,
                &format!("Parse error: {error}"),
            );
        }
    };
    envelope.decode(text)
}

/// The parts of a JSON-RPC message, borrowed from the line.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    /// `Some` whenever the key is there, `null` included (a request's `id` may not be null).
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// A key that is present, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

impl Envelope<'_> {
    fn decode(self, text: &str) -> Decoded {
        if self.jsonrpc.as_deref() != Some("2.0") {
            return reject(
                self.id,
                ErrorCode::INVALID_REQUEST,
                "Invalid request: `jsonrpc` must be \"2.0\"",
            );
        }
        match (&self.method, self.id, self.result, self.error) {
            (Some(method), Some(id), None, None) => {
                let Ok(request_id) = serde_json::from_str::<RequestId>(id.get()) else {
                    return reject(
                        Some(id),
                        ErrorCode::INVALID_REQUEST,
                        "Invalid request: the id must be a string or an integer",
                    );
                };
                match fast(method, self.params) {
                    Some(Ok(request)) => {
                        message(ClientJsonRpcMessage::request(request, request_id))
                    }
                    Some(Err(error)) => reject(
                        Some(id),
                        ErrorCode::INVALID_PARAMS,
                        &match self.params.map(RawValue::get) {
                            None | Some("null") => {
                                format!("Invalid params for `{method}`: `params` is required")
                            }
                            // The position is in the params, not in the line the client sent.
                            Some(_) => format!(
                                "Invalid params for `{method}`: {}",
                                without_position(&error)
                            ),
                        },
                    ),
                    None => match serde_json::from_str::<ClientJsonRpcMessage>(text) {
                        // rmcp reads a standard method whose params do not fit as a custom
                        // request, which would then be "method not found".
                        Ok(ClientJsonRpcMessage::Request(request))
                            if matches!(request.request, ClientRequest::CustomRequest(_))
                                && is_standard_request(method) =>
                        {
                            reject(
                                Some(id),
                                ErrorCode::INVALID_PARAMS,
                                &format!("Invalid params for `{method}`"),
                            )
                        }
                        Ok(parsed) => message(parsed),
                        Err(error) => reject(
                            Some(id),
                            ErrorCode::INVALID_REQUEST,
                            &format!("Invalid request: {error}"),
                        ),
                    },
                }
            }
            (Some(method), None, None, None) => {
                match serde_json::from_str::<ClientJsonRpcMessage>(text) {
                    Ok(parsed) => message(parsed),
                    // A notification gets no answer, even when it cannot be read.
                    Err(error) => {
                        tracing::debug!(method = %method, %error, "ignoring an unreadable notification");
                        Decoded::Skip
                    }
                }
            }
            (None, Some(_), Some(_), None) | (None, _, None, Some(_)) => {
                match serde_json::from_str::<ClientJsonRpcMessage>(text) {
                    Ok(parsed) => message(parsed),
                    // An answer is never answered.
                    Err(error) => {
                        tracing::debug!(%error, "ignoring an unreadable response");
                        Decoded::Skip
                    }
                }
            }
            _ => reject(
                self.id
                    .filter(|_| self.result.is_none() && self.error.is_none()),
                ErrorCode::INVALID_REQUEST,
                "Invalid request: not a JSON-RPC request, notification or response",
            ),
        }
    }
}

fn message(message: ClientJsonRpcMessage) -> Decoded {
    Decoded::Message(Box::new(message))
}

/// The request for one of the methods of every session, its `params` read straight into its
/// type; `None` for any other method.
fn fast(
    method: &str,
    params: Option<&RawValue>,
) -> Option<Result<ClientRequest, serde_json::Error>> {
    Some(match method {
        "tools/call" => required::<CallToolRequestParams>(params).map(|(params, meta)| {
            let mut request = CallToolRequest::new(params);
            insert_meta(&mut request.extensions, meta);
            ClientRequest::CallToolRequest(request)
        }),
        "resources/read" => required::<ReadResourceRequestParams>(params).map(|(params, meta)| {
            let mut request = ReadResourceRequest::new(params);
            insert_meta(&mut request.extensions, meta);
            ClientRequest::ReadResourceRequest(request)
        }),
        "prompts/get" => required::<GetPromptRequestParams>(params).map(|(params, meta)| {
            let mut request = GetPromptRequest::new(params);
            insert_meta(&mut request.extensions, meta);
            ClientRequest::GetPromptRequest(request)
        }),
        "tools/list" => paginated(params)
            .map(|(params, meta)| ClientRequest::ListToolsRequest(optional_param(params, meta))),
        "resources/list" => paginated(params).map(|(params, meta)| {
            ClientRequest::ListResourcesRequest(optional_param(params, meta))
        }),
        "resources/templates/list" => paginated(params).map(|(params, meta)| {
            ClientRequest::ListResourceTemplatesRequest(optional_param(params, meta))
        }),
        "prompts/list" => paginated(params)
            .map(|(params, meta)| ClientRequest::ListPromptsRequest(optional_param(params, meta))),
        "ping" => ping_meta(params).map(|meta| {
            let mut request = RequestNoParam {
                method: Default::default(),
                extensions: Default::default(),
            };
            insert_meta(&mut request.extensions, meta);
            ClientRequest::PingRequest(request)
        }),
        _ => return None,
    })
}

/// Request parameters that carry `_meta` as a field: rmcp keeps it in the request's
/// extensions instead, where its service reads the progress token.
trait WithMeta {
    fn take_meta(&mut self) -> Option<RequestMetaObject>;
}

macro_rules! with_meta {
    ($($params:ty),*) => {$(
        impl WithMeta for $params {
            fn take_meta(&mut self) -> Option<RequestMetaObject> {
                self.meta.take()
            }
        }
    )*};
}

with_meta!(
    CallToolRequestParams,
    ReadResourceRequestParams,
    GetPromptRequestParams,
    PaginatedRequestParams
);

fn required<P>(
    params: Option<&RawValue>,
) -> Result<(P, Option<RequestMetaObject>), serde_json::Error>
where
    P: WithMeta + serde::de::DeserializeOwned,
{
    let raw = params.map_or("null", RawValue::get);
    let mut params: P = serde_json::from_str(raw)?;
    let meta = params.take_meta();
    Ok((params, meta))
}

fn paginated(
    params: Option<&RawValue>,
) -> Result<(Option<PaginatedRequestParams>, Option<RequestMetaObject>), serde_json::Error> {
    let raw = params.map_or("null", RawValue::get);
    let mut params: Option<PaginatedRequestParams> = serde_json::from_str(raw)?;
    let meta = params.as_mut().and_then(WithMeta::take_meta);
    Ok((params, meta))
}

fn optional_param<M: Default>(
    params: Option<PaginatedRequestParams>,
    meta: Option<RequestMetaObject>,
) -> RequestOptionalParam<M, PaginatedRequestParams> {
    let mut request = RequestOptionalParam {
        method: M::default(),
        params,
        extensions: Default::default(),
    };
    insert_meta(&mut request.extensions, meta);
    request
}

/// `ping`'s params hold at most `_meta`.
fn ping_meta(params: Option<&RawValue>) -> Result<Option<RequestMetaObject>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Params {
        #[serde(rename = "_meta", default)]
        meta: Option<RequestMetaObject>,
    }
    let raw = params.map_or("null", RawValue::get);
    Ok(serde_json::from_str::<Option<Params>>(raw)?.and_then(|params| params.meta))
}

fn insert_meta(extensions: &mut rmcp::model::Extensions, meta: Option<RequestMetaObject>) {
    if let Some(meta) = meta {
        extensions.insert(meta);
    }
}

/// The request methods of the protocol (rmcp reads one whose params do not fit as a custom
/// request).
fn is_standard_request(method: &str) -> bool {
    matches!(
        method,
        "initialize"
            | "ping"
            | "server/discover"
            | "prompts/get"
            | "prompts/list"
            | "resources/list"
            | "resources/read"
            | "resources/subscribe"
            | "resources/unsubscribe"
            | "resources/templates/list"
            | "subscriptions/listen"
            | "tools/call"
            | "tools/list"
            | "completion/complete"
            | "logging/setLevel"
            | "tasks/get"
            | "tasks/update"
            | "tasks/cancel"
    )
}

/// A serde error's message without the " at line 1 column 12" it ends with.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) if error.line() != 0 => text[..at].to_owned(),
        _ => text,
    }
}

/// The error answer for a message that cannot be delivered: with its `id` when that was a
/// valid one (a string or a number), `null` otherwise.
pub(super) fn reject(id: Option<&RawValue>, code: ErrorCode, message: &str) -> Decoded {
    let id = id
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .filter(|id| id.is_string() || id.is_number())
        .unwrap_or(Value::Null);
    Decoded::Reply(json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code.0, "message": message},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(line: &str) -> Decoded {
        decode(line.as_bytes())
    }

    /// What rmcp's own reading makes of a line, as JSON (the request's extensions written back
    /// into `params._meta`).
    fn rmcp_reads(line: &str) -> Value {
        let message: ClientJsonRpcMessage = serde_json::from_str(line).expect("rmcp reads it");
        serde_json::to_value(message).expect("serializable")
    }

    fn reply(line: &str) -> Value {
        match decoded(line) {
            Decoded::Reply(reply) => reply,
            other => panic!("expected an error reply to {line}, got {other:?}"),
        }
    }

    #[test]
    fn fast_path_requests_read_as_rmcp_reads_them() {
        let lines = [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}"#,
            r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"add","_meta":{"progressToken":7,"k":"v"}}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"c","_meta":{"a":1}}}"#,
            r#"{"jsonrpc":"2.0","id":4,"method":"resources/list","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":5,"method":"resources/templates/list","params":null}"#,
            r#"{"jsonrpc":"2.0","id":6,"method":"prompts/list"}"#,
            r#"{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"file:///a","_meta":{"progressToken":"t"}}}"#,
            r#"{"jsonrpc":"2.0","id":8,"method":"prompts/get","params":{"name":"p","arguments":{"x":"1"}}}"#,
            r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":10,"method":"ping","params":{"_meta":{"progressToken":1}}}"#,
            r#"{"params":{"name":"add"},"method":"tools/call","id":11,"jsonrpc":"2.0","extra":true}"#,
        ];
        for line in lines {
            let Decoded::Message(ours) = decoded(line) else {
                panic!("{line} is a request");
            };
            assert_eq!(
                serde_json::to_value(&*ours).expect("serializable"),
                rmcp_reads(line),
                "{line}"
            );
        }
    }

    #[test]
    fn the_progress_token_travels_in_the_extensions_as_rmcp_puts_it() {
        let line = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","_meta":{"progressToken":7}}}"#;
        let Decoded::Message(message) = decoded(line) else {
            panic!("a request");
        };
        let ClientJsonRpcMessage::Request(request) = *message else {
            panic!("a request");
        };
        let ClientRequest::CallToolRequest(call) = request.request else {
            panic!("a tools/call");
        };
        assert!(call.params.meta.is_none());
        let meta = call
            .extensions
            .get::<RequestMetaObject>()
            .expect("the meta is in the extensions");
        assert_eq!(
            meta.get_progress_token().map(|t| t.0),
            Some(rmcp::model::NumberOrString::Number(7))
        );
    }

    #[test]
    fn other_messages_go_through_rmcp() {
        let lines = [
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#,
            r#"{"jsonrpc":"2.0","id":12,"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":13,"error":{"code":-1,"message":"no"}}"#,
            r#"{"jsonrpc":"2.0","id":14,"method":"my/custom","params":{"x":1}}"#,
        ];
        for line in lines {
            let Decoded::Message(ours) = decoded(line) else {
                panic!("{line} is a message");
            };
            assert_eq!(
                serde_json::to_value(&*ours).expect("serializable"),
                rmcp_reads(line),
                "{line}"
            );
        }
    }

    #[test]
    fn unreadable_lines_get_a_parse_error_with_a_null_id() {
        for line in [
            "{",
            "not json",
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\u{0}\"}",
            &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            &format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000)),
        ] {
            let reply = reply(line);
            assert_eq!(reply["id"], Value::Null, "{line:.80}: {reply}");
            let code = reply["error"]["code"].as_i64();
            assert!(
                code == Some(-32700) || code == Some(-32600),
                "{line:.80}: {reply}"
            );
        }
        assert_eq!(reply("{")["error"]["code"], -32700);
        assert_eq!(reply("nope")["error"]["code"], -32700);
        // A field of the wrong type before the syntax error (found by the fuzzer): still not
        // JSON, so -32700 and no id, not -32600.
        let shape_then_syntax = reply(r#"{"jsonrpc":0"2.0","id":9,"method":"ping"}"#);
        assert_eq!(
            shape_then_syntax["error"]["code"], -32700,
            "{shape_then_syntax}"
        );
        assert_eq!(shape_then_syntax["id"], Value::Null);
        // So is a batch that is not JSON (a raw tab inside a string).
        let bad_batch = reply("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\ting\"}]");
        assert_eq!(bad_batch["error"]["code"], -32700, "{bad_batch}");
        // A repeated key is JSON: the id (its last value) comes back with the -32600.
        let repeated = reply(r#"{"jsonrpc":"2.0","id":5,"id":6,"method":"ping"}"#);
        assert_eq!(repeated["error"]["code"], -32600, "{repeated}");
        assert_eq!(repeated["id"], 6, "{repeated}");
        let invalid_utf8 = decode(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}");
        let Decoded::Reply(invalid_utf8) = invalid_utf8 else {
            panic!("invalid UTF-8 is answered");
        };
        assert_eq!(invalid_utf8["error"]["code"], -32700);
        assert_eq!(invalid_utf8["id"], Value::Null);
    }

    #[test]
    fn a_readable_id_comes_back_with_the_error() {
        let cases = [
            (
                r#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#,
                json!(5),
                -32600,
            ),
            (r#"{"id":"s","method":"ping"}"#, json!("s"), -32600),
            (
                r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                json!(1.5),
                -32600,
            ),
            (
                r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                Value::Null,
                -32600,
            ),
            (
                r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
                Value::Null,
                -32600,
            ),
            (r#"{"jsonrpc":"2.0","id":7,"method":3}"#, json!(7), -32600),
            (r#"{"jsonrpc":"2.0","id":8}"#, json!(8), -32600),
            (
                r#"{"jsonrpc":"2.0","id":9,"method":"tools/call"}"#,
                json!(9),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":10,"method":"tools/call","params":null}"#,
                json!(10),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":5}}"#,
                json!(11),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"a","_meta":1.5}}"#,
                json!(12),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":13,"method":"logging/setLevel","params":{"level":"loud"}}"#,
                json!(13),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":14,"method":"tools/list","params":{"cursor":3}}"#,
                json!(14),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"a","arguments":{"x":1e400}}}"#,
                json!(16),
                -32602,
            ),
            (
                r#"{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"a","arguments":{"s":"\ud800"}}}"#,
                json!(15),
                -32602,
            ),
        ];
        for (line, id, code) in cases {
            let reply = reply(line);
            assert_eq!(reply["id"], id, "{line}: {reply}");
            assert_eq!(reply["error"]["code"], code, "{line}: {reply}");
            assert_eq!(reply["jsonrpc"], "2.0");
        }
    }

    #[test]
    fn invalid_params_say_what_is_wrong_without_a_misleading_position() {
        let missing = reply(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#);
        assert_eq!(
            missing["error"]["message"],
            "Invalid params for `tools/call`: `params` is required"
        );
        let null = reply(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":null}"#);
        assert_eq!(null["error"]["message"], missing["error"]["message"]);
        let wrong = reply(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}"#);
        let message = wrong["error"]["message"].as_str().expect("a message");
        assert!(
            message.starts_with("Invalid params for `tools/call`: invalid type: integer `5`"),
            "{message}"
        );
        assert!(!message.contains(" at line "), "{message}");
    }

    #[test]
    fn blank_lines_and_batches() {
        assert!(matches!(decoded(""), Decoded::Skip));
        assert!(matches!(decoded("  \r"), Decoded::Skip));
        let batch = reply(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#);
        assert_eq!(batch["error"]["code"], -32600);
        assert_eq!(batch["id"], Value::Null);
        // A byte order mark and a carriage return are not part of the message.
        let line = "\u{feff}{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r";
        assert!(matches!(decoded(line), Decoded::Message(_)));
    }

    #[test]
    fn unreadable_notifications_and_responses_get_no_answer() {
        assert!(matches!(
            decoded(
                r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":{}}}"#
            ),
            Decoded::Skip | Decoded::Message(_)
        ));
        assert!(matches!(
            decoded(r#"{"jsonrpc":"2.0","id":1,"error":"nope"}"#),
            Decoded::Skip
        ));
    }
}
