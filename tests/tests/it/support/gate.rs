//! A tool that holds its calls until the test lets them go: `hold(n)` tells the test it
//! started (`n` on the receiver [`Gate::new`] returns), waits for a permit on
//! [`Gate::release`], then answers `n`.

use mcp_runtime::prelude::*;
use tokio::sync::{Semaphore, mpsc};

/// The server state `hold` waits on.
pub struct Gate {
    pub started: mpsc::UnboundedSender<i64>,
    pub release: Semaphore,
}

impl Gate {
    /// A closed gate, and where the started calls are told.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<i64>) {
        let (started, started_rx) = mpsc::unbounded_channel();
        let gate = Self {
            started,
            release: Semaphore::new(0),
        };
        (gate, started_rx)
    }
}

/// Waits for the test's go, then answers `n`.
#[tool]
pub async fn hold(n: i64, gate: State<Gate>) -> String {
    let _ = gate.started.send(n);
    if let Ok(permit) = gate.release.acquire().await {
        permit.forget();
    }
    n.to_string()
}
