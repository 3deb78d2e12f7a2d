//! `Timing`: a duration per request, to a callback and the logs, with slow requests warned about.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_runtime::middleware::Timing;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;
use tracing::Level;

use super::{basic_tools, capture::Capture};

#[tokio::test]
async fn timing_records_a_duration_per_request() {
    let (capture, _guard) = Capture::install();
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let sink = recorded.clone();
    let server = Server::builder("t")
        .middleware(Timing::new().slow(Duration::from_millis(150)).on_record(
            move |method, component, duration| {
                sink.lock().unwrap().push((
                    method.to_owned(),
                    component.map(str::to_owned),
                    duration,
                ));
            },
        ))
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    client.call_tool("nap", json!({"ms": 40})).await.unwrap();
    client.list_tools().await.unwrap();
    client.call_tool("nap", json!({"ms": 200})).await.unwrap();

    let recorded = recorded.lock().unwrap().clone();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert_eq!(recorded[0].0, "tools/call");
    assert_eq!(recorded[0].1.as_deref(), Some("nap"));
    assert!(recorded[0].2 >= Duration::from_millis(40), "{recorded:?}");
    assert_eq!(
        (recorded[1].0.as_str(), recorded[1].1.as_deref()),
        ("tools/list", None)
    );
    assert!(recorded[1].2 < recorded[0].2, "{recorded:?}");
    assert!(recorded[2].2 >= Duration::from_millis(200), "{recorded:?}");

    let events = capture.events(Timing::TARGET);
    assert_eq!(events.len(), 3, "{events:#?}");
    let logged: f64 = events[0].field("duration_ms").unwrap().parse().unwrap();
    assert!(logged >= 40.0, "{logged}");
    assert_eq!(events[0].field("component"), Some("nap"));
    assert_eq!(events[0].level, Level::DEBUG);
    assert_eq!(events[2].level, Level::WARN, "over the slow threshold");
    assert_eq!(events[2].message(), "slow request");
}
