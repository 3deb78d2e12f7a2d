//! `tools/call` round trips: this runtime versus a hand-written rmcp server.
//!
//! Both servers expose one tool, `add(a: i64, b: i64)`, returning structured content
//! `{"result": a + b}` (plus rmcp's text copy of it), and both are served over a
//! `tokio::io::duplex` of the same size to the same rmcp client:
//!
//! * **ours**: `#[tool] async fn add(a: i64, b: i64) -> i64`, built with
//!   `Server::builder(…).tools(tools![add]).build()` and served with `Server::serve`;
//! * **rmcp**: a struct holding its `ToolRouter<Self>` in a field, a `#[tool_router]` impl
//!   whose `add` takes `Parameters<AddArgs>` and returns `Json<AddOutput>`, and
//!   `#[tool_handler]`, served with `rmcp::ServiceExt::serve`.
//!
//! Scenarios: `sequential` (one call in flight) and `concurrent64` (64 tasks sharing the
//! client's peer, so 64 calls in flight). After a warm-up, each scenario runs many short
//! rounds; a round times both servers back to back, in alternating order (AB, BA, AB, …), so
//! drift on a noisy machine cancels. Reported per scenario: the median µs per call of each
//! server, the ratio of those medians, and the median (and quartiles) of the per-round ratios,
//! the figure least disturbed by other load.
//!
//! ```text
//! cargo bench -p mcp-runtime --bench tool_call
//! BENCH_CALLS=1000 BENCH_ROUNDS=101 cargo bench -p mcp-runtime --bench tool_call
//! cargo bench -p mcp-runtime --bench tool_call -- 1000 101     # the same, as arguments
//! ```
//!
//! `BENCH_CALLS` is the number of sequential calls per round (default 250; concurrent rounds
//! make 16 times as many); `BENCH_ROUNDS` the number of rounds per server and scenario
//! (default 61). Short rounds, many of them, pair the two servers most closely in time.

use std::future::Future;
use std::time::{Duration, Instant};

use mcp_runtime::rmcp;
use mcp_runtime::{Server, tool, tools};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, Implementation, JsonObject,
};
use rmcp::service::RunningService;
use rmcp::{Peer, RoleClient, ServiceExt};
use serde_json::{Value, json};

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

/// The same tool, written directly against rmcp's macros.
mod hand {
    use rmcp::handler::server::router::tool::ToolRouter;
    use rmcp::handler::server::wrapper::{Json, Parameters};
    use rmcp::{ServerHandler, tool, tool_handler, tool_router};
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::rmcp;

    /// The arguments of `add`.
    #[derive(Deserialize, JsonSchema)]
    pub struct AddArgs {
        /// Left operand
        pub a: i64,
        /// Right operand
        pub b: i64,
    }

    /// The result of `add`, shaped like the runtime's wrapped scalar: `{"result": …}`.
    #[derive(Serialize, JsonSchema)]
    pub struct AddOutput {
        /// The sum.
        pub result: i64,
    }

    /// A server whose router is built once and stored, rmcp's fast form.
    #[derive(Clone)]
    pub struct HandServer {
        tool_router: ToolRouter<Self>,
    }

    #[tool_router]
    impl HandServer {
        /// Builds the server and its router.
        pub fn new() -> Self {
            Self {
                tool_router: Self::tool_router(),
            }
        }

        /// Add two integers.
        #[tool]
        async fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> Json<AddOutput> {
            Json(AddOutput { result: a + b })
        }
    }

    #[tool_handler(router = self.tool_router)]
    impl ServerHandler for HandServer {}
}

/// The two servers under test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Ours,
    Rmcp,
}

/// A client connected to one server.
struct Connection {
    client: RunningService<RoleClient, ClientConfig>,
    server: tokio::task::JoinHandle<()>,
}

impl Connection {
    async fn open(which: Which) -> Self {
        let (client_io, server_io) = tokio::io::duplex(DUPLEX_BUFFER);
        let server = match which {
            Which::Ours => {
                let server = Server::builder("bench-ours")
                    .tools(tools![add])
                    .build()
                    .expect("our server builds");
                tokio::spawn(async move {
                    if let Err(error) = server.serve(server_io).await {
                        eprintln!("our server stopped: {error}");
                    }
                })
            }
            Which::Rmcp => tokio::spawn(async move {
                match hand::HandServer::new().serve(server_io).await {
                    Ok(running) => {
                        if let Err(error) = running.waiting().await {
                            eprintln!("rmcp server stopped: {error}");
                        }
                    }
                    Err(error) => eprintln!("rmcp server failed to start: {error}"),
                }
            }),
        };
        let mut config = ClientConfig::default();
        config.client_info = Implementation::new("tool-call-bench", env!("CARGO_PKG_VERSION"));
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

/// One call; panics on a protocol error or an error result, so failures cannot be timed.
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
    ours: f64,
    rmcp: f64,
    /// Median of the per-round ratios ours/rmcp: each round times both servers back to back,
    /// so a round's ratio is immune to load that changes more slowly than a round.
    paired: f64,
    /// Lower and upper quartiles of the per-round ratios.
    paired_iqr: (f64, f64),
}

/// Runs a scenario `rounds` times per server, alternating AB, BA, AB, … after a warm-up.
async fn scenario<F, Fut>(
    name: &'static str,
    ours: &Peer<RoleClient>,
    rmcp: &Peer<RoleClient>,
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
        run(ours.clone(), calls).await;
        run(rmcp.clone(), calls).await;
    }

    let per_call = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / calls as f64;
    let mut samples_ours = Vec::with_capacity(rounds);
    let mut samples_rmcp = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (a, b) = if round.is_multiple_of(2) {
            let a = per_call(run(ours.clone(), calls).await);
            (a, per_call(run(rmcp.clone(), calls).await))
        } else {
            let b = per_call(run(rmcp.clone(), calls).await);
            (per_call(run(ours.clone(), calls).await), b)
        };
        samples_ours.push(a);
        samples_rmcp.push(b);
        ratios.push(a / b);
    }
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    Row {
        scenario: name,
        ours: median(&mut samples_ours),
        rmcp: median(&mut samples_rmcp),
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

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let rows = runtime.block_on(async {
        let ours = Connection::open(Which::Ours).await;
        let rmcp = Connection::open(Which::Rmcp).await;
        let (ours_peer, rmcp_peer) = (ours.peer(), rmcp.peer());
        verify(Which::Ours, &ours_peer).await;
        verify(Which::Rmcp, &rmcp_peer).await;

        let rows = vec![
            scenario(
                "sequential",
                &ours_peer,
                &rmcp_peer,
                calls,
                rounds,
                sequential,
            )
            .await,
            scenario(
                "concurrent64",
                &ours_peer,
                &rmcp_peer,
                concurrent_calls,
                rounds,
                concurrent,
            )
            .await,
        ];
        ours.close().await;
        rmcp.close().await;
        rows
    });

    println!(
        "tools/call add(2, 3) over tokio::io::duplex({DUPLEX_BUFFER}); {} worker threads; \
         {rounds} rounds per server, alternating; {calls} sequential / {concurrent_calls} \
         concurrent calls per round",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!();
    println!(
        "{:<14}{:>14}{:>14}{:>8}{:>14}   {:>13}",
        "scenario", "ours µs/call", "rmcp µs/call", "ratio", "paired ratio", "paired IQR"
    );
    for row in &rows {
        println!(
            "{:<14}{:>14.2}{:>14.2}{:>8.3}{:>14.3}   {:>13}",
            row.scenario,
            row.ours,
            row.rmcp,
            row.ours / row.rmcp,
            row.paired,
            format!("{:.3}..{:.3}", row.paired_iqr.0, row.paired_iqr.1),
        );
    }
    println!();
    println!(
        "ratio = median ours / median rmcp; paired ratio = median over rounds of ours/rmcp \
         (target ≤ 1.10); total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
