//! Resources that return `ResourceContents` (or a `Vec` of them): passed through unchanged.

use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use crate::support::read_json;

/// Contents built by hand, returned unchanged.
#[resource("out://contents")]
async fn contents() -> ResourceContents {
    ResourceContents::text("a,b\n1,2", "out://contents").with_mime_type("text/csv")
}

/// Several contents built by hand.
#[resource("out://many")]
async fn many() -> Vec<ResourceContents> {
    vec![
        ResourceContents::text("first", "out://many#1"),
        ResourceContents::text("second", "out://many#2"),
    ]
}

/// Contents, or a failure.
#[resource("out://maybe/{ok}")]
async fn maybe(ok: bool) -> Result<ResourceContents, ResourceError> {
    if ok {
        Ok(ResourceContents::blob("UE5H", "out://maybe/true").with_mime_type("image/png"))
    } else {
        Err(ResourceError::new("not this time"))
    }
}

#[tokio::test]
async fn resource_contents_pass_through_unchanged() {
    let server = Server::builder("passthrough")
        .resources(resources![contents, many, maybe])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(
        read_json(&client, "out://contents").await,
        [json!({"uri": "out://contents", "mimeType": "text/csv", "text": "a,b\n1,2"})]
    );
    let many = read_json(&client, "out://many").await;
    assert_eq!(many.len(), 2);
    assert_eq!(many[0]["uri"], "out://many#1");
    assert_eq!(many[0]["text"], "first");
    assert_eq!(many[1]["uri"], "out://many#2");
    assert_eq!(many[1]["text"], "second");
    assert_eq!(
        read_json(&client, "out://maybe/true").await,
        [json!({"uri": "out://maybe/true", "mimeType": "image/png", "blob": "UE5H"})]
    );
    let error = client.read_resource("out://maybe/false").await.unwrap_err();
    assert_eq!(error.code(), Some(-32603));
    assert_eq!(error.message(), Some("not this time"));
}
