//! `Audit`: a record for each call of a sensitive tool, its arguments redacted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_runtime::middleware::{Audit, AuditRecord, ErrorHandling, Outcome};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::capture::Capture;

/// Moves money.
#[tool(sensitive)]
async fn transfer(account: String, amount: u64, memo: String) -> Result<String, ToolError> {
    if amount == 0 {
        return Err(ToolError::new("nothing to transfer"));
    }
    Ok(format!("sent {amount} to {account} ({} chars)", memo.len()))
}

/// Shows a balance.
#[tool]
async fn balance(account: String) -> String {
    format!("{account}: 100")
}

#[tokio::test]
async fn audit_records_sensitive_tools_only_with_arguments_redacted() {
    let (capture, _guard) = Capture::install();
    let records: Arc<Mutex<Vec<AuditRecord>>> = Arc::default();
    let sink = records.clone();
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .middleware(
            Audit::new()
                .allow(["account"])
                .with_sink(move |record| sink.lock().unwrap().push(record.clone())),
        )
        .tools(tools![transfer, balance])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let sent = client
        .call_tool(
            "transfer",
            json!({"account": "acc-1", "amount": 250, "memo": "rent, pin 4321"}),
        )
        .await
        .unwrap();
    assert_eq!(sent.text(), "sent 250 to acc-1 (14 chars)");
    client
        .call_tool("balance", json!({"account": "acc-1"}))
        .await
        .unwrap();
    let refused = client
        .call_tool(
            "transfer",
            json!({"account": "acc-2", "amount": 0, "memo": "-"}),
        )
        .await
        .unwrap();
    assert!(refused.is_error());

    let records = records.lock().unwrap().clone();
    assert_eq!(records.len(), 2, "only the sensitive tool: {records:#?}");
    let record = &records[0];
    assert_eq!(record.tool, "transfer");
    assert_eq!(
        record.arguments,
        json!({"account": "acc-1", "amount": "[redacted]", "memo": "[redacted]"})
    );
    assert_eq!(record.outcome, Outcome::Ok);
    assert_eq!(
        record.client.as_ref().map(|client| client.name.as_str()),
        Some("mcp-runtime-test-client")
    );
    assert!(record.correlation_id.is_some());
    assert!(record.duration < Duration::from_secs(5));
    assert_eq!(records[1].outcome, Outcome::ToolError);
    assert_eq!(records[1].arguments["account"], "acc-2");
    assert_ne!(records[0].request_id, records[1].request_id);

    let events = capture.events(Audit::TARGET);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0].field("tool"), Some("transfer"));
    assert_eq!(events[0].field("outcome"), Some("ok"));
    assert_eq!(events[1].field("outcome"), Some("tool_error"));
    assert!(
        events[0]
            .field("client")
            .unwrap()
            .starts_with("mcp-runtime-test-client/")
    );
    let arguments = events[0].field("arguments").unwrap();
    assert!(!arguments.contains("4321"), "{arguments}");
    assert!(arguments.contains("acc-1"), "{arguments}");
    for event in capture
        .all()
        .into_iter()
        .filter(|event| event.target.starts_with("mcp_runtime"))
    {
        assert!(
            !event
                .fields
                .values()
                .any(|value| value.contains("pin 4321")),
            "the memo leaked into the logs: {event:?}"
        );
    }
}
