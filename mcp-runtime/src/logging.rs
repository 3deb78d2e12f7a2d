//! Logging that respects the transport.
//!
//! - On **stdio**, stdout carries protocol messages alone: logs go to stderr (or a file), and
//!   [`protect_stdout`] points file descriptor 1 at stderr so that even a stray `println!`
//!   cannot corrupt the stream. [`Server::run`](crate::Server::run) and
//!   [`Server::serve_stdio`](crate::Server::serve_stdio) call it when they start; call it
//!   yourself first thing in `main` to cover what runs before them.
//! - On **HTTP**, logs are JSON lines on stdout, for log collectors.
//! - **To the client**: inside a request, `tracing` events at or above the level the client set
//!   with `logging/setLevel` are also sent to that client as `notifications/message`, where the
//!   negotiated protocol version still has them (logging was removed in 2026-07-28). [`Ctx`]
//!   has [`debug`](crate::Ctx::debug), [`info`](crate::Ctx::info),
//!   [`warning`](crate::Ctx::warning) and [`error`](crate::Ctx::error) helpers that log to the
//!   client explicitly.
//!
//! [`init`] installs all of this; [`client_layer`] is the client-forwarding layer alone, for
//! applications that build their own subscriber.
//!
//! [`Ctx`]: crate::Ctx

#![allow(deprecated)] // rmcp marks MCP logging deprecated: it is gone from 2026-07-28 on.

use std::fmt::{self, Write as _};
use std::future::Future;
use std::sync::Arc;

use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam, ProtocolVersion};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use crate::error::Error;

mod line;
mod stdout;
pub use line::PlainLine;
pub(crate) use line::push_u64;
pub(crate) use stdout::real_stdout;
pub use stdout::{ProtectedStdout, protect_stdout};

pub use crate::config::{LogFormat, LogSettings, Transport};

/// Installs the process's logging for `transport`, plus the layer that forwards request logs
/// to clients. Does nothing if the application already installed a subscriber.
///
/// `settings.level` is a level or a filter of `target=level` directives
/// (`info,my_crate=debug`, see [`parse_filter`]); a bare level keeps rmcp's own chatter at
/// `warn`. `RUST_LOG`, when set and valid, wins.
///
/// JSON lines (`format = "json"`, the default on HTTP) need the `json-logs` feature: without
/// it HTTP logs are text, and asking for JSON is an error naming the feature.
pub fn init(transport: Transport, settings: &LogSettings) -> Result<(), Error> {
    let level = settings.level.trim();
    let filter_text = if level.contains([',', '=']) {
        level.to_owned()
    } else {
        format!("{level},rmcp=warn")
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| parse_filter(&text).ok())
        .map_or_else(|| parse_filter(&filter_text), Ok)
        .map_err(|error| Error::Usage(format!("invalid log filter `{filter_text}`: {error}")))?;
    let format = settings.format.unwrap_or(match transport {
        Transport::Http if cfg!(feature = "json-logs") => LogFormat::Json,
        _ => LogFormat::Text,
    });
    #[cfg(not(feature = "json-logs"))]
    if format == LogFormat::Json {
        return Err(Error::Usage(
            "JSON logs (`log.format = \"json\"`) need mcp-runtime's `json-logs` cargo feature, \
             which this server was built without"
                .to_owned(),
        ));
    }
    let writer = match &settings.file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| {
                    Error::Usage(format!(
                        "cannot open the log file {}: {error}",
                        path.display()
                    ))
                })?;
            Writer::File(Arc::new(std::sync::Mutex::new(file)))
        }
        None => match transport {
            // The real stdout, even if `protect_stdout` pointed file descriptor 1 elsewhere.
            Transport::Http => Writer::Stdout(real_stdout()),
            _ => Writer::Stderr,
        },
    };
    let ansi =
        matches!(writer, Writer::Stderr) && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi);
    let fmt = match format {
        #[cfg(feature = "json-logs")]
        LogFormat::Json => fmt.json().boxed(),
        // A terminal gets the default format, in colour; a pipe or a file the same layout,
        // written cheaply (a server logs every request).
        _ if ansi => fmt.boxed(),
        _ => fmt.event_format(PlainLine).boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::filter::filter_fn(|meta| {
            !is_rmcp_response_error(meta)
        }))
        .with(fmt)
        .with(client_layer())
        .try_init();
    Ok(())
}

/// Whether `meta` is rmcp's own `WARN` for a request that failed ("response error", with
/// `id` and `error`): the `Logging` middleware's line for the same request already says it, so
/// without this every failed request is logged twice.
fn is_rmcp_response_error(meta: &tracing::Metadata<'_>) -> bool {
    meta.target() == "rmcp::service"
        && *meta.level() == Level::WARN
        && meta.fields().len() == 3
        && ["message", "id", "error"]
            .iter()
            .all(|name| meta.fields().field(name).is_some())
}

/// A log filter: comma-separated directives, each a level (`info`, the default for every
/// target), a target (`my_crate`, everything it logs) or `target=level`
/// (`my_crate::db=trace`); the most specific target wins. Levels are `trace`, `debug`, `info`,
/// `warn`, `error` and `off`, in any case. Empty directives are skipped.
///
/// These are the `RUST_LOG` directives the docs describe; span and field filters
/// (`[span{field}]`) and regular expressions are not supported (a `RUST_LOG` using them is
/// ignored in favour of the settings).
pub fn parse_filter(text: &str) -> Result<tracing_subscriber::filter::Targets, String> {
    let directives: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|directive| !directive.is_empty())
        .collect();
    if let Some(directive) = directives.iter().find(|d| d.contains(['[', ']', '{', '}'])) {
        return Err(format!(
            "`{directive}`: span and field filters are not supported"
        ));
    }
    directives
        .join(",")
        .parse()
        .map_err(|error: tracing_subscriber::filter::ParseError| error.to_string())
}

/// Where formatted logs are written.
#[derive(Clone)]
enum Writer {
    Stderr,
    Stdout(ProtectedStdout),
    File(Arc<std::sync::Mutex<std::fs::File>>),
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Writer {
    type Writer = Box<dyn std::io::Write + 'a>;

    fn make_writer(&'a self) -> Self::Writer {
        match self {
            Writer::Stderr => Box::new(std::io::stderr()),
            Writer::Stdout(stdout) => Box::new(stdout.clone()),
            Writer::File(file) => Box::new(FileWriter(file)),
        }
    }
}

struct FileWriter<'a>(&'a std::sync::Mutex<std::fs::File>);

impl std::io::Write for FileWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut file = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let mut file = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.flush()
    }
}

/// The layer that forwards `tracing` events inside a request to that request's client, as
/// `notifications/message`, when the client asked for them with `logging/setLevel`.
pub fn client_layer() -> ClientLayer {
    ClientLayer { _private: () }
}

/// See [`client_layer`].
#[derive(Debug)]
pub struct ClientLayer {
    _private: (),
}

impl<S: Subscriber> Layer<S> for ClientLayer {
    fn on_event(&self, event: &Event<'_>, _cx: Context<'_, S>) {
        let target = event.metadata().target();
        // The SDK's own events (and rmcp's, which may come from sending this very
        // notification) stay in the server's logs.
        if target.starts_with("rmcp") || target.starts_with("mcp_runtime") {
            return;
        }
        let Ok(Some(sink)) = CLIENT.try_with(Clone::clone) else {
            return;
        };
        let level = from_tracing(*event.metadata().level());
        if rank(level) < rank(sink.min) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let param =
            LoggingMessageNotificationParam::new(level, fields.into_data()).with_logger(target);
        // The layer is synchronous; the notification is sent from a task of its own.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = sink.peer.notify_logging_message(param).await;
            });
        }
    }
}

/// A request's client, for logs sent to it.
#[derive(Clone)]
pub(crate) struct ClientSink {
    peer: Peer<RoleServer>,
    min: LoggingLevel,
}

tokio::task_local! {
    static CLIENT: Option<ClientSink>;
}

/// Runs `future` with its `tracing` events forwarded to `sink`'s client.
pub(crate) async fn with_client<F: Future>(sink: Option<ClientSink>, future: F) -> F::Output {
    match sink {
        None => future.await,
        Some(sink) => CLIENT.scope(Some(sink), future).await,
    }
}

/// Wraps `body`, about to run on another thread, so that its `tracing` events go to this
/// thread's subscriber (a thread default does not follow on its own), sit in the current span,
/// and reach the current request's client (if it asked for logs).
pub(crate) fn carry_to_thread<T>(body: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let sink = CLIENT.try_with(Clone::clone).ok().flatten();
    let span = tracing::Span::current();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    move || {
        tracing::dispatcher::with_default(&dispatch, || {
            span.in_scope(|| CLIENT.sync_scope(sink, body))
        })
    }
}

/// The sink for a request whose client asked for log messages (see [`asked`]): `tracing`
/// events go out at the level it named, none when it named none.
pub(crate) fn sink_for(
    context: &RequestContext<RoleServer>,
    session_min: Option<LoggingLevel>,
) -> Option<ClientSink> {
    Some(ClientSink {
        peer: context.peer.clone(),
        min: asked(context, session_min)??,
    })
}

/// What the request's client asked for: `None` when it wants no log messages, else the level
/// it set, if any. On protocol 2026-07-28 and later the request's own `_meta`
/// `io.modelcontextprotocol/logLevel` (none named: no messages); before, the session's
/// `logging/setLevel` (`session_min`; none set: no level).
fn asked(
    context: &RequestContext<RoleServer>,
    session_min: Option<LoggingLevel>,
) -> Option<Option<LoggingLevel>> {
    let per_request = context
        .protocol_version()
        .is_some_and(|version| version.as_str() >= ProtocolVersion::V_2026_07_28.as_str());
    if per_request {
        context.meta.log_level().map(Some)
    } else {
        Some(session_min)
    }
}

/// Sends one log message to the request's client (what the `Ctx` helpers do), unless it did
/// not ask for messages (see [`asked`]) or asked for a higher level.
pub(crate) async fn send(
    context: &RequestContext<RoleServer>,
    session_min: Option<LoggingLevel>,
    level: LoggingLevel,
    logger: &str,
    message: String,
) -> bool {
    let Some(min) = asked(context, session_min) else {
        return false;
    };
    if min.is_some_and(|min| rank(level) < rank(min)) {
        return false;
    }
    let param =
        LoggingMessageNotificationParam::new(level, Value::String(message)).with_logger(logger);
    context.peer.notify_logging_message(param).await.is_ok()
}

/// The severity order of MCP's levels.
pub(crate) fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

fn from_tracing(level: Level) -> LoggingLevel {
    match level {
        Level::ERROR => LoggingLevel::Error,
        Level::WARN => LoggingLevel::Warning,
        Level::INFO => LoggingLevel::Info,
        _ => LoggingLevel::Debug,
    }
}

/// An event's fields, as the `data` of a log notification: the message alone as a string, or
/// an object of the message and the fields.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    fields: Map<String, Value>,
}

impl Fields {
    fn into_data(self) -> Value {
        match (self.message, self.fields.is_empty()) {
            (Some(message), true) => Value::String(message),
            (message, _) => {
                let mut object = self.fields;
                if let Some(message) = message {
                    object.insert("message".to_owned(), Value::String(message));
                }
                Value::Object(object)
            }
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::String(value.to_owned()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.insert(field, Value::String(text));
    }
}

impl Fields {
    fn insert(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(text) => text,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing_subscriber::layer::{Context, Layer};
    use tracing_subscriber::prelude::*;

    /// Counts the events that reach it.
    struct Count(Arc<AtomicUsize>);

    impl<S: tracing::Subscriber> Layer<S> for Count {
        fn on_event(&self, _: &tracing::Event<'_>, _: Context<'_, S>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn rmcps_duplicate_failed_request_warning_is_dropped_and_nothing_else() {
        let seen = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::filter::filter_fn(|meta| {
                !super::is_rmcp_response_error(meta)
            }))
            .with(Count(seen.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let (id, error) = (7, "unknown tool");
            // What rmcp's service logs for every failed request: dropped.
            tracing::warn!(target: "rmcp::service", %id, ?error, "response error");
            // Its other warnings, and ours, pass.
            tracing::warn!(target: "rmcp::service", %id, message = %error, "rejected peer request");
            tracing::warn!(target: "rmcp::service", %id, "Error sending response");
            tracing::warn!(target: "mcp_runtime::requests", %id, ?error, "request failed");
        });
        assert_eq!(seen.load(Ordering::Relaxed), 3);
    }
}
