//! `tools/call` round trips: the default middleware stack versus no middleware.
//!
//! Two servers of this runtime expose the same tool, `#[tool] async fn add(a: i64, b: i64)
//! -> i64`, and are served over a `tokio::io::duplex` of the same size to the same rmcp
//! client:
//!
//! * **none**: `Server::builder("bench").tools(tools![add]).build()`, no middleware;
//! * **stack**: the same with `.settings(settings)`, where `settings` are the defaults plus a
//!   per-client rate limit (10⁹ a second, bursts of 10⁹) loaded through
//!   `Config::builder().env(…)`, the production path: `ServerBuilder::settings` installs
//!   `ErrorHandling`, `Logging`, `Timing` and `RateLimit`, outermost first. The limit never
//!   refuses during the run (every timed call panics on an error), but the bucket is checked
//!   on every call.
//!
//! Logging does real work: before anything runs, the process installs the subscriber that
//! `mcp_runtime::logging::init` builds for the default settings (`info,rmcp=warn` filter, the
//! text `fmt` layer, the client-forwarding layer), except that the formatted lines go to a
//! sink that counts them and discards them. Both servers run under it; the counts, printed per
//! call, show what each one logs.
//!
//! Scenarios: `sequential` (one call in flight) and `concurrent64` (64 tasks sharing the
//! client's peer, so 64 calls in flight). After a warm-up, each scenario runs many short
//! rounds; a round times both servers back to back, in alternating order (AB, BA, AB, …), so
//! drift on a noisy machine cancels. Reported per scenario: the median µs per call of each
//! server, the ratio of those medians, and the median (and quartiles) of the per-round ratios
//! stack/none, the figure least disturbed by other load. Target: at most 1.15.
//!
//! ```text
//! cargo bench -p mcp-runtime --bench stack
//! BENCH_CALLS=1000 BENCH_ROUNDS=101 cargo bench -p mcp-runtime --bench stack
//! cargo bench -p mcp-runtime --bench stack -- 1000 101     # the same, as arguments
//! ```
//!
//! `BENCH_CALLS` is the number of sequential calls per round (default 250; concurrent rounds
//! make 16 times as many); `BENCH_ROUNDS` the number of rounds per server and scenario
//! (default 61).

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mcp_runtime::config::Config;
use mcp_runtime::rmcp;
use mcp_runtime::{Server, Settings, tool, tools};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, Implementation, JsonObject,
};
use rmcp::service::RunningService;
use rmcp::{Peer, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

/// Buffer of each in-memory duplex, per direction (the same as `TestClient`'s).
const DUPLEX_BUFFER: usize = 64 * 1024;
/// Calls in flight in the concurrent scenario.
const IN_FLIGHT: usize = 64;
/// Default sequential calls per round.
const DEFAULT_CALLS: usize = 250;
/// Concurrent rounds make this many times the sequential calls.
const CONCURRENT_FACTOR: usize = 16;
/// Default rounds per server and scenario.
const DEFAULT_ROUNDS: usize = 61;
/// The log filter `logging::init` uses for the default level, `info`.
const LOG_FILTER: &str = "info,rmcp=warn";
/// The per-client rate limit of the stack: high enough never to refuse.
const RATE_ENV: [(&str, &str); 2] = [
    ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "1000000000"),
    ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "1000000000"),
];

/// Add two integers.
#[tool]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> i64 {
    a + b
}

/// Formatted log lines and bytes, written to [`CountingSink`] and discarded.
static LOG_LINES: AtomicU64 = AtomicU64::new(0);
static LOG_BYTES: AtomicU64 = AtomicU64::new(0);

/// `std::io::sink`, counting what it is given: the `fmt` layer writes each formatted event
/// with one `write_all`, so writes count lines.
struct CountingSink;

impl io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        LOG_LINES.fetch_add(1, Ordering::Relaxed);
        LOG_BYTES.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The subscriber of a server started with default settings, writing to [`CountingSink`].
fn install_subscriber() {
    let filter = tracing_subscriber::EnvFilter::try_new(LOG_FILTER).expect("a valid log filter");
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(|| CountingSink)
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(mcp_runtime::logging::client_layer())
        .try_init()
        .expect("no subscriber installed yet");
}

/// The default settings with a per-client rate limit that never refuses.
fn stack_settings() -> Settings {
    let settings = Config::builder()
        .env(RATE_ENV)
        .load()
        .and_then(|config| config.settings())
        .unwrap_or_else(|error| panic!("the stack's settings: {error}"));
    let limit = settings
        .rate_limit
        .per_client
        .expect("the per-client rate limit is set");
    assert!(
        limit.per_second >= 1e9 && limit.burst >= 1_000_000_000,
        "unexpected rate limit {limit:?}"
    );
    assert!(
        settings.rate_limit.global.is_none()
            && !settings.cache.enabled
            && settings.timeout.default.is_none(),
        "the stack should be ErrorHandling, Logging, Timing and RateLimit only: {settings:?}"
    );
    settings
}

/// The two servers under test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    /// No middleware.
    None,
    /// The default stack.
    Stack,
}

/// A client connected to one server.
struct Connection {
    client: RunningService<RoleClient, ClientConfig>,
    server: tokio::task::JoinHandle<()>,
}

impl Connection {
    async fn open(which: Which) -> Self {
        let (client_io, server_io) = tokio::io::duplex(DUPLEX_BUFFER);
        let builder = Server::builder("bench").tools(tools![add]);
        let builder = match which {
            Which::None => builder,
            Which::Stack => builder.settings(stack_settings()),
        };
        let server = builder
            .build()
            .unwrap_or_else(|error| panic!("{which:?}: the server does not build: {error}"));
        let server = tokio::spawn(async move {
            if let Err(error) = server.serve(server_io).await {
                eprintln!("{which:?}: server stopped: {error}");
            }
        });
        let mut config = ClientConfig::default();
        config.client_info = Implementation::new("stack-bench", env!("CARGO_PKG_VERSION"));
        let client = config
            .serve(client_io)
            .await
            .unwrap_or_else(|error| panic!("{which:?}: initialize failed: {error}"));
        Self { client, server }
    }

    fn peer(&self) -> Peer<RoleClient> {
        self.client.peer().clone()
    }

    async fn close(self) {
        let _ = self.client.cancel().await;
        let _ = self.server.await;
    }
}

/// The request every call sends: `add` with `{"a": 2, "b": 3}`.
fn request() -> CallToolRequestParams {
    let Value::Object(arguments) = json!({"a": 2, "b": 3}) else {
        unreachable!("a JSON object literal")
    };
    let arguments: JsonObject = arguments;
    CallToolRequestParams::new("add").with_arguments(arguments)
}

/// One call; panics on a protocol error (a refusal by the rate limit included) or an error
/// result, so failures cannot be timed.
async fn call(peer: &Peer<RoleClient>, params: CallToolRequestParams) -> CallToolResult {
    let result = peer
        .call_tool(params)
        .await
        .unwrap_or_else(|error| panic!("tools/call failed: {error}"));
    assert!(
        result.is_error != Some(true),
        "tools/call returned an error result: {result:?}"
    );
    result
}

/// Checks, once, that a server answers `{"result": 5}` to `add(2, 3)`.
async fn verify(which: Which, peer: &Peer<RoleClient>) {
    let result = call(peer, request()).await;
    let structured = result.structured_content.as_ref();
    if structured != Some(&json!({"result": 5})) {
        panic!(
            "{which:?}: add(2, 3) answered {result:?}, expected structured content {{\"result\": 5}}"
        );
    }
    let text = result.content.first().and_then(|block| block.as_text());
    if text.map(|text| text.text.as_str()) != Some(r#"{"result":5}"#) {
        panic!("{which:?}: add(2, 3) answered {result:?}, expected the text `{{\"result\":5}}`");
    }
}

/// What a server logs per call: formatted lines and bytes, over `calls` sequential calls.
async fn log_volume(peer: &Peer<RoleClient>, calls: usize) -> (f64, f64) {
    let (lines, bytes) = (
        LOG_LINES.load(Ordering::Relaxed),
        LOG_BYTES.load(Ordering::Relaxed),
    );
    sequential(peer.clone(), calls).await;
    let lines = LOG_LINES.load(Ordering::Relaxed) - lines;
    let bytes = LOG_BYTES.load(Ordering::Relaxed) - bytes;
    (lines as f64 / calls as f64, bytes as f64 / calls as f64)
}

/// `calls` calls, one at a time.
async fn sequential(peer: Peer<RoleClient>, calls: usize) -> Duration {
    let params = request();
    let start = Instant::now();
    for _ in 0..calls {
        std::hint::black_box(call(&peer, params.clone()).await);
    }
    start.elapsed()
}

/// `calls` calls, `IN_FLIGHT` at a time: one task per slot, each on a clone of the peer.
async fn concurrent(peer: Peer<RoleClient>, calls: usize) -> Duration {
    let params = request();
    let per_task = calls / IN_FLIGHT;
    let start = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let peer = peer.clone();
            let params = params.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    std::hint::black_box(call(&peer, params.clone()).await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a concurrent caller panicked");
    }
    start.elapsed()
}

/// Median of per-call times, in microseconds.
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len().is_multiple_of(2) {
        (samples[mid - 1] + samples[mid]) / 2.0
    } else {
        samples[mid]
    }
}

/// The result of one scenario, in µs per call.
struct Row {
    scenario: &'static str,
    none: f64,
    stack: f64,
    /// Median of the per-round ratios stack/none: each round times both servers back to back,
    /// so a round's ratio is immune to load that changes more slowly than a round.
    paired: f64,
    /// Lower and upper quartiles of the per-round ratios.
    paired_iqr: (f64, f64),
}

/// Runs a scenario `rounds` times per server, alternating AB, BA, AB, … after a warm-up.
async fn scenario<F, Fut>(
    name: &'static str,
    none: &Peer<RoleClient>,
    stack: &Peer<RoleClient>,
    calls: usize,
    rounds: usize,
    run: F,
) -> Row
where
    F: Fn(Peer<RoleClient>, usize) -> Fut,
    Fut: Future<Output = Duration>,
{
    // Warm up both, outside the measurement.
    for _ in 0..2 {
        run(none.clone(), calls).await;
        run(stack.clone(), calls).await;
    }

    let per_call = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / calls as f64;
    let mut samples_none = Vec::with_capacity(rounds);
    let mut samples_stack = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (a, b) = if round.is_multiple_of(2) {
            let a = per_call(run(none.clone(), calls).await);
            (a, per_call(run(stack.clone(), calls).await))
        } else {
            let b = per_call(run(stack.clone(), calls).await);
            (per_call(run(none.clone(), calls).await), b)
        };
        samples_none.push(a);
        samples_stack.push(b);
        ratios.push(b / a);
    }
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    Row {
        scenario: name,
        none: median(&mut samples_none),
        stack: median(&mut samples_stack),
        paired: median(&mut ratios.clone()),
        paired_iqr: (quartile(1), quartile(3)),
    }
}

/// A positive count from the `position`-th numeric argument, then `var`, then `default`.
fn setting(position: usize, var: &str, default: usize) -> usize {
    let from_args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .filter_map(|arg| arg.parse::<usize>().ok())
        .nth(position);
    let from_env = || std::env::var(var).ok().and_then(|value| value.parse().ok());
    from_args.or_else(from_env).unwrap_or(default).max(1)
}

fn main() {
    let calls = setting(0, "BENCH_CALLS", DEFAULT_CALLS);
    let rounds = setting(1, "BENCH_ROUNDS", DEFAULT_ROUNDS);
    // Concurrent rounds make more calls, so that each of the 64 tasks makes a run of them,
    // rounded to whole tasks.
    let concurrent_calls = (calls * CONCURRENT_FACTOR).div_ceil(IN_FLIGHT) * IN_FLIGHT;

    install_subscriber();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let (rows, logs) = runtime.block_on(async {
        let none = Connection::open(Which::None).await;
        let stack = Connection::open(Which::Stack).await;
        let (none_peer, stack_peer) = (none.peer(), stack.peer());
        verify(Which::None, &none_peer).await;
        verify(Which::Stack, &stack_peer).await;
        let logs = [
            log_volume(&none_peer, calls).await,
            log_volume(&stack_peer, calls).await,
        ];
        assert!(
            logs[1].0 >= 1.0,
            "the stack should format a log line per call (Logging), not {}",
            logs[1].0
        );

        let rows = vec![
            scenario(
                "sequential",
                &none_peer,
                &stack_peer,
                calls,
                rounds,
                sequential,
            )
            .await,
            scenario(
                "concurrent64",
                &none_peer,
                &stack_peer,
                concurrent_calls,
                rounds,
                concurrent,
            )
            .await,
        ];
        none.close().await;
        stack.close().await;
        (rows, logs)
    });

    println!(
        "tools/call add(2, 3) over tokio::io::duplex({DUPLEX_BUFFER}); {} worker threads; \
         {rounds} rounds per server, alternating; {calls} sequential / {concurrent_calls} \
         concurrent calls per round",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!(
        "stack = ErrorHandling, Logging, Timing, RateLimit::per_client(1e9/s, burst 1e9); \
         logs formatted (fmt, text, filter `{LOG_FILTER}`) and discarded: none {:.1} lines \
         ({:.0} B) per call, stack {:.1} lines ({:.0} B) per call",
        logs[0].0, logs[0].1, logs[1].0, logs[1].1,
    );
    println!();
    println!(
        "{:<14}{:>14}{:>15}{:>8}{:>14}   {:>13}",
        "scenario", "none µs/call", "stack µs/call", "ratio", "paired ratio", "paired IQR"
    );
    for row in &rows {
        println!(
            "{:<14}{:>14.2}{:>15.2}{:>8.3}{:>14.3}   {:>13}",
            row.scenario,
            row.none,
            row.stack,
            row.stack / row.none,
            row.paired,
            format!("{:.3}..{:.3}", row.paired_iqr.0, row.paired_iqr.1),
        );
    }
    println!();
    println!(
        "ratio = median stack / median none; paired ratio = median over rounds of stack/none \
         (target ≤ 1.15); total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
