//! Prometheus metrics, through the [`metrics`] facade: what `/metrics` serves on HTTP.
//!
//! Series (every one named `mcp_…`; `component` is a registered name, never a name a client
//! made up, so the label's values stay bounded, and never the name of a component that
//! declares scopes unless the server was told to show them: those are counted together under
//! `component="(restricted)"`, see `HttpOptions::metrics_show_restricted` and
//! `metrics.show_restricted`):
//!
//! | series | type | labels |
//! |---|---|---|
//! | `mcp_requests_total` | counter | `method`, `component` |
//! | `mcp_request_errors_total` | counter | `method`, `component`, `kind` |
//! | `mcp_request_duration_seconds` | histogram | `method`, `component` |
//! | `mcp_auth_failures_total` | counter | `reason` (`missing`, `malformed`, `invalid`, `forbidden`, `unavailable`) |
//!
//! `kind` is `tool_error` (a tool returned an error result), `invalid_params`, `not_found`,
//! `forbidden`, `unavailable` (rate limited, circuit open), `internal` or `other` (the JSON-RPC error's code).
//!
//! Metrics are recorded once [`enable`] ran (serving over HTTP does): the first call installs
//! a Prometheus recorder as the process's global `metrics` recorder, unless the application
//! installed its own, in which case the series go to that one and [`render`] has nothing.
//!
//! The recorder buffers each histogram sample until its upkeep folds them into the buckets:
//! [`upkeep`] does that every [`UPKEEP_PERIOD`], and `Server::bind_http` runs it while it serves,
//! so memory stays flat whether or not anyone scrapes `/metrics`.

use std::sync::OnceLock;
#[cfg(feature = "http")]
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
#[cfg(feature = "http")]
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
#[cfg(feature = "http")]
use tokio_util::sync::DropGuard;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static ENABLED: AtomicBool = AtomicBool::new(false);
/// Upkeeps run by [`upkeep`], and upkeep tasks alive (what the tests observe).
static UPKEEPS: AtomicU64 = AtomicU64::new(0);
#[cfg(feature = "http")]
static UPKEEP_TASKS: AtomicUsize = AtomicUsize::new(0);

/// How often [`upkeep`] runs the recorder's upkeep: the buffered samples of a busy server stay
/// a few seconds' worth.
pub const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

/// The request duration buckets, in seconds: from a fast in-memory tool to a slow upstream.
const BUCKETS: &[f64] = &[
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0, 30.0,
];

/// Starts recording request metrics in this process, installing the Prometheus recorder the
/// first time. Returns whether [`render`] can serve them (`false` when another global recorder
/// was installed first: the series go there).
pub fn enable() -> bool {
    let handle = HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("mcp_request_duration_seconds".to_owned()),
                BUCKETS,
            )
            .ok()?;
        match builder.install_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::warn!(%error, "another metrics recorder is installed; /metrics stays empty");
                None
            }
        }
    });
    ENABLED.store(true, Ordering::Release);
    handle.is_some()
}

/// Whether request metrics are being recorded.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The metrics in the Prometheus text format (`None` until [`enable`] installed the recorder).
pub fn render() -> Option<String> {
    let handle = HANDLE.get()?.as_ref()?;
    handle.run_upkeep();
    Some(handle.render())
}

/// Runs the recorder's upkeep (folding the histograms' buffered samples into their buckets)
/// every [`UPKEEP_PERIOD`] until `stop` is cancelled, then returns at once.
///
/// `Server::bind_http` runs it while it serves. Spawn it yourself when you serve
/// `Server::http_router` in an application of your own and call [`enable`]: without it, every
/// request's duration stays in memory until the next [`render`].
pub async fn upkeep(stop: CancellationToken) {
    upkeep_every(UPKEEP_PERIOD, stop).await;
}

async fn upkeep_every(period: Duration, stop: CancellationToken) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        if let Some(Some(handle)) = HANDLE.get() {
            handle.run_upkeep();
            UPKEEPS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The upkeep task of one HTTP server: stopped by [`stop`](Self::stop), or when dropped (the
/// server's task was aborted).
#[cfg(feature = "http")]
pub(crate) struct UpkeepTask {
    stop: DropGuard,
    task: JoinHandle<()>,
}

#[cfg(feature = "http")]
impl UpkeepTask {
    /// Spawns [`upkeep`] on the current runtime.
    pub(crate) fn spawn() -> Self {
        let stop = CancellationToken::new();
        let alive = Alive::new();
        let task = tokio::spawn({
            let stop = stop.clone();
            // Moved into the future: dropped with it, whether it ran or not.
            async move {
                let _alive = alive;
                upkeep(stop).await;
            }
        });
        Self {
            stop: stop.drop_guard(),
            task,
        }
    }

    /// Stops the task and waits until it ended.
    pub(crate) async fn stop(self) {
        drop(self.stop);
        if let Err(error) = self.task.await {
            tracing::debug!(%error, "the metrics upkeep task failed");
        }
    }
}

/// Counts an upkeep task as alive until dropped (with the task's future).
#[cfg(feature = "http")]
struct Alive;

#[cfg(feature = "http")]
impl Alive {
    fn new() -> Self {
        UPKEEP_TASKS.fetch_add(1, Ordering::Relaxed);
        Self
    }
}

#[cfg(feature = "http")]
impl Drop for Alive {
    fn drop(&mut self) {
        UPKEEP_TASKS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How many upkeep tasks are alive in this process.
#[cfg(all(test, feature = "http"))]
pub(crate) fn upkeep_tasks() -> usize {
    UPKEEP_TASKS.load(Ordering::Relaxed)
}

/// One series of request metrics (a method and a component), registered once and then only
/// updated: a counter, a histogram, and error counters created on first use.
pub(crate) struct Series {
    labels: [metrics::Label; 2],
    requests: metrics::Counter,
    duration: metrics::Histogram,
}

impl Series {
    pub(crate) fn new(method: &'static str, component: metrics::SharedString) -> Self {
        let labels = [
            metrics::Label::new("method", method),
            metrics::Label::new("component", component),
        ];
        Self {
            requests: metrics::counter!("mcp_requests_total", labels.iter()),
            duration: metrics::histogram!("mcp_request_duration_seconds", labels.iter()),
            labels,
        }
    }

    /// Records one request's outcome.
    pub(crate) fn record(&self, seconds: f64, error: Option<&'static str>) {
        self.requests.increment(1);
        self.duration.record(seconds);
        if let Some(kind) = error {
            let [method, component] = self.labels.clone();
            let labels = [method, component, metrics::Label::new("kind", kind)];
            metrics::counter!("mcp_request_errors_total", labels.iter()).increment(1);
        }
    }
}

/// The `component` label of the components that declare scopes, unless they are shown.
pub const RESTRICTED: &str = "(restricted)";

/// The series of one server: per tool, resource and prompt (by index), and per method for
/// lists, unknown components and (unless shown) the components that declare scopes.
pub(crate) struct SeriesSlots {
    pub(crate) tools: Vec<OnceLock<Series>>,
    pub(crate) resources: Vec<OnceLock<Series>>,
    pub(crate) prompts: Vec<OnceLock<Series>>,
    pub(crate) other: Vec<OnceLock<Series>>,
    pub(crate) unknown: Vec<OnceLock<Series>>,
    pub(crate) restricted: Vec<OnceLock<Series>>,
    /// Whether components that declare scopes get series of their own, by name.
    pub(crate) show_restricted: AtomicBool,
}

impl SeriesSlots {
    pub(crate) fn new(tools: usize, resources: usize, prompts: usize) -> Self {
        let slots = |n: usize| (0..n).map(|_| OnceLock::new()).collect();
        let methods = crate::middleware::Request::METHODS.len();
        Self {
            tools: slots(tools),
            resources: slots(resources),
            prompts: slots(prompts),
            other: slots(methods),
            unknown: slots(methods),
            restricted: slots(methods),
            show_restricted: AtomicBool::new(false),
        }
    }
}

/// Records a refused bearer token (or missing scopes).
#[cfg(feature = "http")]
pub(crate) fn auth_failure(reason: &'static str) {
    if is_enabled() {
        metrics::counter!("mcp_auth_failures_total", "reason" => reason).increment(1);
    }
}

/// The `kind` label of a JSON-RPC error.
pub(crate) fn error_kind(code: i32) -> &'static str {
    crate::error::codes::kind(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn upkeep_runs_until_stopped() {
        assert!(enable(), "the Prometheus recorder installs");
        let stop = CancellationToken::new();
        let before = UPKEEPS.load(Ordering::Relaxed);
        let task = tokio::spawn(upkeep_every(Duration::from_millis(1), stop.clone()));
        // Not a timing assertion: at most a second for two upkeeps.
        for _ in 0..1000 {
            if UPKEEPS.load(Ordering::Relaxed) >= before + 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(UPKEEPS.load(Ordering::Relaxed) >= before + 2);
        stop.cancel();
        task.await.expect("the upkeep returns once stopped");
    }
}
