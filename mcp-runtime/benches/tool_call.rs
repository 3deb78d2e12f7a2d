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
#![forbid(unsafe_code)]

use std::time::Instant;

use mcp_runtime::rmcp;
use mcp_runtime::{Server, tools};
use rmcp::model::{ClientConfig, Implementation};
use rmcp::service::RunningService;
use rmcp::{Peer, RoleClient, ServiceExt};

mod harness;
use harness::servers::{add, hand};
use harness::{
    CONCURRENT_FACTOR, DEFAULT_CALLS, DEFAULT_ROUNDS, DUPLEX_BUFFER, IN_FLIGHT, concurrent,
    print_rows, scenario, sequential, setting, verify,
};

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
        verify("ours", &ours_peer).await;
        verify("rmcp", &rmcp_peer).await;

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
    print_rows(&rows, "ours", "rmcp");
    println!();
    println!(
        "ratio = median ours / median rmcp; paired ratio = median over rounds of ours/rmcp \
         (target ≤ 1.10); total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
