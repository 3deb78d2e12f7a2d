//! The JSON-RPC codec of every byte-stream transport (stdio, the in-memory one, a caller's
//! stream): newline-delimited messages, read and written by the SDK itself, under rmcp's
//! service loop (which keeps the handshake, notifications, progress and server-to-client
//! requests).
//!
//! - dispatch ([`direct`]): once the handshake is done, each request runs on the server in one
//!   task of its own and its answer goes straight to the outbox, without a trip through
//!   rmcp's loop;
//! - reading ([`decode`]): a line is read once into borrowed parts, and a request for a
//!   common method has its `params` deserialized straight into its type; what cannot be
//!   delivered is answered (`-32700`, `-32600` with the id when readable, `-32602`);
//! - writing ([`outbox`]): a message is serialized once into a shared buffer, and a writer task
//!   writes what gathered with one write per batch;
//! - bounds ([`StdioLimits`]): a line longer than [`MAX_LINE`] is discarded as it arrives (and
//!   answered); past `max_in_flight` requests running, further requests wait in order (held,
//!   while reading goes on, so that the client's answers to the server's questions and its
//!   cancellations still arrive); reading stops when as many wait again (at least
//!   [`MIN_HELD`]), or while more than `max_unwritten` bytes of answers wait for a client that
//!   does not read them.

mod decode;
mod direct;
mod outbox;

use std::sync::Arc;
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{ClientNotification, ClientRequest, JsonRpcMessage, RequestId, ServerResult};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::task::JoinHandle;

use decode::Decoded;
use direct::{Direct, DirectSlot, InFlight, Writer};
use outbox::Outbox;

use crate::middleware::reply::ReplyMeter;
use crate::server::ListCache;

/// The longest line read by default (16 MiB); a longer one is discarded and answered with
/// `-32600`.
pub(crate) const MAX_LINE: usize = 16 * 1024 * 1024;

/// Answers waiting for a client that does not read them, by default: past this many bytes, no
/// more input is read until they drain.
pub(crate) const MAX_UNWRITTEN: usize = 8 * 1024 * 1024;

/// Requests in flight on one connection, by default: past this many, no more input is read
/// until one is answered, so a client that pipelines without bound cannot grow the server's
/// memory without bound.
pub(crate) const MAX_IN_FLIGHT: usize = 64;

/// The bounds of the stdio transport (and of [`Server::serve`](crate::Server::serve) on any
/// byte stream): what one client can make the server hold. Set them with
/// [`ServerBuilder::stdio_limits`](crate::ServerBuilder::stdio_limits) or the `[stdio]`
/// settings.
///
/// ```
/// let limits = mcp_runtime::StdioLimits::default().max_in_flight(16).max_line(1 << 20);
/// assert_eq!(limits.max_in_flight, 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StdioLimits {
    /// The longest message line, in bytes (16 MiB by default); a longer one is discarded and
    /// answered with `-32600`.
    pub max_line: usize,
    /// Requests running at once (64 by default). Past it, further requests wait in order for
    /// a place, while input is still read (answers to the server's questions and
    /// cancellations get through; a request cancelled while it waits never starts); once as
    /// many wait (at least 64), or `max_unwritten` bytes of them, no more input is read.
    pub max_in_flight: usize,
    /// Bytes of answers the client has not read (8 MiB by default); past it no more input is
    /// read until they drain.
    pub max_unwritten: usize,
}

impl Default for StdioLimits {
    fn default() -> Self {
        Self {
            max_line: MAX_LINE,
            max_in_flight: MAX_IN_FLIGHT,
            max_unwritten: MAX_UNWRITTEN,
        }
    }
}

impl StdioLimits {
    /// Lines longer than `bytes` are refused (at least 1).
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes.max(1);
        self
    }

    /// At most `requests` in flight at once (at least 1).
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests.max(1);
        self
    }

    /// Input waits while more than `bytes` of answers are unread (at least 1).
    pub fn max_unwritten(mut self, bytes: usize) -> Self {
        self.max_unwritten = bytes.max(1);
        self
    }
}

/// Requests held while the in-flight bound is full, at least (the bound itself when larger):
/// past them (or `max_unwritten` bytes of them), reading stops.
const MIN_HELD: usize = 64;

/// How long closing waits for the last answers to be written.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Bytes asked of the reader at a time.
const READ_CHUNK: usize = 64 * 1024;

/// The answer to a message the HTTP transport could not read: `-32700` with `id: null` for
/// what is not JSON, `-32600` (with the `id` when it was readable) for the wrong shape; `None`
/// for a message this codec reads (let rmcp's answer stand).
#[cfg(feature = "http")]
pub(crate) fn malformed(body: &[u8]) -> Option<serde_json::Value> {
    match decode::decode(body) {
        Decoded::Reply(answer) => Some(answer),
        Decoded::Message(_) | Decoded::Skip => None,
    }
}

/// From now on, the transport whose [`LineTransport::direct_slot`] is `slot` dispatches
/// requests to `running`'s server directly, with its session's peer (see [`direct`]).
pub(crate) fn dispatch_directly(
    slot: &DirectSlot,
    running: &rmcp::service::RunningService<RoleServer, crate::server::Server>,
) {
    // Set once, right after the handshake; a second call would find it set and change nothing.
    let _ = slot.set(Direct {
        server: running.service().clone(),
        peer: running.peer().clone(),
    });
}

/// A reading half, boxed.
pub(crate) type BoxedRead = Box<dyn AsyncRead + Send + Unpin>;
/// A writing half, boxed.
pub(crate) type BoxedWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// Writes the line of a response whose `result` is already serialized, exactly as serializing
/// rmcp's response message writes it.
fn write_response_line(buf: &mut Vec<u8>, id: &RequestId, result: &[u8]) -> std::io::Result<()> {
    buf.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    serde_json::to_writer(&mut *buf, id)?;
    buf.extend_from_slice(br#","result":"#);
    buf.extend_from_slice(result);
    buf.extend_from_slice(b"}");
    Ok(())
}

/// rmcp's transport over a reading and a writing half, with the SDK's codec.
pub(crate) struct LineTransport {
    read: BoxedRead,
    inbox: Inbox,
    /// Writes answers and notifications (shared with requests dispatched directly).
    out: Writer,
    writer: Option<JoinHandle<()>>,
    max_line: usize,
    max_in_flight: usize,
    max_unwritten: usize,
    /// Whether the session's lifecycle started (the server answered something other than a
    /// ping or a discovery). Before it, rmcp's handshake ends the whole session on a
    /// notification or a response, so those are dropped here instead.
    started: bool,
    /// Where the server and the session's peer are put once the handshake is done: from
    /// then on, requests are dispatched directly ([`direct`]) instead of through rmcp's loop.
    direct: DirectSlot,
    /// Requests read while `max_in_flight` were in flight (and their lines' sizes), started in
    /// order as places free up. Reading goes on past them, up to as many again (at least
    /// [`MIN_HELD`]) or `max_unwritten` bytes, so that what the client sends behind them
    /// (answers to the server's questions, cancellations) is not stuck.
    held: std::collections::VecDeque<(Box<RxJsonRpcMessage<RoleServer>>, usize)>,
    held_bytes: usize,
    /// The input ended (or failed): what is held is still started, then the stream ends.
    ended: bool,
}

impl LineTransport {
    /// A transport reading from `read` and writing to `write` (through a writer task).
    pub(crate) fn new(read: BoxedRead, write: BoxedWrite) -> Self {
        let outbox = Arc::new(Outbox::default());
        let writer = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.write_out(write).await }
        });
        Self {
            read,
            inbox: Inbox::default(),
            out: Writer {
                outbox,
                in_flight: Arc::new(InFlight::default()),
                lists: None,
                meter: ReplyMeter::default(),
            },
            writer: Some(writer),
            max_line: MAX_LINE,
            max_in_flight: MAX_IN_FLIGHT,
            max_unwritten: MAX_UNWRITTEN,
            started: false,
            direct: DirectSlot::default(),
            held: std::collections::VecDeque::new(),
            held_bytes: 0,
            ended: false,
        }
    }

    /// Where to put the server and the session's peer once rmcp's handshake returned them:
    /// requests are then dispatched directly.
    pub(crate) fn direct_slot(&self) -> DirectSlot {
        self.direct.clone()
    }

    /// Starts a request: dispatched directly once the session is up (`None`), or handed to
    /// rmcp's loop.
    fn deliver(
        &mut self,
        message: Box<RxJsonRpcMessage<RoleServer>>,
    ) -> Option<RxJsonRpcMessage<RoleServer>> {
        let JsonRpcMessage::Request(request) = *message else {
            return Some(*message);
        };
        if let Some(direct) = self.direct.get()
            && self.started
            && !matches!(
                request.request,
                ClientRequest::InitializeRequest(_) | ClientRequest::DiscoverRequest(_)
            )
        {
            self.out.dispatch(direct, request.id, request.request);
            return None;
        }
        self.out.in_flight.insert(request.id.clone(), None);
        Some(JsonRpcMessage::Request(request))
    }

    /// Whether a request with this id is in flight, or held.
    fn in_flight_or_held(&self, id: &RequestId) -> bool {
        self.out.in_flight.contains(id)
            || self
                .held
                .iter()
                .any(|(message, _)| matches!(&**message, JsonRpcMessage::Request(r) if &r.id == id))
    }

    /// Drops the held request `id`, which the client cancelled before it started.
    fn unhold(&mut self, id: &RequestId) {
        if let Some(at) = self.held.iter().position(
            |(message, _)| matches!(&**message, JsonRpcMessage::Request(r) if &r.id == id),
        ) && let Some((_, bytes)) = self.held.remove(at)
        {
            self.held_bytes -= bytes;
            tracing::debug!(%id, "a request cancelled before it started is dropped");
        }
    }

    /// Bounded by `limits`.
    pub(crate) fn with_limits(mut self, limits: StdioLimits) -> Self {
        self.max_line = limits.max_line;
        self.max_in_flight = limits.max_in_flight;
        self.max_unwritten = limits.max_unwritten;
        self
    }

    /// Writes list answers from `lists`, which keeps each distinct one serialized.
    pub(crate) fn with_lists(mut self, lists: Arc<ListCache>) -> Self {
        self.out.lists = Some(lists);
        self
    }

    #[cfg(test)]
    fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }
}

impl Transport<RoleServer> for LineTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        if let JsonRpcMessage::Response(response) = &item {
            self.started |= !matches!(
                response.result,
                ServerResult::EmptyResult(_) | ServerResult::DiscoverResult(_)
            );
        }
        if let Some(id) = direct::answered_id(&item) {
            self.out.in_flight.remove(id);
        }
        std::future::ready(self.out.write(&item).map(drop))
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        // Cancellation-safe (the service polls this in a `select!`): what was read stays in
        // the inbox (or among the held requests), and a line is taken out only once it is
        // decoded.
        loop {
            // Requests held while the bound was full go first, in order, as places free up.
            while !self.held.is_empty() && self.out.in_flight.len() < self.max_in_flight {
                let Some((message, bytes)) = self.held.pop_front() else {
                    break;
                };
                self.held_bytes -= bytes;
                if let Some(message) = self.deliver(message) {
                    return Some(message);
                }
            }
            if self.ended {
                if self.held.is_empty() {
                    return None;
                }
                self.out.in_flight.wait_below(self.max_in_flight).await;
                continue;
            }
            if self.held.len() >= self.max_in_flight.max(MIN_HELD)
                || self.held_bytes >= self.max_unwritten
            {
                // As many requests wait as may run: reading stops until a place frees up.
                self.out.in_flight.wait_below(self.max_in_flight).await;
                continue;
            }
            let Some(line) = self.inbox.next_line(self.max_line) else {
                self.out.outbox.wait_below(self.max_unwritten).await;
                let read = if self.held.is_empty() {
                    self.inbox.fill(&mut self.read).await
                } else {
                    // Held requests may start before more input comes.
                    let in_flight = self.out.in_flight.clone();
                    tokio::select! {
                        read = self.inbox.fill(&mut self.read) => read,
                        () = in_flight.wait_below(self.max_in_flight) => continue,
                    }
                };
                match read {
                    Ok(0) => self.ended = true,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::error!(%error, "reading the transport failed");
                        self.ended = true;
                    }
                }
                continue;
            };
            let (decoded, bytes) = match line {
                Line::Whole(line) => (decode::decode(line), line.len()),
                Line::TooLong => (
                    decode::reject(
                        None,
                        rmcp::model::ErrorCode::INVALID_REQUEST,
                        &format!(
                            "Invalid request: the message is longer than the {}-byte limit",
                            self.max_line
                        ),
                    ),
                    0,
                ),
            };
            self.inbox.consume();
            let mut message = match decoded {
                Decoded::Message(message)
                    if !self.started && !matches!(*message, JsonRpcMessage::Request(_)) =>
                {
                    tracing::debug!("ignoring a notification or response before initialize");
                    continue;
                }
                Decoded::Message(message) => message,
                Decoded::Skip => continue,
                Decoded::Reply(reply) => {
                    tracing::debug!(%reply, "answering a message that cannot be delivered");
                    if self.out.outbox.push(&reply).is_err() {
                        return None;
                    }
                    continue;
                }
            };
            match &mut *message {
                JsonRpcMessage::Request(request) if self.in_flight_or_held(&request.id) => {
                    // Its answer could not be told from the first one's: refused, and the
                    // first goes on.
                    let refusal = rmcp::model::ServerJsonRpcMessage::error(
                        rmcp::model::ErrorData::invalid_request(
                            format!(
                                "Invalid request: a request with id {} is already in flight; \
                                 use another id",
                                request.id
                            ),
                            None,
                        ),
                        Some(request.id.clone()),
                    );
                    tracing::debug!(id = %request.id, "refusing a duplicate request id");
                    if self.out.outbox.push(&refusal).is_err() {
                        return None;
                    }
                    continue;
                }
                JsonRpcMessage::Request(request) => {
                    // A request that carries its own 2026-07-28 lifecycle (not a discovery)
                    // starts the session: no handshake follows, and its notifications (a
                    // listen's cancellation) must pass.
                    if !self.started
                        && !matches!(
                            request.request,
                            ClientRequest::DiscoverRequest(_)
                                | ClientRequest::PingRequest(_)
                                | ClientRequest::InitializeRequest(_)
                        )
                        && rmcp::model::GetMeta::get_meta(&request.request)
                            .protocol_version()
                            .is_some_and(|version| {
                                version >= rmcp::model::ProtocolVersion::V_2026_07_28
                            })
                    {
                        self.started = true;
                    }
                    rmcp::model::GetExtensions::extensions_mut(&mut request.request)
                        .insert(self.out.meter.clone());
                    if !self.held.is_empty() || self.out.in_flight.len() >= self.max_in_flight {
                        // Held, not refused: reading goes on, so that the client's answers to
                        // the server's own questions and its cancellations still arrive.
                        self.held.push_back((message, bytes));
                        self.held_bytes += bytes;
                        continue;
                    }
                    match self.deliver(message) {
                        Some(message) => return Some(message),
                        None => continue,
                    }
                }
                JsonRpcMessage::Notification(notification) => {
                    if let ClientNotification::CancelledNotification(cancelled) =
                        &notification.notification
                        && let Some(id) = &cancelled.params.request_id
                    {
                        // Its answer may never be sent (and one dispatched here is told, and
                        // its answer dropped); one still held never starts.
                        self.out.in_flight.cancel(id);
                        self.unhold(id);
                    }
                }
                _ => {}
            }
            return Some(*message);
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        // Requests dispatched here are still answered, as rmcp's loop lets its own finish
        // (it waits as long before it closes the transport); past that, they are cancelled.
        let in_flight = self.out.in_flight.clone();
        if tokio::time::timeout(CLOSE_GRACE, in_flight.wait_dispatched())
            .await
            .is_err()
        {
            tracing::warn!("requests still running at the end of the session were cancelled");
        }
        in_flight.cancel_dispatched();
        self.out.meter.close();
        self.out.outbox.close();
        if let Some(mut writer) = self.writer.take()
            && tokio::time::timeout(CLOSE_GRACE, &mut writer)
                .await
                .is_err()
        {
            tracing::warn!("the client did not read the last answers; closing anyway");
            writer.abort();
        }
        Ok(())
    }
}

impl Drop for LineTransport {
    fn drop(&mut self) {
        // Without `close` (the service ended some other way), the writer still finishes what
        // is buffered, then stops.
        self.out.in_flight.cancel_dispatched();
        self.out.meter.close();
        self.out.outbox.close();
    }
}

/// What was read and not yet delivered.
#[derive(Default)]
struct Inbox {
    buf: Vec<u8>,
    /// Where the next line starts.
    start: usize,
    /// Bytes after `start` known to hold no newline.
    scanned: usize,
    /// The end of the line last returned by `next_line`, taken out by `consume`.
    taken: Option<usize>,
    /// Inside a line that was too long: dropping bytes up to its newline.
    discarding: bool,
}

/// A line found by [`Inbox::next_line`].
enum Line<'a> {
    Whole(&'a [u8]),
    /// A line longer than the limit (its bytes are dropped as they arrive).
    TooLong,
}

impl Inbox {
    /// The next whole line, if one is buffered (without its `\n`); [`consume`](Self::consume)
    /// takes it out.
    fn next_line(&mut self, max_line: usize) -> Option<Line<'_>> {
        debug_assert!(self.taken.is_none(), "consume the line first");
        loop {
            let unscanned = &self.buf[self.start + self.scanned..];
            match memchr(unscanned) {
                Some(at) => {
                    let end = self.start + self.scanned + at;
                    if self.discarding {
                        // The end of a line already answered as too long.
                        self.discarding = false;
                        self.start = end + 1;
                        self.scanned = 0;
                        continue;
                    }
                    self.taken = Some(end + 1);
                    if end - self.start > max_line {
                        return Some(Line::TooLong);
                    }
                    return Some(Line::Whole(&self.buf[self.start..end]));
                }
                None => {
                    self.scanned = self.buf.len() - self.start;
                    if self.scanned > max_line && !self.discarding {
                        // Too long already: drop it as it arrives, answer it once.
                        self.discarding = true;
                        self.start = self.buf.len();
                        self.scanned = 0;
                        self.taken = Some(self.start);
                        return Some(Line::TooLong);
                    }
                    if self.discarding {
                        self.start = self.buf.len();
                        self.scanned = 0;
                    }
                    return None;
                }
            }
        }
    }

    /// Takes out the line last returned by [`next_line`](Self::next_line).
    fn consume(&mut self) {
        if let Some(end) = self.taken.take() {
            self.start = end;
            self.scanned = 0;
        }
    }

    /// Reads more input; `Ok(0)` at the end of the stream.
    async fn fill(&mut self, read: &mut BoxedRead) -> std::io::Result<usize> {
        if self.start > 0 {
            if self.start == self.buf.len() {
                self.buf.clear();
            } else {
                self.buf.drain(..self.start);
            }
            self.start = 0;
        }
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 2 {
            self.buf.reserve(READ_CHUNK);
        }
        // Appends into spare capacity; cancellation-safe (nothing is read unless returned).
        let read = read.read_buf(&mut self.buf).await?;
        if self.buf.is_empty() && self.buf.capacity() > 4 * READ_CHUNK {
            self.buf = Vec::new();
        }
        Ok(read)
    }
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;

    fn transport(max_line: usize) -> (LineTransport, tokio::io::DuplexStream) {
        let (client, server) = tokio::io::duplex(1 << 16);
        let (read, write) = tokio::io::split(server);
        let transport = LineTransport::new(Box::new(read), Box::new(write)).with_max_line(max_line);
        (transport, client)
    }

    /// One `ping` line per id.
    fn pings(ids: std::ops::Range<i64>) -> Vec<u8> {
        ids.flat_map(|id| {
            format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}\n").into_bytes()
        })
        .collect()
    }

    /// The empty answer to request `id` (a ping's).
    fn empty_answer(id: i64) -> TxJsonRpcMessage<RoleServer> {
        rmcp::model::ServerJsonRpcMessage::response(
            ServerResult::EmptyResult(rmcp::model::EmptyResult {}),
            rmcp::model::NumberOrString::Number(id),
        )
    }

    #[tokio::test]
    async fn lines_split_across_reads_and_many_per_read_are_all_delivered() {
        let (mut transport, client) = transport(MAX_LINE);
        let (client_read, mut client_write) = tokio::io::split(client);
        let input = pings(0..50);
        let writer = tokio::spawn(async move {
            for chunk in input.chunks(7) {
                client_write.write_all(chunk).await.expect("writable");
            }
            client_write
        });
        for id in 0..50 {
            let message = transport.receive().await.expect("a message");
            let (_, request_id) = message.into_request().expect("a request");
            assert_eq!(request_id, rmcp::model::NumberOrString::Number(id));
        }
        drop(writer.await.expect("written"));
        drop(client_read);
        assert!(transport.receive().await.is_none(), "end of input");
    }

    #[tokio::test]
    async fn a_too_long_line_is_answered_and_the_next_one_still_read() {
        let (mut transport, client) = transport(100);
        let (client_read, mut client_write) = tokio::io::split(client);
        let mut replies = BufReader::new(client_read).lines();
        let long = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{}\"}}\n",
            "x".repeat(500)
        );
        client_write
            .write_all(long.as_bytes())
            .await
            .expect("writable");
        client_write
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n")
            .await
            .expect("writable");
        let message = transport.receive().await.expect("the next line");
        assert_eq!(
            message.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(2)
        );
        let reply: Value = serde_json::from_str(
            &replies
                .next_line()
                .await
                .expect("readable")
                .expect("a reply"),
        )
        .expect("JSON");
        assert_eq!(reply["id"], Value::Null);
        assert_eq!(reply["error"]["code"], -32600);
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("100-byte limit"),
            "{reply}"
        );
    }

    #[tokio::test]
    async fn notifications_and_responses_before_the_lifecycle_starts_are_dropped() {
        let (mut transport, client) = transport(MAX_LINE);
        let (_client_read, mut client_write) = tokio::io::split(client);
        client_write
            .write_all(
                b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n\
                  {\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}\n\
                  {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n\
                  {\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n",
            )
            .await
            .expect("writable");
        let first = transport.receive().await.expect("the ping");
        assert!(matches!(first, rmcp::model::JsonRpcMessage::Request(_)));
        // A ping's answer does not start the lifecycle; an initialize result does.
        let ping = empty_answer(1);
        transport.send(ping).await.expect("sent");
        assert!(!transport.started);
        let init = rmcp::model::ServerJsonRpcMessage::response(
            ServerResult::InitializeResult(Default::default()),
            rmcp::model::NumberOrString::Number(0),
        );
        transport.send(init).await.expect("sent");
        client_write
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await
            .expect("writable");
        let next = transport
            .receive()
            .await
            .expect("the notification, now delivered");
        assert!(matches!(next, rmcp::model::JsonRpcMessage::Notification(_)));
    }

    #[tokio::test]
    async fn requests_past_the_in_flight_bound_wait_and_what_follows_them_is_read() {
        let (mut transport, client) = transport(MAX_LINE);
        // As after `initialize`: notifications are delivered.
        transport.started = true;
        let (_client_read, mut client_write) = tokio::io::split(client);
        let mut input = pings(0..MAX_IN_FLIGHT as i64 + 2);
        // Behind the two requests that wait: a cancellation, read at once.
        input.extend_from_slice(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}\n",
        );
        client_write.write_all(&input).await.expect("writable");
        for _ in 0..MAX_IN_FLIGHT {
            transport.receive().await.expect("a request");
        }
        let cancelled = transport.receive().await.expect("the cancellation");
        assert!(
            matches!(cancelled, JsonRpcMessage::Notification(_)),
            "read past the requests that wait: {cancelled:?}"
        );
        assert_eq!(transport.held.len(), 2);
        // The cancellation freed a place: the first request that waited takes it.
        let next = transport.receive().await.expect("a waiting request");
        assert_eq!(
            next.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(MAX_IN_FLIGHT as i64)
        );
        let waiting = tokio::time::timeout(Duration::from_millis(50), transport.receive()).await;
        assert!(
            waiting.is_err(),
            "{MAX_IN_FLIGHT} in flight again: the next one waits"
        );
        let answer = empty_answer(0);
        transport.send(answer).await.expect("sent");
        let next = transport
            .receive()
            .await
            .expect("started once one is answered");
        assert_eq!(
            next.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(MAX_IN_FLIGHT as i64 + 1)
        );
        // An error answer frees a place as well.
        let error = rmcp::model::ServerJsonRpcMessage::error(
            rmcp::model::ErrorData::internal_error("no", None),
            Some(rmcp::model::NumberOrString::Number(2)),
        );
        transport.send(error).await.expect("sent");
        assert_eq!(transport.out.in_flight.len(), MAX_IN_FLIGHT - 1);
        assert!(transport.held.is_empty());
    }

    #[tokio::test]
    async fn reading_stops_once_as_many_requests_wait_as_may_be_held() {
        let (transport, client) = transport(MAX_LINE);
        let mut transport = transport.with_limits(StdioLimits::default().max_in_flight(1));
        transport.started = true;
        let (_client_read, mut client_write) = tokio::io::split(client);
        let mut input = pings(0..MIN_HELD as i64 + 2);
        input.extend_from_slice(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}\n",
        );
        client_write.write_all(&input).await.expect("writable");
        transport.receive().await.expect("the first request");
        let waiting = tokio::time::timeout(Duration::from_millis(100), transport.receive()).await;
        assert!(waiting.is_err(), "nothing more to deliver");
        assert_eq!(
            transport.held.len(),
            MIN_HELD,
            "the last request and what follows unread"
        );
        let answer = empty_answer(0);
        transport.send(answer).await.expect("sent");
        let next = transport.receive().await.expect("the first that waited");
        assert_eq!(
            next.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(1)
        );
        // The last request took the freed room; one more answer, and the cancellation is
        // read: it drops request 5, which never ran.
        let answer = empty_answer(1);
        transport.send(answer).await.expect("sent");
        let next = transport.receive().await.expect("the second that waited");
        assert_eq!(
            next.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(2)
        );
        assert!(transport.in_flight_or_held(&rmcp::model::NumberOrString::Number(5)));
        let cancelled = transport.receive().await.expect("the cancellation");
        assert!(matches!(cancelled, JsonRpcMessage::Notification(_)));
        assert_eq!(transport.held.len(), MIN_HELD - 2);
        assert!(!transport.in_flight_or_held(&rmcp::model::NumberOrString::Number(5)));
    }

    #[tokio::test]
    async fn bad_lines_are_answered_in_order_with_the_messages_sent() {
        let (mut transport, client) = transport(MAX_LINE);
        let (client_read, mut client_write) = tokio::io::split(client);
        let mut replies = BufReader::new(client_read).lines();
        client_write
            .write_all(b"garbage\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\"}\n{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}\n")
            .await
            .expect("writable");
        let message = transport.receive().await.expect("the ping");
        assert_eq!(
            message.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(4)
        );
        let mut answers = Vec::new();
        for _ in 0..2 {
            let line = replies
                .next_line()
                .await
                .expect("readable")
                .expect("a reply");
            answers.push(serde_json::from_str::<Value>(&line).expect("JSON"));
        }
        assert_eq!(answers[0]["id"], Value::Null);
        assert_eq!(answers[0]["error"]["code"], -32700);
        assert_eq!(answers[1]["id"], json!(3));
        assert_eq!(answers[1]["error"]["code"], -32602);
        transport.close().await.expect("closes");
    }

    #[test]
    fn a_list_answer_written_from_its_kept_json_is_what_serializing_it_writes() {
        let serde_json::Value::Object(schema) = serde_json::json!({"type": "object"}) else {
            unreachable!("an object literal")
        };
        let tool = rmcp::model::Tool::new("a", "Adds.", Arc::new(schema));
        let result =
            ServerResult::ListToolsResult(rmcp::model::ListToolsResult::with_all_items(vec![tool]));
        for id in [RequestId::Number(7), RequestId::String("x\"y".into())] {
            let message: TxJsonRpcMessage<RoleServer> =
                JsonRpcMessage::response(result.clone(), id.clone());
            let expected = serde_json::to_vec(&message).expect("serializes");
            let json = crate::server::ListCache::default()
                .json(&result)
                .expect("a list");
            let mut line = Vec::new();
            super::write_response_line(&mut line, &id, &json).expect("writes");
            assert_eq!(
                String::from_utf8(line).expect("UTF-8"),
                String::from_utf8(expected).expect("UTF-8")
            );
        }
    }

    #[tokio::test]
    async fn a_second_request_with_an_id_in_flight_is_refused_and_the_first_goes_on() {
        let (mut transport, client) = transport(MAX_LINE);
        transport.started = true;
        let (client_read, mut client_write) = tokio::io::split(client);
        let mut replies = BufReader::new(client_read).lines();
        client_write
            .write_all(
                b"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n\
                  {\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}\n\
                  {\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"ping\"}\n",
            )
            .await
            .expect("writable");
        let first = transport.receive().await.expect("the first request");
        assert_eq!(
            first.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(7)
        );
        // The string id "7" is another id.
        let other = transport.receive().await.expect("the third request");
        assert_eq!(
            other.into_request().expect("a request").1,
            rmcp::model::NumberOrString::String("7".into())
        );
        let refusal: Value = serde_json::from_str(
            &replies
                .next_line()
                .await
                .expect("readable")
                .expect("a line"),
        )
        .expect("JSON");
        assert_eq!(refusal["id"], 7, "{refusal}");
        assert_eq!(refusal["error"]["code"], -32600, "{refusal}");
        assert!(
            refusal["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("already in flight")),
            "{refusal}"
        );
        // Once the first is answered, the id may be used again.
        let answer = empty_answer(7);
        transport.send(answer).await.expect("sent");
        client_write
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n")
            .await
            .expect("writable");
        let again = transport.receive().await.expect("the id again");
        assert_eq!(
            again.into_request().expect("a request").1,
            rmcp::model::NumberOrString::Number(7)
        );
    }
}
