//! Direct dispatch: once a session's lifecycle started, the codec hands each request to the
//! server itself, in one task per request, and writes its answer straight into the outbox.
//!
//! rmcp's service loop would pass each request through its event loop, spawn a task to run
//! the handler, send the answer back through a channel to that loop, and spawn another task
//! to write it: two tasks, two channel hops and a few moves of the handler's future per
//! request (about a fifth of a call's instructions went to `memcpy`, mostly there). The loop
//! stays in charge of everything else: the handshake, notifications, the requests the server
//! sends the client (a handler's [`Peer`] is the session's), and the end of the session.
//!
//! A request dispatched here keeps what the loop gives one: its cancellation token (fired by
//! the client's `notifications/cancelled`, after which its answer is dropped, or when the
//! transport closes), its `_meta` and extensions, and the same `ServerHandler` dispatch
//! (`rmcp::Service::handle_request`), with its protocol-version checks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use rmcp::RoleServer;
use rmcp::model::{ClientRequest, ErrorData, JsonRpcMessage, RequestId, ServerResult};
use rmcp::service::{Peer, RequestContext, TxJsonRpcMessage};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::outbox::Outbox;
use crate::middleware::reply::ReplyMeter;
use crate::server::{ListCache, Server};

/// What a request is dispatched to: the server, and the session's peer (known once rmcp's
/// handshake returned it).
pub(crate) struct Direct {
    pub(crate) server: Server,
    pub(crate) peer: Peer<RoleServer>,
}

/// Where [`Direct`] is put once the session is up; until then, requests go through rmcp's loop.
pub(crate) type DirectSlot = Arc<OnceLock<Direct>>;

/// Requests delivered and not yet answered (or cancelled), by id: `Some` token for those
/// dispatched here, `None` for those handed to rmcp's loop.
#[derive(Default)]
pub(super) struct InFlight {
    ids: Mutex<HashMap<RequestId, Option<CancellationToken>>>,
    /// One left (answered or cancelled).
    left: Notify,
}

impl InFlight {
    fn ids(&self) -> MutexGuard<'_, HashMap<RequestId, Option<CancellationToken>>> {
        // A plain map that no code panics while holding.
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn len(&self) -> usize {
        self.ids().len()
    }

    pub(super) fn contains(&self, id: &RequestId) -> bool {
        self.ids().contains_key(id)
    }

    pub(super) fn insert(&self, id: RequestId, token: Option<CancellationToken>) {
        self.ids().insert(id, token);
    }

    /// Takes `id` out; `None` if it was not in flight (answered, or cancelled).
    pub(super) fn remove(&self, id: &RequestId) -> Option<Option<CancellationToken>> {
        let removed = self.ids().remove(id);
        if removed.is_some() {
            self.left.notify_waiters();
        }
        removed
    }

    /// The client cancelled `id`: a request dispatched here is told, and its answer dropped.
    pub(super) fn cancel(&self, id: &RequestId) {
        if let Some(Some(token)) = self.remove(id) {
            token.cancel();
        }
    }

    /// Waits until fewer than `limit` requests are in flight.
    pub(super) async fn wait_below(&self, limit: usize) {
        loop {
            let left = self.left.notified();
            tokio::pin!(left);
            left.as_mut().enable();
            if self.len() < limit {
                return;
            }
            left.await;
        }
    }

    /// Waits until no request dispatched here is in flight.
    pub(super) async fn wait_dispatched(&self) {
        loop {
            let left = self.left.notified();
            tokio::pin!(left);
            left.as_mut().enable();
            if !self.ids().values().any(Option::is_some) {
                return;
            }
            left.await;
        }
    }

    /// Cancels every request dispatched here that is still running (their answers are
    /// dropped).
    pub(super) fn cancel_dispatched(&self) {
        let tokens: Vec<CancellationToken> = {
            let mut ids = self.ids();
            let mut tokens = Vec::new();
            ids.retain(|_, token| match token.take() {
                Some(token) => {
                    tokens.push(token);
                    false
                }
                None => true,
            });
            tokens
        };
        for token in tokens {
            token.cancel();
        }
        self.left.notify_waiters();
    }
}

/// The id of the request `message` answers, if it is an answer.
pub(super) fn answered_id(message: &TxJsonRpcMessage<RoleServer>) -> Option<&RequestId> {
    match message {
        JsonRpcMessage::Response(response) => Some(&response.id),
        JsonRpcMessage::Error(error) => error.id.as_ref(),
        _ => None,
    }
}

/// How an answer is written: what the transport's `send` and a dispatched request share.
#[derive(Clone)]
pub(super) struct Writer {
    pub(super) outbox: Arc<Outbox>,
    pub(super) in_flight: Arc<InFlight>,
    pub(super) lists: Option<Arc<ListCache>>,
    pub(super) meter: ReplyMeter,
}

impl Writer {
    /// Serializes `message` into the outbox, telling the meter an answer's size; a list
    /// answer the server keeps serialized is copied as is. (Whoever answers takes the request
    /// out of flight first.)
    pub(super) fn write(&self, message: &TxJsonRpcMessage<RoleServer>) -> std::io::Result<usize> {
        let answered = answered_id(message);
        // Serialized now, in the order the service sends: a progress notification is never
        // overtaken by the answer it precedes.
        let written = match (message, &self.lists) {
            (JsonRpcMessage::Response(response), Some(lists)) => {
                match lists.json(&response.result) {
                    Some(json) => self
                        .outbox
                        .push_with(|buf| super::write_response_line(buf, &response.id, &json)),
                    None => self.outbox.push(message),
                }
            }
            _ => self.outbox.push(message),
        };
        if let Some(id) = answered {
            self.meter.replied(id, written.as_ref().ok().copied());
        }
        written
    }

    /// Runs `request` on the server in a task of its own, and writes its answer (unless the
    /// client cancelled it meanwhile).
    pub(super) fn dispatch(&self, direct: &Direct, id: RequestId, mut request: ClientRequest) {
        let token = CancellationToken::new();
        self.in_flight.insert(id.clone(), Some(token.clone()));
        let mut context = RequestContext::new(id.clone(), direct.peer.clone());
        context.ct = token;
        context.meta = std::mem::take(rmcp::model::GetMeta::get_meta_mut(&mut request));
        context.extensions =
            std::mem::take(rmcp::model::GetExtensions::extensions_mut(&mut request));
        let server = direct.server.clone();
        let writer = self.clone();
        // Boxed before it is spawned: tokio moves what it spawns a few times, and a pointer
        // moves for less than the handler's state machine.
        tokio::spawn(Box::pin(async move {
            let result: Result<ServerResult, ErrorData> =
                rmcp::Service::<RoleServer>::handle_request(&server, request, context).await;
            if writer.in_flight.remove(&id).is_none() {
                // Cancelled by the client (or the transport closed): no answer is sent.
                tracing::debug!(%id, "dropping the answer to a cancelled request");
                writer.meter.replied(&id, None);
                return;
            }
            let message = match result {
                Ok(result) => JsonRpcMessage::response(result, id),
                Err(error) => JsonRpcMessage::error(error, Some(id)),
            };
            if let Err(error) = writer.write(&message) {
                tracing::debug!(%error, "the answer could not be written");
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use rmcp::ServiceExt;
    use serde_json::{Value, json};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf};

    use super::super::LineTransport;
    use super::*;
    use crate::{Ctx, State, tool, tools};

    /// What `hold` saw.
    #[derive(Default)]
    struct Held {
        started: Notify,
        cancelled: Notify,
        release: Notify,
    }

    /// Waits until its request is cancelled, or it is released.
    #[tool]
    async fn hold(ctx: Ctx, held: State<Arc<Held>>) -> &'static str {
        held.started.notify_one();
        tokio::select! {
            () = ctx.cancellation_token().cancelled() => {
                held.cancelled.notify_one();
                "cancelled"
            }
            () = held.release.notified() => "released",
        }
    }

    /// Asks the client how many, and answers with its answer.
    #[tool]
    async fn ask(ctx: Ctx) -> Result<String, crate::ToolError> {
        let answer = ctx
            .elicit(
                "How many?",
                json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
            )
            .await?;
        Ok(answer.content.unwrap_or_default().to_string())
    }

    /// Answers after a while.
    #[tool]
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_millis(200)).await;
        "done"
    }

    struct Session {
        write: tokio::io::WriteHalf<DuplexStream>,
        lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
        in_flight: Arc<InFlight>,
        held: Arc<Held>,
        served: tokio::task::JoinHandle<()>,
    }

    impl Session {
        /// A server with `hold` and `slow`, served over a duplex as `serve_boxed` serves one,
        /// after the handshake.
        async fn start(max_in_flight: usize) -> Self {
            let held = Arc::new(Held::default());
            let server = Server::builder("direct")
                .state(held.clone())
                .tools(tools![hold, slow, ask])
                .build()
                .expect("builds");
            let (client, server_io) = tokio::io::duplex(1 << 16);
            let (read, write) = tokio::io::split(server_io);
            let transport = LineTransport::new(Box::new(read), Box::new(write))
                .with_limits(super::super::StdioLimits::default().max_in_flight(max_in_flight));
            let in_flight = transport.out.in_flight.clone();
            let slot = transport.direct_slot();
            let served = tokio::spawn(async move {
                let running = ServiceExt::serve(server, transport)
                    .await
                    .expect("the handshake");
                super::super::dispatch_directly(&slot, &running);
                let _ = running.waiting().await;
            });
            let (read, write) = tokio::io::split(client);
            let mut session = Self {
                write,
                lines: BufReader::new(read).lines(),
                in_flight,
                held,
                served,
            };
            session
                .send(
                    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
                    "clientInfo": {"name": "t", "version": "0"}}}),
                )
                .await;
            assert_eq!(session.next().await["id"], 0);
            session
                .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
                .await;
            session
        }

        async fn send(&mut self, message: Value) {
            let mut line = message.to_string();
            line.push('\n');
            self.write
                .write_all(line.as_bytes())
                .await
                .expect("writable");
        }

        async fn call(&mut self, id: i64, tool: &str) {
            self.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": {}}}))
                .await;
        }

        async fn next(&mut self) -> Value {
            let line = tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
                .await
                .expect("an answer in time")
                .expect("readable")
                .expect("a line");
            serde_json::from_str(&line).expect("JSON")
        }

        /// Waits until a `hold` call started.
        async fn hold_started(&self) {
            tokio::time::timeout(Duration::from_secs(10), self.held.started.notified())
                .await
                .expect("the tool started");
        }

        /// The requests in flight that were dispatched directly.
        fn dispatched(&self) -> usize {
            self.in_flight
                .ids()
                .values()
                .filter(|t| t.is_some())
                .count()
        }

        async fn until(&self, what: &str, done: impl Fn(&Self) -> bool) {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while !done(self) {
                assert!(tokio::time::Instant::now() < deadline, "never: {what}");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }

    #[tokio::test]
    async fn a_call_after_the_handshake_is_dispatched_directly_and_a_cancel_drops_its_answer() {
        let mut session = Session::start(64).await;
        let held = session.held.clone();
        session.call(1, "hold").await;
        session.hold_started().await;
        assert_eq!(session.dispatched(), 1, "in flight as a direct dispatch");
        session
            .send(
                json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 1, "reason": "enough"}}),
            )
            .await;
        tokio::time::timeout(Duration::from_secs(10), held.cancelled.notified())
            .await
            .expect("the tool saw the cancellation");
        session
            .until("out of flight", |s| s.in_flight.len() == 0)
            .await;
        // The next line is the ping's answer: the cancelled call's was dropped.
        session
            .send(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
            .await;
        let answer = session.next().await;
        assert_eq!(answer["id"], 2, "{answer}");
        assert_eq!(answer["result"], json!({}), "{answer}");
    }

    #[tokio::test]
    async fn a_dispatched_call_is_still_answered_after_the_input_ends() {
        let mut session = Session::start(64).await;
        session.call(1, "slow").await;
        session.call(2, "slow").await;
        session.write.shutdown().await.expect("closed");
        let mut ids = [session.next().await, session.next().await];
        ids.sort_by_key(|answer| answer["id"].as_i64());
        for (answer, id) in ids.iter().zip([1, 2]) {
            assert_eq!(answer["id"], id, "{answer}");
            assert_eq!(answer["result"]["content"][0]["text"], "done", "{answer}");
        }
        let end = tokio::time::timeout(Duration::from_secs(10), session.lines.next_line())
            .await
            .expect("the end in time")
            .expect("readable");
        assert!(end.is_none(), "nothing after the answers: {end:?}");
        session.served.await.expect("the session ended");
    }

    #[tokio::test]
    async fn dispatched_calls_count_against_the_in_flight_bound_and_their_ids() {
        let mut session = Session::start(2).await;
        let held = session.held.clone();
        for id in 1..=2 {
            session.call(id, "hold").await;
            session.hold_started().await;
        }
        // A third waits unread while two are in flight.
        session.call(3, "slow").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(session.in_flight.len(), 2);
        assert!(!session.in_flight.contains(&RequestId::Number(3)));
        // One answered lets it in; it is answered too.
        held.release.notify_one();
        let released = session.next().await;
        assert_eq!(released["result"]["content"][0]["text"], "released");
        let answer = session.next().await;
        assert_eq!(answer["id"], 3, "{answer}");
        // An id still in flight is refused, and the first keeps running.
        let still = if released["id"] == 1 { 2 } else { 1 };
        session.call(still, "slow").await;
        let refusal = session.next().await;
        assert_eq!(refusal["id"], still, "{refusal}");
        assert_eq!(refusal["error"]["code"], -32600, "{refusal}");
        assert!(session.in_flight.contains(&RequestId::Number(still)));
        assert_eq!(session.dispatched(), 1);
    }

    #[tokio::test]
    async fn a_dispatched_call_still_running_when_the_session_closes_is_cancelled() {
        let mut session = Session::start(64).await;
        let held = session.held.clone();
        session.call(1, "hold").await;
        session.hold_started().await;
        session.write.shutdown().await.expect("closed");
        // After the closing grace (5 s), the call is cancelled and the session ends unanswered.
        tokio::time::timeout(Duration::from_secs(20), held.cancelled.notified())
            .await
            .expect("the tool saw the cancellation");
        tokio::time::timeout(Duration::from_secs(20), &mut session.served)
            .await
            .expect("the session ended in time")
            .expect("the session ended");
        assert_eq!(session.in_flight.len(), 0);
        let end = session.lines.next_line().await.expect("readable");
        assert!(end.is_none(), "no answer to a cancelled call: {end:?}");
    }

    #[tokio::test]
    async fn answers_and_cancellations_are_read_while_the_in_flight_bound_is_full() {
        let mut session = Session::start(1).await;
        let held = session.held.clone();
        // The one place is taken by a call that asks the client: its answer must still be read.
        session.call(1, "ask").await;
        let question = session.next().await;
        assert_eq!(question["method"], "elicitation/create", "{question}");
        // A request waits behind the bound; the answer after it still gets through.
        session.call(2, "slow").await;
        session
            .send(json!({"jsonrpc": "2.0", "id": question["id"].clone(),
                "result": {"action": "accept", "content": {"n": 3}}}))
            .await;
        let answer = session.next().await;
        assert_eq!(answer["id"], 1, "{answer}");
        assert_eq!(
            answer["result"]["content"][0]["text"], r#"{"n":3}"#,
            "{answer}"
        );
        let answer = session.next().await;
        assert_eq!(answer["id"], 2, "{answer}");
        // A call that holds the place; a waiting call cancelled before it ran never runs.
        session.call(3, "hold").await;
        session.hold_started().await;
        session.call(4, "hold").await;
        session
            .send(
                json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 4}}),
            )
            .await;
        session
            .send(
                json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 3}}),
            )
            .await;
        tokio::time::timeout(Duration::from_secs(10), held.cancelled.notified())
            .await
            .expect("the running call saw its cancellation");
        session
            .send(json!({"jsonrpc": "2.0", "id": 5, "method": "ping"}))
            .await;
        let answer = session.next().await;
        assert_eq!(
            answer["id"], 5,
            "no answer to 3 or 4 before the ping's: {answer}"
        );
        let started_again =
            tokio::time::timeout(Duration::from_millis(200), held.started.notified()).await;
        assert!(
            started_again.is_err(),
            "the cancelled waiting call never ran"
        );
    }
}
