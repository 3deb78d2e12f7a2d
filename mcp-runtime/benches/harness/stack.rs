//! The default middleware stack's settings, and logging that does real work but writes
//! nowhere: what the `stack` and `http` benchmarks share.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use mcp_runtime::Settings;
use mcp_runtime::config::Config;
use tracing_subscriber::prelude::*;

pub const LOG_FILTER: &str = "info,rmcp=warn";
/// The per-client rate limit of the stack: high enough never to refuse.
const RATE_ENV: [(&str, &str); 2] = [
    ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "1000000000"),
    ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "1000000000"),
];

/// Formatted log lines and bytes, written to [`CountingSink`] and discarded.
pub static LOG_LINES: AtomicU64 = AtomicU64::new(0);
pub static LOG_BYTES: AtomicU64 = AtomicU64::new(0);

/// `std::io::sink`, counting what it is given: the `fmt` layer writes each formatted event
/// with one `write_all`, so writes count lines.
pub struct CountingSink;

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
pub fn install_subscriber() {
    let filter = mcp_runtime::logging::parse_filter(LOG_FILTER).expect("a valid log filter");
    // What `run()` installs for logs to a pipe or a file.
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(|| CountingSink)
        .with_ansi(false)
        .event_format(mcp_runtime::logging::PlainLine);
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(mcp_runtime::logging::client_layer())
        .try_init()
        .expect("no subscriber installed yet");
}

/// The default settings with a per-client rate limit that never refuses.
pub fn stack_settings() -> Settings {
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
