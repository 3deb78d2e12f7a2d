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
#![forbid(unsafe_code)]

use std::sync::atomic::Ordering;
use std::time::Instant;

use mcp_runtime::rmcp;
use mcp_runtime::{Server, tools};
use rmcp::model::{ClientConfig, Implementation};
use rmcp::service::RunningService;
use rmcp::{Peer, RoleClient, ServiceExt};

mod harness;
use harness::servers::add;
use harness::stack::{LOG_BYTES, LOG_FILTER, LOG_LINES, install_subscriber, stack_settings};
use harness::{
    CONCURRENT_FACTOR, DEFAULT_CALLS, DEFAULT_ROUNDS, DUPLEX_BUFFER, IN_FLIGHT, concurrent,
    print_rows, scenario, sequential, setting, verify,
};

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
        verify("none", &none_peer).await;
        verify("stack", &stack_peer).await;
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
                &stack_peer,
                &none_peer,
                calls,
                rounds,
                sequential,
            )
            .await,
            scenario(
                "concurrent64",
                &stack_peer,
                &none_peer,
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
    print_rows(&rows, "stack", "none");
    println!();
    println!(
        "ratio = median stack / median none; paired ratio = median over rounds of stack/none \
         (target ≤ 1.15); total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
