//! What the benchmarks share: the call, the two scenarios, and paired rounds that compare a
//! measured server with a baseline in the same run.

// Each benchmark includes the whole harness and uses part of it.
#![allow(dead_code)]

pub mod servers;
pub mod stack;

use std::future::Future;
use std::time::{Duration, Instant};

use mcp_runtime::rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use mcp_runtime::rmcp::{Peer, RoleClient};
use serde_json::{Value, json};

/// Buffer of each in-memory duplex, per direction (the same as `TestClient`'s).
pub const DUPLEX_BUFFER: usize = 64 * 1024;
/// Calls in flight in the concurrent scenario.
pub const IN_FLIGHT: usize = 64;
/// Default sequential calls per round.
pub const DEFAULT_CALLS: usize = 250;
/// Concurrent rounds make this many times the sequential calls.
pub const CONCURRENT_FACTOR: usize = 16;
/// Default rounds per server and scenario.
pub const DEFAULT_ROUNDS: usize = 61;

/// `add(2, 3)`.
pub fn request() -> CallToolRequestParams {
    let Value::Object(arguments) = json!({"a": 2, "b": 3}) else {
        unreachable!("a JSON object literal")
    };
    let arguments: JsonObject = arguments;
    CallToolRequestParams::new("add").with_arguments(arguments)
}

/// One call; panics on a protocol error or an error result, so failures cannot be timed.
pub async fn call(peer: &Peer<RoleClient>, params: CallToolRequestParams) -> CallToolResult {
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

/// Checks, once, that a server answers `{"result": 5}` to `add(2, 3)`, as structured content
/// and as its text copy.
pub async fn verify(name: &str, peer: &Peer<RoleClient>) {
    let result = call(peer, request()).await;
    let structured = result.structured_content.as_ref();
    if structured != Some(&json!({"result": 5})) {
        panic!(
            "{name}: add(2, 3) answered {result:?}, expected structured content {{\"result\": 5}}"
        );
    }
    let text = result.content.first().and_then(|block| block.as_text());
    if text.map(|text| text.text.as_str()) != Some(r#"{"result":5}"#) {
        panic!("{name}: add(2, 3) answered {result:?}, expected the text `{{\"result\":5}}`");
    }
}

/// `calls` calls, one at a time.
pub async fn sequential(peer: Peer<RoleClient>, calls: usize) -> Duration {
    let params = request();
    let start = Instant::now();
    for _ in 0..calls {
        std::hint::black_box(call(&peer, params.clone()).await);
    }
    start.elapsed()
}

/// `calls` calls, `IN_FLIGHT` at a time: one task per slot, each on a clone of the peer.
pub async fn concurrent(peer: Peer<RoleClient>, calls: usize) -> Duration {
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

/// Median of a sample.
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
pub struct Row {
    scenario: &'static str,
    measured: f64,
    baseline: f64,
    /// Median of the per-round ratios measured/baseline: each round times both servers back to
    /// back, so a round's ratio is immune to load that changes more slowly than a round.
    paired: f64,
    /// Lower and upper quartiles of the per-round ratios.
    paired_iqr: (f64, f64),
}

/// Runs a scenario `rounds` times per server, alternating AB, BA, AB, … after a warm-up.
pub async fn scenario<T, F, Fut>(
    name: &'static str,
    measured: &T,
    baseline: &T,
    calls: usize,
    rounds: usize,
    run: F,
) -> Row
where
    T: Clone,
    F: Fn(T, usize) -> Fut,
    Fut: Future<Output = Duration>,
{
    // Warm up both, outside the measurement.
    for _ in 0..2 {
        run(measured.clone(), calls).await;
        run(baseline.clone(), calls).await;
    }
    let per_call = |elapsed: Duration| elapsed.as_secs_f64() * 1e6 / calls as f64;
    let mut samples_measured = Vec::with_capacity(rounds);
    let mut samples_baseline = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (a, b) = if round.is_multiple_of(2) {
            let a = per_call(run(measured.clone(), calls).await);
            (a, per_call(run(baseline.clone(), calls).await))
        } else {
            let b = per_call(run(baseline.clone(), calls).await);
            (per_call(run(measured.clone(), calls).await), b)
        };
        samples_measured.push(a);
        samples_baseline.push(b);
        ratios.push(a / b);
    }
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    Row {
        scenario: name,
        measured: median(&mut samples_measured),
        baseline: median(&mut samples_baseline),
        paired: median(&mut ratios.clone()),
        paired_iqr: (quartile(1), quartile(3)),
    }
}

impl Row {
    /// The median of the per-round ratios measured/baseline.
    pub fn paired(&self) -> f64 {
        self.paired
    }
}

/// Prints the rows, with the measured server's and the baseline's names as column heads.
pub fn print_rows(rows: &[Row], measured: &str, baseline: &str) {
    println!(
        "{:<14}{:>14}{:>14}{:>8}{:>14}   {:>13}",
        "scenario",
        format!("{measured} µs/call"),
        format!("{baseline} µs/call"),
        "ratio",
        "paired ratio",
        "paired IQR"
    );
    for row in rows {
        println!(
            "{:<14}{:>14.2}{:>14.2}{:>8.3}{:>14.3}   {:>13}",
            row.scenario,
            row.measured,
            row.baseline,
            row.measured / row.baseline,
            row.paired,
            format!("{:.3}..{:.3}", row.paired_iqr.0, row.paired_iqr.1),
        );
    }
}

/// A positive count from the `position`-th numeric argument, then `var`, then `default`.
pub fn setting(position: usize, var: &str, default: usize) -> usize {
    let from_args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .filter_map(|arg| arg.parse::<usize>().ok())
        .nth(position);
    let from_env = || std::env::var(var).ok().and_then(|value| value.parse().ok());
    from_args.or_else(from_env).unwrap_or(default).max(1)
}
